package storetest

import (
	"context"
	"testing"
	"time"

	"paved.dev/paved"
)

// signOff is role's sign-off of app by by at signed, approving digests
// named after the role.
func signOff(app string, role paved.Role, by string, signed time.Time) *paved.SignOff {
	return &paved.SignOff{App: app, Role: role, By: by, At: signed,
		Policies: "sha256:policies-" + string(role), Types: "sha256:types-" + app}
}

// signOffs dereferences its arguments, for comparing with a list.
func signOffs(ss ...*paved.SignOff) []paved.SignOff {
	out := []paved.SignOff{}
	for _, s := range ss {
		out = append(out, *s)
	}
	return out
}

func testSignOffs(t *testing.T, s paved.Store) {
	ctx := context.Background()
	// None yet: an empty list, not an error, for an app that exists or not.
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "core"}))
	must(t, s.CreateApp(ctx, &paved.App{Name: "shop", Team: "core"}))
	for _, app := range []string{"shop", "nope"} {
		got, err := s.ListSignOffs(ctx, app)
		must(t, err)
		if got == nil || len(got) != 0 {
			t.Fatalf("ListSignOffs(%s) with none = %#v, want an empty list", app, got)
		}
	}

	// Put out of role order; listed by role. Sign-offs name their app
	// without referencing it: cart need not exist.
	sec := signOff("shop", paved.RoleSecurity, "sam", at(1))
	fin := signOff("shop", paved.RoleFinance, "fay", at(2))
	data := signOff("shop", paved.RoleData, "dan", at(3))
	cart := signOff("cart", paved.RoleSecurity, "sam", at(4))
	for _, so := range []*paved.SignOff{sec, fin, data, cart} {
		must(t, s.PutSignOff(ctx, so))
	}
	got, err := s.ListSignOffs(ctx, "shop")
	must(t, err)
	sameJSON(t, "ListSignOffs(shop)", got, signOffs(data, fin, sec))
	for _, g := range got {
		if g.Valid || g.Invalid != "" {
			t.Fatalf("a stored sign-off came back with Valid %v, Invalid %q; they are computed, not stored", g.Valid, g.Invalid)
		}
	}

	// A second sign-off of a role replaces the first, whole; the other
	// roles and the other app's are untouched. Valid and Invalid are not
	// stored.
	sec2 := signOff("shop", paved.RoleSecurity, "sue", at(10))
	sec2.Policies, sec2.Types = "sha256:policies-v2", "sha256:types-v2"
	sec2.Valid, sec2.Invalid = true, "ignored"
	must(t, s.PutSignOff(ctx, sec2))
	stored := *sec2
	stored.Valid, stored.Invalid = false, ""
	got, err = s.ListSignOffs(ctx, "shop")
	must(t, err)
	sameJSON(t, "ListSignOffs(shop) after a second security sign-off", got, signOffs(data, fin, &stored))
	got, err = s.ListSignOffs(ctx, "cart")
	must(t, err)
	sameJSON(t, "ListSignOffs(cart)", got, signOffs(cart))

	// What a sign-off needs, it has; a refused one changes nothing.
	for _, tc := range []struct {
		change func(so *paved.SignOff)
		want   string
	}{
		{func(so *paved.SignOff) { so.App = "" }, "sign-off: app is required"},
		{func(so *paved.SignOff) { so.Role = "" }, "sign-off: role is required"},
		{func(so *paved.SignOff) { so.By = "" }, "sign-off: by is required"},
		{func(so *paved.SignOff) { so.By = "sam\x00" }, "sign-off: by contains a NUL character"},
		{func(so *paved.SignOff) { so.Policies = "\xff" }, "sign-off: policies_digest is not valid UTF-8"},
	} {
		so := signOff("shop", paved.RoleSecurity, "eve", at(20))
		tc.change(so)
		wantError(t, s.PutSignOff(ctx, so), paved.EINVALID, tc.want)
	}
	got, err = s.ListSignOffs(ctx, "shop")
	must(t, err)
	sameJSON(t, "ListSignOffs(shop) after refused sign-offs", got, signOffs(data, fin, &stored))
}

func testSignOffTimes(t *testing.T, s paved.Store) {
	ctx := context.Background()
	zone := time.FixedZone("UTC-3:30", -(3*3600 + 1800))
	so := signOff("shop", paved.RoleSecurity, "sam", time.Date(2026, 3, 1, 8, 30, 0, 987654321, zone))
	must(t, s.PutSignOff(ctx, so))
	// The caller's struct holds what the store keeps: UTC, microseconds.
	want := time.Date(2026, 3, 1, 12, 0, 0, 987654000, time.UTC)
	if so.At != want {
		t.Fatalf("At after PutSignOff = %v, want %v (UTC, to the microsecond)", so.At, want)
	}
	got, err := s.ListSignOffs(ctx, "shop")
	must(t, err)
	if len(got) != 1 || got[0].At != want {
		t.Fatalf("ListSignOffs = %+v, want one signed at %v (UTC, to the microsecond)", got, want)
	}

	// The replacing sign-off's time is the one kept.
	again := signOff("shop", paved.RoleSecurity, "sam", time.Date(2026, 3, 2, 1, 0, 0, 5001, time.FixedZone("UTC+1", 3600)))
	must(t, s.PutSignOff(ctx, again))
	want = time.Date(2026, 3, 2, 0, 0, 0, 5000, time.UTC)
	got, err = s.ListSignOffs(ctx, "shop")
	must(t, err)
	if len(got) != 1 || got[0].At != want {
		t.Fatalf("ListSignOffs after a second put = %+v, want one signed at %v", got, want)
	}

	// A zero time is now.
	before := time.Now().Add(-time.Second)
	now := signOff("shop", paved.RoleData, "dan", time.Time{})
	must(t, s.PutSignOff(ctx, now))
	if now.At.Before(before) || now.At.Location() != time.UTC {
		t.Fatalf("At of a sign-off put with none = %v, want now in UTC", now.At)
	}
	got, err = s.ListSignOffs(ctx, "shop")
	must(t, err)
	if len(got) != 2 || got[0].Role != paved.RoleData || got[0].At != now.At {
		t.Fatalf("ListSignOffs = %+v, want data's signed at %v first", got, now.At)
	}
}
