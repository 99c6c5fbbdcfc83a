package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"paved.dev/paved"
)

// testReseal: every kind of sealed value is listed, page by page in key
// order, only where there is one; a rewrite lands only over what was read
// (compare and swap) and changes nothing else, a finished deployment's
// objects included.
func testReseal(t *testing.T, s paved.Store) {
	ctx := context.Background()
	seed(t, s)
	for i := range 3 {
		uid := paved.ResourceUID(fmt.Sprintf("postgres.default#db%d", i))
		must(t, s.PutResource(ctx, &paved.StoredResource{App: "shop", Env: "dev", UID: uid, DefinitionID: "pg", Driver: "echo", Sealed: []byte{1, byte(i)}, UpdatedAt: at(i)}))
	}
	must(t, s.PutResource(ctx, &paved.StoredResource{App: "shop", Env: "dev", UID: "dns.default#none", DefinitionID: "dns", Driver: "echo", UpdatedAt: at(4)}))
	must(t, s.PutTarget(ctx, &paved.TargetInfo{Name: "eu", Type: paved.TargetKubernetes, Sealed: []byte("kc"), CreatedAt: at(1)}))
	must(t, s.PutTarget(ctx, &paved.TargetInfo{Name: "here", Type: paved.TargetKubernetes, InCluster: true, CreatedAt: at(1)}))
	for _, in := range []string{"paved-sealed:v1", "paved-sealed:v2"} {
		_, err := s.PutDefinition(ctx, &paved.ResourceDefinition{ID: "redis", Type: "redis", Driver: "echo", Inputs: map[string]any{"secrets": in}})
		must(t, err)
	}
	must(t, s.CreateDeployment(ctx, &paved.Deployment{ID: "d1", App: "shop", Env: "dev", Author: "ana", Status: paved.DeploymentSucceeded,
		DeploymentResult: paved.DeploymentResult{Objects: []paved.Object{{"kind": "Secret", "stringData": map[string]any{"p": "paved-sealed:x"}}}}}))
	must(t, s.CreateDeployment(ctx, &paved.Deployment{ID: "d2", App: "shop", Env: "dev", Author: "ana", Status: paved.DeploymentQueued}))

	all := func(kind paved.SealedKind) []paved.SealedRow {
		t.Helper()
		var out []paved.SealedRow
		var after []string
		for range 10 {
			rows, err := s.SealedRows(ctx, kind, after, 1)
			must(t, err)
			if len(rows) == 0 {
				return out
			}
			out = append(out, rows...)
			after = rows[0].Key
		}
		t.Fatalf("%s: paging does not end", kind)
		return nil
	}
	keys := func(rows []paved.SealedRow) []string {
		var k []string
		for _, r := range rows {
			k = append(k, fmt.Sprint(r.Key))
		}
		return k
	}
	for _, c := range []struct {
		kind paved.SealedKind
		want []string
	}{
		{paved.SealedResources, []string{"[shop dev postgres.default#db0]", "[shop dev postgres.default#db1]", "[shop dev postgres.default#db2]"}},
		{paved.SealedTargets, []string{"[eu]"}},
		{paved.SealedDefinitions, []string{"[redis 1]", "[redis 2]"}},
		{paved.SealedDeployments, []string{"[d1]"}},
	} {
		if got := keys(all(c.kind)); !slices.Equal(got, c.want) {
			t.Errorf("%s: rows %v, want %v", c.kind, got, c.want)
		}
	}
	if _, err := s.SealedRows(ctx, "tokens", nil, 1); paved.ErrorCode(err) != paved.EINVALID {
		t.Errorf("an unknown kind: %v", err)
	}

	// Compare and swap, on each kind.
	res := all(paved.SealedResources)[1]
	wantError(t, s.Reseal(ctx, paved.SealedRow{Kind: res.Kind, Key: res.Key, Data: []byte{2}}, []byte{9}), paved.ECONFLICT, "changed or gone")
	must(t, s.Reseal(ctx, paved.SealedRow{Kind: res.Kind, Key: res.Key, Data: []byte{2, 1}}, res.Data))
	got, err := s.ListResources(ctx, paved.ResourceFilter{App: "shop", Env: "dev"})
	must(t, err)
	for _, r := range got {
		if r.UID == "postgres.default#db1" && (!slices.Equal(r.Sealed, []byte{2, 1}) || r.Driver != "echo" || !r.UpdatedAt.Equal(at(1))) {
			t.Errorf("resealed resource: %+v", r)
		}
	}
	must(t, s.Reseal(ctx, paved.SealedRow{Kind: paved.SealedTargets, Key: []string{"eu"}, Data: []byte("kc2")}, []byte("kc")))
	if ti, err := s.GetTarget(ctx, "eu"); err != nil || string(ti.Sealed) != "kc2" || !ti.CreatedAt.Equal(at(1)) {
		t.Errorf("resealed target: %+v, %v", ti, err)
	}
	def := all(paved.SealedDefinitions)[0]
	var body map[string]any
	must(t, json.Unmarshal(def.Data, &body))
	body["driver_inputs"] = map[string]any{"secrets": "paved-sealed:v1-new"}
	nb, _ := json.Marshal(body)
	wantError(t, s.Reseal(ctx, paved.SealedRow{Kind: def.Kind, Key: def.Key, Data: nb}, []byte(`{"id":"redis"}`)), paved.ECONFLICT, "changed or gone")
	must(t, s.Reseal(ctx, paved.SealedRow{Kind: def.Kind, Key: def.Key, Data: nb}, def.Data))
	if d, err := s.GetDefinition(ctx, "redis", 1); err != nil || d.Inputs["secrets"] != "paved-sealed:v1-new" || d.Version != 1 {
		t.Errorf("resealed definition: %+v, %v", d, err)
	}
	if d, err := s.GetDefinition(ctx, "redis", 2); err != nil || d.Inputs["secrets"] != "paved-sealed:v2" {
		t.Errorf("the other version: %+v, %v", d, err)
	}
	dep := all(paved.SealedDeployments)[0]
	nobj := []byte(`[{"kind":"Secret","stringData":{"p":"paved-sealed:y"}}]`)
	must(t, s.Reseal(ctx, paved.SealedRow{Kind: dep.Kind, Key: dep.Key, Data: nobj}, dep.Data))
	d1, err := s.GetDeployment(ctx, "d1")
	must(t, err)
	if len(d1.Objects) != 1 || fmt.Sprint(d1.Objects[0]["stringData"]) != "map[p:paved-sealed:y]" || d1.Status != paved.DeploymentSucceeded || d1.Author != "ana" {
		t.Errorf("resealed deployment: %+v", d1)
	}
	// The old value is gone: the same rewrite again is a conflict.
	wantError(t, s.Reseal(ctx, paved.SealedRow{Kind: dep.Kind, Key: dep.Key, Data: nobj}, dep.Data), paved.ECONFLICT, "changed or gone")
	wantError(t, s.Reseal(ctx, paved.SealedRow{Kind: paved.SealedDeployments, Key: []string{"missing"}, Data: nobj}, dep.Data), paved.ECONFLICT, "changed or gone")
	wantError(t, s.Reseal(ctx, paved.SealedRow{Kind: paved.SealedDefinitions, Key: []string{"redis", "one"}, Data: nb}, def.Data), paved.EINVALID, "integer")
}
