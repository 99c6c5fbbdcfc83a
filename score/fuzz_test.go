package score

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"paved.dev/paved/score/scoretest"
)

// The fuzz targets of Score loading and placeholder substitution. `go test`
// runs them over their seeds (the conformance corpus and the cases below);
// test/fuzz.sh runs them with -fuzz (see docs/reliability.md).

// FuzzLoad loads any bytes as a Score file: it must never panic, refuse
// with an error that names the file, and load the same bytes the same way
// twice.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx, variables: {A: '${metadata.name}'}}}\n"))
	f.Add([]byte("apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx}}\nresources: {db: {type: postgres}}\n"))
	f.Add([]byte("a: &a [1]\nb: *a\n"))
	f.Add([]byte("apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx, files: [{target: /a, content: '${resources}'}]}}\n"))
	for _, b := range scoretest.Contents(f) {
		f.Add(b)
	}
	l := mustLoader(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := l.Load("fuzz.score.yaml", data, "", Options{})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.score.yaml: ") {
				t.Fatalf("the error does not name the file: %v", err)
			}
			return
		}
		if w.Name == "" {
			t.Fatal("a workload loaded without a name")
		}
		again, err := l.Load("fuzz.score.yaml", data, "", Options{})
		if err != nil {
			t.Fatalf("loaded once, refused the second time: %v", err)
		}
		a, _ := json.Marshal(w.Spec)
		b, _ := json.Marshal(again.Spec)
		if string(a) != string(b) {
			t.Fatalf("the same bytes loaded differently:\n%s\n%s", a, b)
		}
	})
}

// FuzzExpand substitutes placeholders in any string: never a panic; every
// placeholder resolved exactly once, in order, as Refs lists them; a
// resolved value is never expanded again (an output holding "${...}" stays
// as it is); a string without "$" is left alone.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{"plain", "${a.b}", "x${a.b}y${c.d\\.e}z", "$${a.b}", "$$", "a$b", "$", "${", "${}", "${a", "$${", "${a\\.}", "${.}", "${resources}", "${resources.db}", "$$$${x}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var calls [][]string
		got, err := Expand(s, func(parts []string) (string, error) {
			if len(parts) == 0 {
				t.Fatalf("%q: resolve called with no parts", s)
			}
			calls = append(calls, parts)
			return "${again}", nil
		})
		if !strings.Contains(s, "$") && (got != s || err != nil) {
			t.Fatalf("Expand(%q) = %q, %v; a string without $ stays as it is", s, got, err)
		}
		refs, rerr := Refs(s)
		if (err == nil) != (rerr == nil) {
			t.Fatalf("Expand(%q) error %v, Refs error %v", s, err, rerr)
		}
		if err != nil {
			return
		}
		if !reflect.DeepEqual(refs, calls) && len(refs)+len(calls) > 0 {
			t.Fatalf("Expand(%q) resolved %q, Refs lists %q", s, calls, refs)
		}
		if n := strings.Count(got, "${again}"); n < len(calls) {
			t.Fatalf("Expand(%q) = %q: %d values resolved, %d kept as they were", s, got, len(calls), n)
		}
		for _, p := range calls {
			if back := SplitRef(strings.TrimSuffix(strings.TrimPrefix(JoinRef(p), "${"), "}")); !reflect.DeepEqual(back, p) && !strings.Contains(strings.Join(p, ""), `\`) {
				t.Fatalf("JoinRef(%q) = %q does not split back: %q", p, JoinRef(p), back)
			}
		}
	})
}
