package scaffold

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

// tmpl is a template of one .tmpl file.
func tmpl(content string, more ...paved.TemplateFile) *paved.Template {
	return &paved.Template{Name: "t", Version: "1.0.0", Files: append([]paved.TemplateFile{{Path: "f.txt.tmpl", Content: content}}, more...)}
}

// TestRenderHermetic: a template sees the template driver's library, not
// sprig's whole one: nothing reads the server's environment, clock or
// network, nothing is random.
func TestRenderHermetic(t *testing.T) {
	t.Setenv("PAVED_SECRET_KEY", "s3cret-of-the-server")
	tests := []struct{ content, want string }{
		{`{{env "PAVED_SECRET_KEY"}}`, `function "env" not defined`},
		{`{{expandenv "$PAVED_SECRET_KEY"}}`, `function "expandenv" not defined`},
		{`{{now}}`, `function "now" not defined`},
		{`{{getHostByName "localhost"}}`, `function "getHostByName" not defined`},
		{`{{randAlphaNum 8}}`, `function "randAlphaNum" not defined`},
		{`{{uuidv4}}`, `function "uuidv4" not defined`},
		{`{{genPrivateKey "rsa"}}`, `function "genPrivateKey" not defined`},
	}
	for _, tc := range tests {
		t.Run(tc.content, func(t *testing.T) {
			r, err := Render(tmpl(tc.content), &paved.RenderRequest{Name: "a", Team: "b"})
			if err == nil {
				t.Fatalf("rendered %q", r.Files[0].Content)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("error %q, want %q", err, tc.want)
			}
		})
	}
	// What the library keeps renders the same bytes every time.
	tpl := tmpl(`{{.Name | upper}} {{sha256sum "x"}} {{dnsLabel "A_b"}} {{list 3 1 2 | sortAlpha | join ","}} {{toJson .Params}} {{printf "%05d" 42}}`)
	var first string
	for i := range 3 {
		r, err := Render(tpl, &paved.RenderRequest{Name: "a", Team: "b"})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = r.Files[0].Content
		} else if r.Files[0].Content != first {
			t.Fatalf("rendering %d: %q, the first %q", i, r.Files[0].Content, first)
		}
	}
	if want := "A 2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 a-b 1,2,3 {} 00042"; first != want {
		t.Fatalf("rendered %q, want %q", first, want)
	}
}

