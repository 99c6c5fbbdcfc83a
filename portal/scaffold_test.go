package portal_test

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/api"
)

// TestNewServiceThroughTheForm: the form is generated from the template's
// JSON Schema, a value failing it is refused naming the parameter, a good
// one scaffolds through the same service as paved new (the app is
// registered), and the repository downloads as a .zip with its record and
// its Git history.
func TestNewServiceThroughTheForm(t *testing.T) {
	f := newFixture(t)
	b := f.login(t, f.dana)
	_, page := b.get("/new")
	for _, want := range []string{`href="/new?template=go-service"`, "node-web", "python-worker", "static-site"} {
		if !strings.Contains(page, want) {
			t.Fatalf("/new lacks %q:\n%s", want, page)
		}
	}
	_, page = b.get("/new?template=go-service")
	for _, want := range []string{
		`<input id="param.port" name="param.port" type="number" value="8080">`,
		`<select id="param.go_version" name="param.go_version"><option value="1.24">1.24</option><option value="1.25">1.25</option><option value="1.26" selected>1.26</option></select>`,
		`<input id="param.registry" name="param.registry" value="ghcr.io/acme">`,
		`<option value="pioneers">pioneers</option>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the go-service form lacks %s:\n%s", want, page)
		}
	}
	csrf := csrfOf(t, page)
	form := url.Values{"csrf": {csrf}, "template": {"go-service"}, "name": {"orders"}, "team": {"pioneers"},
		"param.port": {"80"}, "param.go_version": {"1.26"}, "param.registry": {"ghcr.io/acme"}, "param.module": {""}}
	resp, body := b.post("/new", form)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "parameter port: must be &gt;= 1024") || !strings.Contains(body, `value="80"`) {
		t.Fatalf("a port failing the schema: %d\n%s", resp.StatusCode, body)
	}
	if _, body := b.get("/apps"); strings.Contains(body, "orders") {
		t.Fatal("a refused scaffold registered the app")
	}
	form.Set("param.port", "9090")
	resp, body = b.post("/new", form)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, "orders scaffolded") || !strings.Contains(body, "<code>score.yaml</code>") || !strings.Contains(body, "saved 8h0m0s") {
		t.Fatalf("the scaffold: %d\n%s", resp.StatusCode, body)
	}
	if _, body := b.get("/apps/orders"); !strings.Contains(body, "pioneers") {
		t.Fatalf("the app page of orders:\n%s", body)
	}
	dl := url.Values{"csrf": {csrf}, "template": {"go-service"}, "version": {"1.1.0"}, "name": {"orders"}, "team": {"pioneers"},
		"param.port": {"9090"}, "param.go_version": {"1.26"}, "param.registry": {"ghcr.io/acme"}, "param.module": {""}}
	resp, body = b.post("/new/download", dl)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("download: %d %s\n%.300s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	zr, err := zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(rc)
		rc.Close()
		files[zf.Name] = buf.String()
	}
	if !strings.Contains(files["orders/.paved/template.yaml"], "port: 9090") || !strings.Contains(files["orders/score.yaml"], "targetPort: 9090") || files["orders/.git/HEAD"] == "" {
		t.Fatalf("the .zip lacks the record, the score file or the Git repository: %d files", len(files))
	}
	// A viewer is offered no team to scaffold for and is refused.
	v := f.login(t, f.vera)
	_, page = v.get("/new?template=go-service")
	form.Set("csrf", csrfOf(t, page))
	form.Set("name", "other")
	if resp, body := v.post("/new", form); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "needs the admin role or the developer role") {
		t.Fatalf("a viewer scaffolding: %d\n%s", resp.StatusCode, body)
	}
}

// TestNewServiceIntegers: an integer parameter shows as an integer in the
// form, as its default and in the hidden fields of the download.
func TestNewServiceIntegers(t *testing.T) {
	f := newFixture(t)
	c := api.NewClient(f.s.URL, f.admin)
	tpl := &paved.Template{Name: "sized", Version: "1.0.0",
		Parameters: []byte(`{"type":"object","properties":{"size":{"type":"integer","default":1048576}}}`),
		Files:      []paved.TemplateFile{{Path: "score.yaml.tmpl", Content: "# {{.Params.size}}\n"}}}
	if _, err := c.ApplyTemplate(context.Background(), tpl); err != nil {
		t.Fatal(err)
	}
	b := f.login(t, f.dana)
	_, page := b.get("/new?template=sized")
	if want := `<input id="param.size" name="param.size" type="number" value="1048576">`; !strings.Contains(page, want) {
		t.Fatalf("the form lacks %s:\n%s", want, page)
	}
	form := url.Values{"csrf": {csrfOf(t, page)}, "template": {"sized"}, "name": {"sized"}, "team": {"pioneers"}, "param.size": {"1048576"}}
	resp, body := b.post("/new", form)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, `name="param.size" value="1048576"`) || strings.Contains(body, "e+06") {
		t.Fatalf("the scaffold: %d\n%s", resp.StatusCode, body)
	}
}
