package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"paved.dev/paved"
)

func testTargets(t *testing.T, s paved.Store) {
	ctx := context.Background()
	ts := s

	prod := &paved.TargetInfo{
		Name: "prod", Type: paved.TargetKubernetes, Context: "prod-admin", Server: "https://10.0.0.1:6443",
		// 0x00 bytes and invalid UTF-8: sealed credentials are opaque.
		Sealed:    []byte{0, 0xde, 0xad, 0xbe, 0xef, 0, 0xff},
		CreatedAt: time.Date(2026, 3, 1, 13, 0, 0, 123456789, time.FixedZone("CET", 3600)),
	}
	must(t, ts.PutTarget(ctx, prod))
	// 13:00 CET with nanoseconds is kept as at(0): UTC, microseconds.
	if !prod.CreatedAt.Equal(at(0)) || prod.CreatedAt.Location() != time.UTC {
		t.Fatalf("CreatedAt after PutTarget = %v, want %v", prod.CreatedAt, at(0))
	}
	got, err := ts.GetTarget(ctx, "prod")
	must(t, err)
	sameJSON(t, "GetTarget", got, prod)
	if !bytes.Equal(got.Sealed, prod.Sealed) {
		t.Fatalf("Sealed = %x, want %x kept as opaque bytes", got.Sealed, prod.Sealed)
	}

	// The kubeconfig is the caller's to seal: the store never keeps it.
	before := time.Now().Add(-time.Second)
	local := &paved.TargetInfo{Name: "local", Type: paved.TargetKubernetes, InCluster: true, Kubeconfig: "apiVersion: v1"}
	must(t, ts.PutTarget(ctx, local))
	if local.CreatedAt.Before(before) || local.CreatedAt.Location() != time.UTC {
		t.Fatalf("CreatedAt = %v, want now in UTC", local.CreatedAt)
	}
	got, err = ts.GetTarget(ctx, "local")
	must(t, err)
	if got.Kubeconfig != "" {
		t.Fatalf("GetTarget returned Kubeconfig %q: it must never be stored", got.Kubeconfig)
	}
	if got.Sealed != nil {
		t.Fatalf("Sealed of a target without credentials = %x, want nil", got.Sealed)
	}
	local.Kubeconfig = ""
	sameJSON(t, "GetTarget in-cluster", got, local)

	wantError(t, ts.PutTarget(ctx, &paved.TargetInfo{Name: "prod", Type: paved.TargetKubernetes}),
		paved.ECONFLICT, `target "prod" already exists`)
	wantError(t, ts.PutTarget(ctx, &paved.TargetInfo{Type: paved.TargetKubernetes}), paved.EINVALID, "name is required")
	_, err = ts.GetTarget(ctx, "staging")
	wantError(t, err, paved.ENOTFOUND, `target "staging" not found`)

	// The duplicate changed nothing.
	got, err = ts.GetTarget(ctx, "prod")
	must(t, err)
	sameJSON(t, "GetTarget after a duplicate put", got, prod)
	if !bytes.Equal(got.Sealed, prod.Sealed) {
		t.Fatalf("Sealed after a duplicate put = %x, want %x", got.Sealed, prod.Sealed)
	}
}

func testListTargets(t *testing.T, s paved.Store) {
	ctx := context.Background()
	ts := s
	list, err := ts.ListTargets(ctx)
	must(t, err)
	if len(list) != 0 {
		t.Fatalf("ListTargets of an empty store = %v", list)
	}
	// Names sort bytewise in every store, whatever the database's locale.
	for i, name := range []string{"prod", "a_b", "Zeta", "a-b", "été"} {
		must(t, ts.PutTarget(ctx, &paved.TargetInfo{Name: name, Type: paved.TargetKubernetes,
			Sealed: []byte(name), CreatedAt: at(i)}))
	}
	list, err = ts.ListTargets(ctx)
	must(t, err)
	var names []string
	for _, tg := range list {
		names = append(names, tg.Name)
		if !bytes.Equal(tg.Sealed, []byte(tg.Name)) {
			t.Fatalf("ListTargets: %s has Sealed %q, want %q", tg.Name, tg.Sealed, tg.Name)
		}
	}
	sameJSON(t, "ListTargets names", names, []string{"Zeta", "a-b", "a_b", "prod", "été"})
	sameJSON(t, "ListTargets first", list[0], paved.TargetInfo{Name: "Zeta", Type: paved.TargetKubernetes, CreatedAt: at(2)})
}

func testDeleteTarget(t *testing.T, s paved.Store) {
	ctx := context.Background()
	ts := s
	for _, name := range []string{"prod", "staging"} {
		must(t, ts.PutTarget(ctx, &paved.TargetInfo{Name: name, Type: paved.TargetKubernetes, Sealed: []byte("k")}))
	}
	must(t, ts.DeleteTarget(ctx, "prod"))
	wantError(t, ts.DeleteTarget(ctx, "prod"), paved.ENOTFOUND, `target "prod" not found`)
	wantError(t, ts.DeleteTarget(ctx, "qa"), paved.ENOTFOUND, `target "qa" not found`)
	_, err := ts.GetTarget(ctx, "prod")
	wantError(t, err, paved.ENOTFOUND, `target "prod" not found`)
	list, err := ts.ListTargets(ctx)
	must(t, err)
	if len(list) != 1 || list[0].Name != "staging" {
		t.Fatalf("ListTargets after delete = %+v, want staging only", list)
	}
	// The name is free again.
	must(t, ts.PutTarget(ctx, &paved.TargetInfo{Name: "prod", Type: paved.TargetKubernetes}))
}
