package definition

import (
	"io/fs"
	"strings"
	"testing"
)

// FuzzParse reads any bytes as a definitions file or a score-k8s
// provisioner file, seeded with the built-in definitions, a provisioner
// file, and in testdata/fuzz files whose aliases repeat too much
// (TestAliasesAreBounded): never a panic; a refusal names the file; what it accepts has
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
	// A score-k8s provisioner file (a YAML list), which Parse translates.
	f.Add([]byte("- &base\n  uri: template://acme/a\n  type: thing\n  outputs: 'x: {{ .State.x }}'\n  supported_params: [size]\n" +
		"- <<: *base\n  uri: template://acme/b\n  class: large\n" +
		"- uri: cmd://python3#s3\n  type: s3\n  args: [-c, 'print(1)']\n  outputs: [bucket]\n"))
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
