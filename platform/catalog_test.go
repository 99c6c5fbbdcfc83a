package platform

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"paved.dev/paved"
)

// backstageSchemas compiles the entity schemas of @backstage/catalog-model
// vendored in testdata (README.md there says which version), by kind.
func backstageSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	const base = "https://backstage.io/schema/"
	files, _ := filepath.Glob("testdata/backstage-catalog-model/*.json")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var id struct {
			ID string `json:"$id"`
		}
		must(t, json.Unmarshal(b, &id))
		must(t, c.AddResource(base+id.ID, bytes.NewReader(b)))
	}
	out := map[string]*jsonschema.Schema{}
	for _, kind := range []string{"Group", "System", "Component", "Resource", "Location"} {
		s, err := c.Compile(base + kind + "V1alpha1")
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		out[kind] = s
	}
	return out
}

// TestCatalogExport: after a deployment, the catalog has a Group per team,
// a System per app, a Component per workload depending on the Resources it
// declares, and each entity is valid by Backstage's own schema.
func TestCatalogExport(t *testing.T) {
	schemas := backstageSchemas(t)
	f := newFixture(t)
	f.deployAndWait(t, f.dev, "dev", shopSpecs())
	es, err := f.p.Catalog(f.other)
	must(t, err)
	byRef := map[string]paved.CatalogEntity{}
	var kinds []string
	for _, e := range es {
		b, _ := json.Marshal(e)
		var v any
		must(t, json.Unmarshal(b, &v))
		if err := schemas[e.Kind].Validate(v); err != nil {
			t.Errorf("%s is not a valid Backstage %s: %v\n%s", e.Ref(), e.Kind, err, b)
		}
		byRef[e.Ref()] = e
		kinds = append(kinds, e.Kind)
	}
	for _, ref := range []string{"group:default/pioneers", "group:default/others", "system:default/shop", "component:default/shop-web", "component:default/shop-api"} {
		if _, ok := byRef[ref]; !ok {
			t.Errorf("no %s among %d entities", ref, len(es))
		}
	}
	if !slices.IsSortedFunc(kinds, func(a, b string) int {
		o := map[string]int{"Group": 0, "System": 1, "Component": 2, "Resource": 3}
		return o[a] - o[b]
	}) {
		t.Errorf("entities not by kind: %v", kinds)
	}
	if got := byRef["system:default/shop"].Spec["owner"]; got != "group:default/pioneers" {
		t.Errorf("the system's owner %v", got)
	}
	api := byRef["component:default/shop-api"]
	deps, _ := api.Spec["dependsOn"].([]any)
	var postgres bool
	for _, d := range deps {
		r, ok := byRef[d.(string)]
		if !ok {
			t.Errorf("shop-api depends on %s, which is not exported", d)
			continue
		}
		if r.Spec["owner"] != "group:default/pioneers" || r.Spec["system"] != "shop" {
			t.Errorf("resource %s: owner %v, system %v", r.Ref(), r.Spec["owner"], r.Spec["system"])
		}
		postgres = postgres || r.Spec["type"] == "postgres"
	}
	if !postgres || api.Spec["owner"] != "group:default/pioneers" || api.Spec["system"] != "shop" {
		t.Errorf("shop-api: %+v", api.Spec)
	}
	// The schemas do refuse: a Component without an owner.
	var noOwner any
	must(t, json.Unmarshal([]byte(`{"apiVersion":"backstage.io/v1alpha1","kind":"Component","metadata":{"name":"x"},"spec":{"type":"service","lifecycle":"experimental"}}`), &noOwner))
	if err := schemas["Component"].Validate(noOwner); err == nil {
		t.Error("the Component schema accepts a Component without an owner")
	}

	// The same export twice is the same (deterministic).
	again, err := f.p.Catalog(f.dev)
	must(t, err)
	a, _ := json.Marshal(es)
	b, _ := json.Marshal(again)
	if !bytes.Equal(a, b) {
		t.Error("two exports differ")
	}

	// Names Backstage refuses are made valid.
	for in, want := range map[string]string{"shop": "shop", "shop-dev-postgres.default#api.db": "shop-dev-postgres.default-api.db",
		"-x-": "x", strings.Repeat("a", 70): strings.Repeat("a", 54) + "-"} {
		if got := catalogName(in); !strings.HasPrefix(got, want) || len(got) > 63 {
			t.Errorf("catalogName(%q) = %q, want %q...", in, got, want)
		}
	}
}
