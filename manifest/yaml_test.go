package manifest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	yamlv3 "gopkg.in/yaml.v3"
	k8syaml "sigs.k8s.io/yaml"
)

func TestMarshalRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"plain", map[string]any{"kind": "ConfigMap", "apiVersion": "v1", "data": map[string]any{"a": "b"}},
			"apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n"},
		{"reserved words quoted", map[string]any{"a": "yes", "b": "on", "c": "null", "d": "True", "e": "~"},
			"a: \"yes\"\nb: \"on\"\nc: \"null\"\nd: \"True\"\ne: \"~\"\n"},
		{"numbers as strings quoted", map[string]any{"a": "8080", "b": "1e3", "c": "0x1f", "d": "-1", "e": ".5", "f": "1:20"},
			"a: \"8080\"\nb: \"1e3\"\nc: \"0x1f\"\nd: \"-1\"\ne: \".5\"\nf: \"1:20\"\n"},
		{"numbers", map[string]any{"i": 3, "f": 1.5, "w": float64(80), "b": false, "n": nil},
			"b: false\nf: 1.5\ni: 3\n\"n\": null\nw: 80\n"},
		{"lists kubectl style", map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"name": "main", "image": "nginx", "args": []any{"-c", "x: y"}}}}},
			"spec:\n  containers:\n  - name: main\n    args:\n    - \"-c\"\n    - \"x: y\"\n    image: nginx\n"},
		{"empty", map[string]any{"a": map[string]any{}, "b": []any{}}, "a: {}\nb: []\n"},
		{"multi-line literal", map[string]any{"f": "line1\n  line2\n"}, "f: |\n  line1\n    line2\n"},
		{"multi-line keep and strip", map[string]any{"f": "a\n\n", "g": "a\nb"}, "f: |+\n  a\n\ng: |-\n  a\n  b\n"},
		{"leading space multi-line quoted", map[string]any{"f": " a\nb"}, "f: \" a\\nb\"\n"},
		{"special characters", map[string]any{"a": "x #y", "b": "@at", "c": "é", "d": "a\x01b", "e": "${resources.db.host}", "f": "a\tb"},
			"a: \"x #y\"\nb: \"@at\"\nc: \"é\"\nd: \"a\\u0001b\"\ne: $\\{resources.db.host}\nf: \"a\\tb\"\n"},
		{"nested lists", map[string]any{"a": []any{[]any{"x"}, []any{}}}, "a:\n- - x\n- []\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if tt.name != "special characters" && string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			assertRoundTrip(t, tt.in, got)
		})
	}
}

// assertRoundTrip decodes out with a YAML 1.2 reader (yaml.v3) and a YAML 1.1
// reader (the one Kubernetes tools use) and compares with in as JSON.
func assertRoundTrip(t *testing.T, in any, out []byte) {
	t.Helper()
	want, _ := json.Marshal(in)
	var wantV any
	_ = json.Unmarshal(want, &wantV)
	var v3 any
	if err := yamlv3.Unmarshal(out, &v3); err != nil {
		t.Fatalf("yaml.v3 cannot read\n%s: %v", out, err)
	}
	j3, _ := json.Marshal(v3)
	var got3 any
	_ = json.Unmarshal(j3, &got3)
	if !reflect.DeepEqual(got3, wantV) {
		t.Errorf("yaml.v3 read back %s, want %s from\n%s", j3, want, out)
	}
	j1, err := k8syaml.YAMLToJSON(out)
	if err != nil {
		t.Fatalf("YAML 1.1 reader cannot read\n%s: %v", out, err)
	}
	var got1 any
	_ = json.Unmarshal(j1, &got1)
	if !reflect.DeepEqual(got1, wantV) {
		t.Errorf("YAML 1.1 reader read back %s, want %s from\n%s", j1, want, out)
	}
}

func FuzzMarshalString(f *testing.F) {
	for _, s := range []string{"a", "yes", "a: b", "#x", "a\nb\n", " x", "1.0", "-", "é", "\u2028", "a\n\n\n", "\x7f", "x\n \n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8Valid(s) {
			return
		}
		in := map[string]any{"k": s, "l": []any{s}}
		out, err := Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		assertRoundTrip(t, in, out)
		// As a key: written, or refused only when too long as written.
		var key encoder
		key.string(s, 0, true)
		in = map[string]any{s: "v"}
		out, err = Marshal(in)
		if err != nil {
			if len(key.buf) <= maxKeyLen || !strings.Contains(err.Error(), "cannot be written as YAML implicit keys") {
				t.Fatalf("the key %q (%d bytes as written): %v", s, len(key.buf), err)
			}
			return
		}
		assertRoundTrip(t, in, out)
	})
}

// TestNumberBeyondFloat64: a number no 64-bit float holds is refused (the
// fuzzer found yaml.v3 reading one back as a string).
func TestNumberBeyondFloat64(t *testing.T) {
	for _, n := range []string{strings.Repeat("6", 400), "1e400", "-1e309"} {
		if _, err := Marshal(map[string]any{"n": json.Number(n)}); err == nil || !strings.Contains(err.Error(), "beyond what a 64-bit number holds") {
			t.Errorf("Marshal(%.20s) = %v, want a refusal", n, err)
		}
	}
	if _, err := Marshal(map[string]any{"n": json.Number("12345678901234567890")}); err != nil {
		t.Errorf("a number beyond int64 but within float64: %v", err)
	}
}
