package definition

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/scorek8s"
)

// scoreK8sDir is a .score-k8s directory as score-k8s leaves it: its default
// provisioners and its state.yaml.
const scoreK8sDir = "testdata/score-k8s"

// TestReadScoreK8sDirectory: a .score-k8s directory is read as score-k8s
// reads it, its provisioner files only; its state.yaml is left alone.
func TestReadScoreK8sDirectory(t *testing.T) {
	defs, err := ReadDir(scoreK8sDir)
	if err != nil {
		t.Fatalf("reading %s: %v", scoreK8sDir, err)
	}
	var postgres bool
	for _, d := range defs {
		if !scorek8s.IsTranslated(&d) {
			t.Errorf("definition %s does not come from a provisioner file", d.ID)
		}
		postgres = postgres || d.ID == "k8s-tpl-default-provisioners-postgres"
	}
	if !postgres {
		t.Errorf("no k8s-tpl-default-provisioners-postgres among %d definitions", len(defs))
	}
	if _, err := NewSet(withCmd(), nil, defs); err != nil {
		t.Errorf("the default provisioners do not validate: %v", err)
	}

	// Paved definitions among provisioner files are refused, not left out.
	dir := t.TempDir()
	copyFile(t, filepath.Join(scoreK8sDir, "zz-default.provisioners.yaml"), filepath.Join(dir, "zz-default.provisioners.yaml"))
	doc := "apiVersion: paved.dev/v1\nkind: ResourceDefinition\nid: pg\ntype: postgres\ndriver: echo\n"
	if err := os.WriteFile(filepath.Join(dir, "pg.yaml"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadDir(dir); err == nil || !strings.Contains(err.Error(), "pg.yaml: paved definitions in a directory of score-k8s provisioner files") {
		t.Errorf("mixed directory: err = %v", err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func prov(uri, typ string, class, id *string) scorek8s.Provisioner {
	return scorek8s.Provisioner{URI: uri, Type: typ, Class: class, ID: id, Source: "p.provisioners.yaml"}
}

func ptr(s string) *string { return &s }

// TestProvisionersRankBelowMoreSpecificDefinitions: score-k8s' default
// provisioners (no criteria) take over the builtins and paved definitions
// as specific as they are, but a paved definition whose criteria match more
// specifically wins; among provisioners the first in file order wins
// however specific a later one is.
func TestProvisionersRankBelowMoreSpecificDefinitions(t *testing.T) {
	provs, err := ReadDir(scoreK8sDir)
	if err != nil {
		t.Fatal(err)
	}
	later, _, err := scorek8s.Translate([]scorek8s.Provisioner{
		prov("template://acme/any", "thing", nil, nil),
		prov("template://acme/exact", "thing", nil, ptr("shop.db")),
	})
	if err != nil {
		t.Fatal(err)
	}
	pgDefault := "k8s-tpl-default-provisioners-postgres"
	paved1 := []paved.ResourceDefinition{
		def("pg-prod-shop", paved.Criteria{EnvType: "production", App: "shop"}),
		def("pg-everywhere"),
		{ID: "thing-paved", Type: "thing", Driver: "echo", Criteria: []paved.Criteria{{EnvType: "staging"}}},
	}
	s, err := NewSet(withCmd(), []paved.ResourceDefinition{def("default-postgres")}, append(append(paved1, provs...), later...))
	if err != nil {
		t.Fatal(err)
	}
	ctx := func(app, env string, et paved.EnvType) paved.DeployContext {
		return paved.DeployContext{App: app, Env: env, EnvType: et}
	}
	tests := []struct {
		name string
		want Want
		id   string
	}{
		{"a more specific paved definition beats the default provisioner", Want{Type: "postgres", ResID: "shop.db", Context: ctx("shop", "prod", "production")}, "pg-prod-shop"},
		{"elsewhere the provisioner beats a paved definition without criteria", Want{Type: "postgres", ResID: "shop.db", Context: ctx("shop", "dev", "development")}, pgDefault},
		{"the provisioner beats the builtin", Want{Type: "postgres", ResID: "blog.db", Context: ctx("blog", "prod", "production")}, pgDefault},
		{"first match among provisioners, not the most specific", Want{Type: "thing", ResID: "shop.db", Context: ctx("shop", "dev", "development")}, "k8s-tpl-acme-any"},
		{"a paved env_type beats a provisioner without criteria", Want{Type: "thing", ResID: "shop.db", Context: ctx("shop", "stg", "staging")}, "thing-paved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Match(tt.want)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != tt.id {
				t.Errorf("got %s, want %s", got.ID, tt.id)
			}
		})
	}

	// apply names what the provisioners shadow: the paved definition
	// without criteria, not the more specific one.
	got := Shadows(provs, paved1)
	if len(got) != 1 || got[0].Definition != "pg-everywhere" || got[0].Provisioner != pgDefault {
		t.Errorf("shadows = %+v, want only pg-everywhere by %s", got, pgDefault)
	}
}

// TestTranslateTogetherKeepsFileOrder: provisioners of two files read in
// one go keep the first match across the files; a uri used twice keeps the
// first, with a warning; uris that sanitise alike get distinct ids.
func TestTranslateTogetherKeepsFileOrder(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.provisioners.yaml")
	b := filepath.Join(dir, "b.provisioners.yaml")
	write := func(path, body string) {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(a, "- uri: template://acme/a\n  type: thing\n  outputs: 'x: a'\n- uri: template://acme/x.y\n  type: other\n")
	write(b, "- uri: template://acme/b\n  type: thing\n  outputs: 'x: b'\n- uri: template://acme/a\n  type: thing\n- uri: template://acme/x/y\n  type: other\n")
	f, err := Read(b, a) // b first, as given
	if err != nil {
		t.Fatal(err)
	}
	defs, warnings, err := f.All()
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSet(drivers(), nil, defs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Match(Want{Type: "thing", Context: paved.DeployContext{App: "shop", Env: "dev", EnvType: "development"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "k8s-tpl-acme-b" {
		t.Errorf("match = %s, want k8s-tpl-acme-b (the first file given)", got.ID)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "template://acme/a: the uri is used again") {
		t.Errorf("warnings = %q", warnings)
	}
	ids := map[string]string{}
	for _, d := range defs {
		if prev, ok := ids[d.ID]; ok {
			t.Errorf("id %s for both %s and %s", d.ID, prev, d.Metadata[scorek8s.URIKey])
		}
		ids[d.ID] = d.Metadata[scorek8s.URIKey]
	}
	if len(defs) != 4 {
		t.Errorf("%d definitions, want 4", len(defs))
	}
}

// TestStaleProvisioners: a provisioner a re-applied file no longer holds is
// stale; those of other files and paved definitions are not.
func TestStaleProvisioners(t *testing.T) {
	mk := func(uris ...string) []paved.ResourceDefinition {
		var ps []scorek8s.Provisioner
		for _, u := range uris {
			ps = append(ps, prov(u, "thing", nil, nil))
		}
		d, _, err := scorek8s.Translate(ps)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	stored := mk("template://acme/a", "template://acme/b")
	other := mk("template://acme/c")
	other[0].Inputs["source"] = "other.provisioners.yaml"
	stored = append(stored, other...)
	stored = append(stored, def("paved-one"))
	got := Stale(mk("template://acme/a"), stored)
	if len(got) != 1 || got[0].ID != "k8s-tpl-acme-b" {
		t.Errorf("stale = %v, want only k8s-tpl-acme-b", got)
	}
}

// TestDefaultProvisionersSecretOutputs: score-k8s' default provisioners
// return some secrets in clear (amqp's password, mongodb's connection
// string); the translation declares them secret with those returned as
// secret references, and leaves the rest plain.
func TestDefaultProvisionersSecretOutputs(t *testing.T) {
	defs, err := ReadDir(scoreK8sDir)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*paved.ResourceDefinition{}
	for i := range defs {
		byID[defs[i].ID] = &defs[i]
	}
	tests := []struct {
		id             string
		secret, public []string
	}{
		{"k8s-tpl-default-provisioners-rabbitmq", []string{"password"}, []string{"host", "port", "vhost", "username"}},
		{"k8s-tpl-default-provisioners-mongo", []string{"password", "connection"}, []string{"host", "port", "username"}},
		{"k8s-tpl-default-provisioners-mssql", []string{"password", "connection"}, []string{"server", "port", "database", "username"}},
		{"k8s-tpl-default-provisioners-postgres", []string{"password"}, []string{"host", "port", "name", "database", "username"}},
		{"k8s-tpl-default-provisioners-s3", []string{"secret_key", "aws_secret_key"}, []string{"bucket", "access_key_id", "endpoint", "region"}},
	}
	for _, tt := range tests {
		d := byID[tt.id]
		if d == nil {
			t.Errorf("no definition %s", tt.id)
			continue
		}
		for _, n := range tt.secret {
			if o, ok := d.Output(n); !ok || !o.Secret {
				t.Errorf("%s: output %s is not declared secret", tt.id, n)
			}
		}
		for _, n := range tt.public {
			if o, _ := d.Output(n); o.Secret {
				t.Errorf("%s: output %s is declared secret", tt.id, n)
			}
		}
	}
}
