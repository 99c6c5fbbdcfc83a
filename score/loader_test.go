package score

import (
	"strings"
	"testing"
)

func mustLoader(t testing.TB) *Loader {
	t.Helper()
	l, err := NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLoadErrors(t *testing.T) {
	l := mustLoader(t)
	aliasBomb := "apiVersion: score.dev/v1b1\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
	tests := []struct {
		name, spec, want string
	}{
		{"malformed YAML", "apiVersion: [", "web.score.yaml: the file is not valid YAML"},
		{"empty", "", "the file is empty"},
		{"not a mapping", "- a\n- b\n", "not valid YAML"},
		{"two documents", "apiVersion: score.dev/v1b1\n---\na: b\n", "more than one YAML document"},
		{"missing apiVersion", "metadata: {name: web}\n", "apiVersion: missing; set apiVersion: score.dev/v1b1"},
		{"wrong apiVersion", "apiVersion: score.dev/v1\nmetadata: {name: web}\ncontainers: {main: {image: nginx}}\n", `apiVersion: "score.dev/v1" is not supported`},
		{"unknown field", "apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx, imag: x}}\n", "containers.main: additionalProperties 'imag' not allowed"},
		{"missing image", "apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {}}\n", "containers.main: missing properties: 'image'"},
		{"unknown resource", "apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx, variables: {DB: '${resources.db.host}'}}}\n",
			`web.score.yaml: containers.main.variables.DB: unknown resource "db": the workload declares no resources`},
		{"unknown resource among others", "apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx, variables: {DB: '${resources.db.host}'}}}\nresources: {cache: {type: redis}}\n",
			`containers.main.variables.DB: unknown resource "db"; declared resources are cache`},
		{"unknown metadata", "apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx, variables: {X: '${metadata.nope}'}}}\n", `unknown metadata key "nope"`},
		{"bad root", "apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx, variables: {X: '${env.HOME}'}}}\n", `unknown root "env"`},
		{"malformed placeholder", "apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx, variables: {X: '${resources}'}}}\n", "is malformed"},
		{"unclosed placeholder", "apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx, variables: {X: '${resources.db'}}}\n", "is not closed"},
		{"param placeholder", "apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx}}\nresources: {rr: {type: route, params: {host: '${resources.dns.host}'}}}\n", `resources.rr.params.host: unknown resource "dns"`},
		{"before unknown", "apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx, before: {xx: {ready: started}}}}\n", `containers.main.before.xx: unknown container "xx"`},
		{"before cycle", "apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {aa: {image: nginx, before: {bb: {ready: started}}}, bb: {image: nginx, before: {aa: {ready: started}}}}\n", "cycle: aa → bb → aa"},
		{"missing side file", "apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx, files: {/etc/x: {source: ./nope.txt}}}}\n", `containers.main.files./etc/x.source: cannot read side file "./nope.txt"`},
		{"too large", "apiVersion: score.dev/v1b1\n#" + strings.Repeat("x", MaxFileSize), "larger than 1048576 bytes"},
		{"alias bomb", aliasBomb, "f[0] (line 7): the aliases (*name) and merge keys (<<: *name) of the file repeat more than 100000 values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := l.Load("web.score.yaml", []byte(tt.spec), "testdata", Options{})
			if err == nil {
				t.Fatalf("want an error containing %q, got none", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %q\nwant it to contain %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "web.score.yaml: ") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestLoadUpgradesOverridesSideFilesImage(t *testing.T) {
	l := mustLoader(t)
	spec := `apiVersion: score.dev/v1b1
metadata: {name: web}
containers:
  main:
    image: .
    files:
    - target: /etc/side
      source: side.txt
    - target: /etc/lines
      content: ["a", "b"]
    volumes:
    - target: /data
      source: x
      read_only: true
`
	w, err := l.Load("web.score.yaml", []byte(spec), "testdata", Options{Image: "nginx:1.27", Overrides: []string{"containers.main.variables.PORT='8080'", "metadata.annotations.team=shop"}})
	if err != nil {
		t.Fatal(err)
	}
	c := w.Spec.Containers["main"]
	if c.Image != "nginx:1.27" {
		t.Errorf("image = %q, want the --image value", c.Image)
	}
	if got := *c.Files["/etc/side"].Content; got != "hello ${metadata.name}\n" {
		t.Errorf("side file content = %q", got)
	}
	if got := *c.Files["/etc/lines"].Content; got != "a\nb" {
		t.Errorf("upgraded content = %q", got)
	}
	if v := c.Volumes["/data"]; v.ReadOnly == nil || !*v.ReadOnly {
		t.Errorf("read_only was not upgraded to readOnly: %+v", v)
	}
	if c.Variables["PORT"] != "8080" {
		t.Errorf("override not applied: %v", c.Variables)
	}
	if len(w.Upgrades) == 0 {
		t.Errorf("upgrades not reported")
	}
}

func TestExpand(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"${a.b}", "[a b]"},
		{"x${a.b}y${c.d\\.e}z", "x[a b]y[c d.e]z"},
		{"$${a.b}", "${a.b}"},
		{"$$", "$"},
		{"a$b", "a$b"},
		{"$", "$"},
	}
	for _, tt := range tests {
		got, err := Expand(tt.in, func(p []string) (string, error) { return "[" + strings.Join(p, " ") + "]", nil })
		if err != nil || got != tt.want {
			t.Errorf("Expand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
