package score

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// hangGuard bounds how long one file may take: only a hang (an expansion
// the bound missed: these files expand to millions of values, minutes)
// goes over it. What the bound does is asserted by the error's text (the
// field where the count went over) and the values decoded, not by time:
// accepted files decode about 50,000 values, and a loaded 2-core machine
// takes well over a second for that now and then.
const hangGuard = 20 * time.Second

// aliasedSpec is a Score file whose metadata holds a list of lit values
// and refs aliases of it.
func aliasedSpec(lit, refs int) string {
	return fmt.Sprintf("apiVersion: score.dev/v1b1\nmetadata:\n  name: web\n  a: &a [%s]\n  b: [%s]\ncontainers: {main: {image: nginx}}\n",
		strings.TrimSuffix(strings.Repeat("x,", lit), ","), strings.TrimSuffix(strings.Repeat("*a,", refs), ","))
}

// TestLoadBoundsAliases: yaml.v3 lets one document repeat about 99% of its
// values through aliases, so 8 KiB expanded to 392,000 values that the
// schema validation and every later step went through (143 ms to load on
// the 2-core machine, the fuzz seed testdata/fuzz/FuzzLoad/alias-metadata-bomb);
// now a Score file's aliases may repeat at most 100,000 values, refused
// before anything expands them, naming the field.
func TestLoadBoundsAliases(t *testing.T) {
	l := mustLoader(t)
	cases := []struct {
		name, spec, err string
	}{
		{"within yaml.v3's limit", aliasedSpec(4000, 97), "web.score.yaml: metadata.b[24] (line 5): the aliases (*name) and merge keys (<<: *name) of the file repeat more than 100000 values; a file may repeat at most 100000 through aliases"},
		{"under the limit", aliasedSpec(4000, 24), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			w, err := l.Load("web.score.yaml", []byte(tc.spec), "", Options{})
			took := time.Since(start)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.err == "" && len(w.Spec.Metadata["b"].([]any)) != 24:
				t.Fatalf("metadata.b = %.100v", w.Spec.Metadata["b"])
			case tc.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.err)):
				t.Fatalf("err = %v\nwant   %s...", err, tc.err)
			}
			if took > hangGuard {
				t.Errorf("took %v (%d bytes), over the %v hang guard: the aliases were expanded before they were counted", took, len(tc.spec), hangGuard)
			}
		})
	}
}
