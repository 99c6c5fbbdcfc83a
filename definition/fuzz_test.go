package definition

import (
	"io/fs"
	"strings"
	"testing"
)

// FuzzParse reads any bytes as a definitions file, seeded with the built-in
// definitions: never a panic; a refusal names the file; what it accepts has
// the shape checkShape promises and goes through the drivers' validation
// and into a set without a panic.
func FuzzParse(f *testing.F) {
	names, err := fs.Glob(defaultsFS, "defaults/*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, n := range names {
		b, err := defaultsFS.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	head := "apiVersion: paved.dev/v1\nkind: ResourceDefinition\n"
	f.Add([]byte(head + "id: a\ntype: postgres\ndriver: echo\ndriver_inputs: {values: {host: h}}\ncriteria: [{env_type: staging, app: shop}]\n---\n" + head + "id: b\ntype: postgres\ndriver: template\n"))
	f.Add([]byte(head + "id: [\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte(head + "id: x\ntype: t\ndriver: template\noutputs: [{name: a}, {name: a}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defs, err := Parse("defs.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "defs.yaml: ") {
				t.Fatalf("the error does not name the file: %v", err)
			}
			return
		}
		for i := range defs {
			d := &defs[i]
			if d.ID == "" || d.Type == "" || d.Driver == "" || !idPattern.MatchString(d.ID) {
				t.Fatalf("accepted a definition without a valid id, type or driver: %+v", d)
			}
			_ = Validate(drivers(), d)
		}
		_, _ = NewSet(drivers(), nil, defs)
	})
}