// TestRenderLimits: a template cannot hold the server up or fill its
// memory; each limit says which it is, and fast.
func TestRenderLimits(t *testing.T) {
	def := defaultLimits()
	small := def
	small.TotalBytes = 1000
	slow := def
	slow.Time, slow.Steps = 20*time.Millisecond, 1<<40
	tests := []struct {
		name    string
		tpl     *paved.Template
		lim     limits
		want    string
		maxTime time.Duration
	}{
		{"nested ranges", tmpl(`{{range until 20000}}{{range until 20000}}{{end}}{{end}}`), def, "more than 250000 steps", 3 * time.Second},
		{"range over an integer", tmpl(`{{range 2000000000}}{{end}}`), def, "more than 250000 steps", 3 * time.Second},
		{"a huge list", tmpl(`{{until 2000000000}}`), def, "at most 4194304", 3 * time.Second},
		{"untilStep", tmpl(`{{untilStep 0 2000000000 1}}`), def, "at most 4194304", 3 * time.Second},
		{"seq", tmpl(`{{seq 1 1 2000000000}}`), def, "at most 4194304", 3 * time.Second},
		{"repeat", tmpl(`{{repeat 2000000000 "x"}}`), def, "at most 4194304", 3 * time.Second},
		{"negative repeat", tmpl(`{{repeat -1 "x"}}`), def, "give a count from 0", 3 * time.Second},
		{"indent", tmpl(`{{indent 2000000000 "x"}}`), def, "at most 4194304", 3 * time.Second},
		{"replace", tmpl(`{{$s := repeat 4000000 "x"}}{{replace "" "yyyy" $s}}`), def, "at most 4194304", 3 * time.Second},
		{"regexReplaceAll", tmpl(`{{$s := repeat 100000 "x"}}{{regexReplaceAll "" $s "$0$0"}}`), def, "at most 4194304", 3 * time.Second},
		{"doubling", tmpl(`{{$s := "x"}}{{range until 40}}{{$s = cat $s $s}}{{end}}`), def, "at most 4194304", 3 * time.Second},
		{"a list of lists", tmpl(`{{$l := list 1}}{{range until 40}}{{$l = list $l $l}}{{end}}{{toJson $l}}`), def, "at most 4194304", 3 * time.Second},
		{"a value holding itself", tmpl(`{{$d := dict}}{{$_ := set $d "d" $d}}{{$d}}`), def, "contains itself", 3 * time.Second},
		{"recursion", tmpl(`{{define "a"}}{{if lt (len .) 40}}{{template "a" (print . "x")}}{{template "a" (print . "x")}}{{end}}{{end}}{{template "a" ""}}`), def, "more than 250000 steps", 3 * time.Second},
		{"uniq", tmpl(`{{until 100000 | uniq}}`), def, "comparisons asked", 3 * time.Second},
		{"a file too large", tmpl(`{{range until 5000}}{{repeat 1000 "x"}}{{end}}`), def, "larger than 4194304 bytes", 3 * time.Second},
		{"the files together", tmpl(strings.Repeat("x", 600), paved.TemplateFile{Path: "g.txt.tmpl", Content: strings.Repeat("y", 600)}), small, "larger than 1000 bytes together", 3 * time.Second},
		{"the deadline", tmpl(`{{range until 100000}}{{range until 100000}}{{end}}{{end}}`), slow, "longer than 20ms", 3 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			r, err := render(tc.tpl, &paved.RenderRequest{Name: "a", Team: "b"}, tc.lim)
			if err == nil {
				t.Fatalf("rendered %d bytes", len(r.Files[0].Content))
			}
			if !strings.Contains(err.Error(), tc.want) || paved.ErrorCode(err) != paved.EINVALID {
				t.Fatalf("error %q (%s), want %q", err, paved.ErrorCode(err), tc.want)
			}
			if d := time.Since(start); d > tc.maxTime {
				t.Fatalf("took %v, more than %v", d, tc.maxTime)
			}
		})
	}
	// Within the limits, loops work.
	r, err := Render(tmpl(`{{range until 3}}{{.}}{{end}} {{seq 3}} {{repeat 3 "ab"}}`), &paved.RenderRequest{Name: "a", Team: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Files[0].Content, "012 1 2 3 ababab"; got != want {
		t.Fatalf("rendered %q, want %q", got, want)
	}
}

// TestSchemaRefs: a template's schema may refer within itself, never to
// the server's files or the network.
func TestSchemaRefs(t *testing.T) {
	file := filepath.Join(t.TempDir(), "s.json")
	if err := os.WriteFile(file, []byte(`{"type":"string"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, schema, want string
	}{
		{"a file", fmt.Sprintf(`{"type":"object","properties":{"a":{"$ref":"file://%s"}}}`, file), "may refer only within itself"},
		{"etc", `{"type":"object","properties":{"a":{"$ref":"file:///etc/passwd"}}}`, "may refer only within itself"},
		{"relative", `{"type":"object","properties":{"a":{"$ref":"other.json"}}}`, "may refer only within itself"},
		{"http", `{"type":"object","properties":{"a":{"$ref":"http://127.0.0.1:1/s.json"}}}`, "may refer only within itself"},
		{"within", `{"type":"object","$defs":{"port":{"type":"integer"}},"properties":{"a":{"$ref":"#/$defs/port"}}}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl := tmpl("x")
			tpl.Parameters = []byte(tc.schema)
			err := Check(tpl)
			switch {
			case tc.want == "" && err != nil:
				t.Fatal(err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// TestCheckDefaults: a default failing its own parameter's schema is
// refused when the template is applied, not at every paved new.
func TestCheckDefaults(t *testing.T) {
	tests := []struct{ schema, want string }{
		{`{"type":"object","properties":{"port":{"type":"integer","minimum":1024,"default":80}}}`, "parameters: port: the default 80 fails the parameter's own schema: must be >= 1024"},
		{`{"type":"object","properties":{"v":{"type":"string","enum":["a","b"],"default":"c"}}}`, "parameters: v: the default c fails"},
		{`{"type":"object","properties":{"port":{"type":"integer","default":8080}}}`, ""},
	}
	for _, tc := range tests {
		tpl := tmpl("x")
		tpl.Parameters = []byte(tc.schema)
		err := Check(tpl)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: %v, want %q", tc.schema, err, tc.want)
		}
	}
}

// TestCheckOutputPaths: where a .tmpl file is written is checked when the
// template is applied.
func TestCheckOutputPaths(t *testing.T) {
	for _, p := range []string{"...tmpl", ".paved/template.yaml.tmpl", ".git/config.tmpl"} {
		tpl := &paved.Template{Name: "t", Version: "1.0.0", Files: []paved.TemplateFile{{Path: p, Content: "x"}}}
		if err := Check(tpl); err == nil {
			t.Errorf("%s applied", p)
		}
	}
}
