package record

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

func TestRequired(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fields []string
		want   string // "" for no error
	}{
		{"all set", []string{"app", "shop", "env", "dev"}, ""},
		{"first empty", []string{"app", "", "env", ""}, "deployment: app is required"},
		{"second empty", []string{"app", "shop", "env", ""}, "deployment: env is required"},
		{"no fields", nil, ""},
		{"odd pair ignored", []string{"app", "shop", "env"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := Required("deployment", tc.fields...)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Required = %v, want nil", err)
				}
				return
			}
			if got := errString(err); got != tc.want {
				t.Errorf("Required = %q, want %q", got, tc.want)
			}
			if got := paved.ErrorCode(err); got != paved.EINVALID {
				t.Errorf("code = %q, want %q", got, paved.EINVALID)
			}
		})
	}
}

func TestNewID(t *testing.T) {
	t.Parallel()
	a, b := NewID(), NewID()
	if len(a) != 24 {
		t.Errorf("len(NewID()) = %d, want 24", len(a))
	}
	if _, err := hex.DecodeString(a); err != nil {
		t.Errorf("NewID() = %q, not hex: %v", a, err)
	}
	if a == b {
		t.Errorf("NewID() twice = %q", a)
	}
}

func TestStamp(t *testing.T) {
	t.Parallel()
	paris := time.FixedZone("Paris", 2*60*60)
	fine := time.Date(2025, 3, 1, 12, 30, 0, 123456789, paris)
	want := time.Date(2025, 3, 1, 10, 30, 0, 123456000, time.UTC)
	tests := []struct {
		name string
		in   time.Time
		want time.Time // zero: now
	}{
		{"zero becomes now", time.Time{}, time.Time{}},
		{"UTC microseconds", fine, want},
		{"already kept", want, want},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			before := time.Now().Add(-time.Second)
			got := tc.in
			Stamp(&got)
			if got.Location() != time.UTC || got.Nanosecond()%1000 != 0 {
				t.Errorf("Stamp = %v, want UTC microseconds", got)
			}
			if tc.want.IsZero() {
				if got.Before(before) || got.After(time.Now()) {
					t.Errorf("Stamp(zero) = %v, want now", got)
				}
				return
			}
			if !got.Equal(tc.want) || got != tc.want {
				t.Errorf("Stamp = %v, want %v", got, tc.want)
			}
			if p := StampPtr(&tc.in); *p != tc.want {
				t.Errorf("StampPtr = %v, want %v", *p, tc.want)
			}
		})
	}
	if got := StampPtr(nil); got != nil {
		t.Errorf("StampPtr(nil) = %v, want nil", got)
	}
}

func TestEncode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   any
		want string
		code string
	}{
		{"map", map[string]int{"b": 2, "a": 1}, `{"a":1,"b":2}`, ""},
		{"nil slice", []string(nil), "null", ""},
		{"NaN", math.NaN(), "", paved.EINVALID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Encode(tc.in)
			if code := paved.ErrorCode(err); err != nil && code != tc.code || err == nil && tc.code != "" {
				t.Fatalf("Encode error = %v (code %q), want code %q", err, code, tc.code)
			}
			if got != tc.want {
				t.Errorf("Encode = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		data    string
		want    []string
		wantErr string
	}{
		{"empty leaves v alone", "", []string{"kept"}, ""},
		{"null leaves v alone", "null", []string{"kept"}, ""},
		{"list", `["a","b"]`, []string{"a", "b"}, ""},
		{"bad", `["a"`, []string{"kept"}, "decode user teams: unexpected end of JSON input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Text (SQLite) and bytes (PostgreSQL) decode alike.
			for _, decode := range []func(*[]string) error{
				func(v *[]string) error { return Decode(tc.data, v, "user teams") },
				func(v *[]string) error { return Decode([]byte(tc.data), v, "user teams") },
			} {
				got := []string{"kept"}
				err := decode(&got)
				if errString(err) != tc.wantErr {
					t.Errorf("Decode error = %v, want %q", err, tc.wantErr)
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("Decode = %q, want %q", got, tc.want)
				}
			}
		})
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		code string
		want string
	}{
		{Exists("app", "shop"), paved.ECONFLICT, `app "shop" already exists`},
		{Exists("environment", EnvironmentKey("shop", "dev")), paved.ECONFLICT, `environment "shop/dev" already exists`},
		{NotFound("deployment", "d1"), paved.ENOTFOUND, `deployment "d1" not found`},
		{TokenHashExists(), paved.ECONFLICT, "a token with this hash already exists"},
		{TokenNotFound(), paved.ENOTFOUND, "token not found"},
		{NoSuccessfulDeployment("e-1"), paved.ENOTFOUND, "environment e-1 has no successful deployment"},
		{ResourceNotFound(paved.ResourceKey{App: "shop", Env: "dev", UID: "postgres.default#shop.db", Definition: "pg", Driver: "postgres"}), paved.ENOTFOUND, `resource "postgres.default#shop.db" of definition pg (driver postgres) not found in shop/dev`},
		{EnvironmentInUse("shop", "dev", 2), paved.ECONFLICT, `environment "shop/dev" still has 2 resource(s): deprovision them first`},
		{TeamInUse("core", []string{"shop"}, 1), paved.ECONFLICT, `team "core" still owns 1 app(s): shop; move each to another team (paved app update APP --team OTHER) or delete it (paved app delete APP) first`},
		{TeamInUse("core", []string{"a", "b", "c"}, 5), paved.ECONFLICT, `team "core" still owns 5 app(s): a, b, c and 2 more; move each to another team (paved app update APP --team OTHER) or delete it (paved app delete APP) first`},
		{AppInUse("shop", []string{"dev", "pr-1"}, 2), paved.ECONFLICT, `app "shop" still has 2 environment(s): dev, pr-1; delete them first (paved env delete ENV --app shop)`},
		{NoTeam("nope"), paved.EINVALID, `team: no team "nope"`},
		{NoPriceList(), paved.ENOTFOUND, "no price list: finance applies one with paved prices apply -f prices.yaml"},
		{NoWaiver("w-1"), paved.ENOTFOUND, "no waiver w-1"},
		{WaiverDecided("w-1", paved.WaiverRejected), paved.ECONFLICT, "waiver w-1 is already rejected"},
	}
	for _, tc := range tests {
		if got := errString(tc.err); got != tc.want {
			t.Errorf("error = %q, want %q", got, tc.want)
		}
		if got := paved.ErrorCode(tc.err); got != tc.code {
			t.Errorf("%q: code = %q, want %q", tc.want, got, tc.code)
		}
	}
}

func TestPrepareDeployment(t *testing.T) {
	t.Parallel()
	commit := time.Date(2025, 3, 1, 12, 0, 0, 999, time.UTC)
	tests := []struct {
		name    string
		in      paved.Deployment
		wantErr string
		check   func(t *testing.T, d paved.Deployment, e Deployment)
	}{
		{name: "no app", in: paved.Deployment{Env: "dev"}, wantErr: "deployment: app is required"},
		{name: "no env", in: paved.Deployment{App: "shop"}, wantErr: "deployment: env is required"},
		{name: "defaults", in: paved.Deployment{App: "shop", Env: "dev", CommitTime: &commit},
			check: func(t *testing.T, d paved.Deployment, e Deployment) {
				if len(d.ID) != 24 || d.Status != paved.DeploymentQueued || d.CreatedAt.IsZero() {
					t.Errorf("ID, status, created = %q, %q, %v; want an ID, queued, now", d.ID, d.Status, d.CreatedAt)
				}
				if d.CommitTime.Nanosecond() != 0 {
					t.Errorf("CommitTime = %v, want microseconds", d.CommitTime)
				}
				if e != (Deployment{Specs: "null", Plan: "null", Objects: "null", Inventory: "null"}) {
					t.Errorf("columns = %+v, want null JSON", e)
				}
			}},
		{name: "kept", in: paved.Deployment{ID: "d1", App: "shop", Env: "dev", Status: paved.DeploymentRunning},
			check: func(t *testing.T, d paved.Deployment, e Deployment) {
				if d.ID != "d1" || d.Status != paved.DeploymentRunning {
					t.Errorf("ID, status = %q, %q; want d1, running", d.ID, d.Status)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := tc.in
			e, err := PrepareDeployment(&d)
			if errString(err) != tc.wantErr {
				t.Fatalf("PrepareDeployment error = %v, want %q", err, tc.wantErr)
			}
			if tc.check != nil {
				tc.check(t, d, e)
			}
		})
	}
	if err := CheckFinish(paved.DeploymentRunning); errString(err) != `deployment: a deployment finishes as succeeded or failed, not "running"` {
		t.Errorf("CheckFinish(running) = %v", err)
	}
}

func TestPrepareToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      paved.Token
		wantErr string
	}{
		{"no user", paved.Token{Hash: []byte{1}}, "token: user is required"},
		{"no hash", paved.Token{User: "ann"}, "token: hash is required"},
		{"ok", paved.Token{User: "ann", Hash: []byte{1}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok := tc.in
			err := PrepareToken(&tok)
			if errString(err) != tc.wantErr {
				t.Fatalf("PrepareToken error = %v, want %q", err, tc.wantErr)
			}
			if err == nil && (tok.ID == "" || tok.CreatedAt.IsZero()) {
				t.Errorf("PrepareToken left ID %q, CreatedAt %v", tok.ID, tok.CreatedAt)
			}
		})
	}
}

func TestDefinitionRoundTrip(t *testing.T) {
	t.Parallel()
	d := &paved.ResourceDefinition{ID: "pg", Type: "postgres", Driver: "cmd", Version: 7}
	if err := PrepareDefinition(&paved.ResourceDefinition{ID: "pg", Type: "postgres"}); errString(err) != "definition: driver is required" {
		t.Errorf("PrepareDefinition without driver = %v", err)
	}
	body, err := EncodeDefinition(d, 3)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != 7 {
		t.Errorf("EncodeDefinition changed d.Version to %d", d.Version)
	}
	got, err := DecodeDefinition([]byte(body), 4)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "pg" || got.Driver != "cmd" || got.Version != 4 {
		t.Errorf("DecodeDefinition = %+v, want pg/cmd version 4", got)
	}
	if _, err := DecodeDefinition("", 1); err == nil {
		t.Error("DecodeDefinition(\"\") = nil error, want one: a body is never empty")
	}
}

func TestPolicyRoundTrip(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 3, 1, 13, 0, 0, 123456789, time.FixedZone("CET", 3600))
	p := &paved.Policy{ID: "no-latest", Owner: paved.RoleSecurity, Kind: paved.PolicyConftest,
		Module: "package main\n", Version: 7, UpdatedBy: "sam", CreatedAt: created}
	if err := PreparePolicy(p); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC); !p.CreatedAt.Equal(want) || p.CreatedAt.Location() != time.UTC {
		t.Errorf("PreparePolicy left CreatedAt %v, want %v", p.CreatedAt, want)
	}
	zero := &paved.Policy{ID: "x", Owner: paved.RoleSecurity, Kind: paved.PolicyDeployment, Module: "package x"}
	if err := PreparePolicy(zero); err != nil || !zero.CreatedAt.IsZero() {
		t.Errorf("PreparePolicy of a policy without CreatedAt = %v, CreatedAt %v; want it left zero", err, zero.CreatedAt)
	}
	for _, tc := range []struct {
		p    paved.Policy
		want string
	}{
		{paved.Policy{Owner: "security", Kind: "conftest", Module: "package main"}, "policy: id is required"},
		{paved.Policy{ID: "x", Kind: "conftest", Module: "package main"}, "policy: owner is required"},
		{paved.Policy{ID: "x", Owner: "security", Module: "package main"}, "policy: kind is required"},
		{paved.Policy{ID: "x", Owner: "security", Kind: "conftest"}, "policy: module is required"},
		{paved.Policy{ID: "x", Owner: "security", Kind: "conftest", Module: "package main\xff"}, "policy x: module is not valid UTF-8"},
		{paved.Policy{ID: "x", Owner: "security", Kind: "conftest", Module: "package main\x00"}, "policy x: module contains a NUL character"},
		{paved.Policy{ID: "x", Owner: "security", Kind: "conftest", Module: "package main", Description: "a\x00"}, "policy x: description contains a NUL character"},
	} {
		if err := PreparePolicy(&tc.p); errString(err) != tc.want || (err != nil && paved.ErrorCode(err) != paved.EINVALID) {
			t.Errorf("PreparePolicy(%+v) = %v, want EINVALID %q", tc.p, err, tc.want)
		}
	}
	body, err := EncodePolicy(p, 3)
	if err != nil {
		t.Fatal(err)
	}
	if p.Version != 7 {
		t.Errorf("EncodePolicy changed p.Version to %d", p.Version)
	}
	got, err := DecodePolicy([]byte(body), 4)
	if err != nil {
		t.Fatal(err)
	}
	want := *p
	want.Version = 4
	if got != want {
		t.Errorf("DecodePolicy = %+v, want %+v", got, want)
	}
	if _, err := DecodePolicy("", 1); err == nil {
		t.Error("DecodePolicy(\"\") = nil error, want one: a body is never empty")
	}
}

func TestResourceRoundTrip(t *testing.T) {
	t.Parallel()
	in := paved.StoredResource{App: "shop", Env: "dev", UID: "postgres.default#shop.db", DefinitionID: "pg",
		Outputs: map[string]any{"host": "db"}, SecretNames: []string{"password"}, Labels: map[string]string{"tier": "gold"}}
	e, err := PrepareResource(&in)
	if err != nil {
		t.Fatal(err)
	}
	if in.UpdatedAt.IsZero() {
		t.Error("PrepareResource left UpdatedAt zero")
	}
	var out paved.StoredResource
	if err := DecodeResource(&out, e.Outputs, e.SecretNames, e.Labels); err != nil {
		t.Fatal(err)
	}
	if out.Outputs["host"] != "db" || !slices.Equal(out.SecretNames, []string{"password"}) || out.Labels["tier"] != "gold" {
		t.Errorf("DecodeResource = %+v", out)
	}
	if _, err := PrepareResource(&paved.StoredResource{App: "shop", Env: "dev"}); errString(err) != "resource: uid is required" {
		t.Errorf("PrepareResource without uid = %v", err)
	}
	var bad paved.StoredResource
	err = DecodeResource(&bad, "{}", "{", "{}")
	var syntax *json.SyntaxError
	if !errors.As(err, &syntax) || !strings.HasPrefix(errString(err), "decode resource secret names: ") {
		t.Errorf("DecodeResource of bad secret names = %v", err)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestStatusList(t *testing.T) {
	t.Parallel()
	got, err := StatusList([]paved.DeploymentStatus{paved.DeploymentQueued, paved.DeploymentRunning})
	if err != nil || got != "'queued', 'running'" {
		t.Errorf("StatusList = %q, %v", got, err)
	}
	_, err = StatusList([]paved.DeploymentStatus{paved.DeploymentFailed, "x'; DROP TABLE deployments; --"})
	if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), "is not one of queued, running, succeeded, failed") {
		t.Errorf("StatusList of an unknown status: %v", err)
	}
}

func TestDeploymentLimit(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]int{0: DefaultLimit, 1: 1, 1000: 1000, -1: -1, -50: -1} {
		if got := DeploymentLimit(n); got != want {
			t.Errorf("DeploymentLimit(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestLeaveTeam(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		teams []string
		want  string
	}{
		{"one of several, order kept", []string{"core", "billing", "ops"}, `["core","ops"]`},
		{"the only one", []string{"billing"}, "null"},
		{"listed twice", []string{"billing", "core", "billing"}, `["core"]`},
		{"not a member", []string{"billing-eu"}, `["billing-eu"]`},
		{"no teams", nil, "null"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := &paved.User{Name: "ana", Teams: slices.Clone(tc.teams)}
			got, err := LeaveTeam(u, "billing")
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("LeaveTeam = %s, want %s", got, tc.want)
			}
			if len(u.Teams) == 0 && u.Teams != nil {
				t.Errorf("LeaveTeam left %#v, want nil: a user in no team has none", u.Teams)
			}
		})
	}
}

func TestDeploymentApps(t *testing.T) {
	t.Parallel()
	ds := []*paved.Deployment{{App: "shop"}, {App: "cart"}, {App: "shop"}, {App: "blog"}}
	if got := DeploymentApps(ds); !slices.Equal(got, []string{"shop", "cart", "blog"}) {
		t.Errorf("DeploymentApps = %q, want shop, cart, blog", got)
	}
	if got := DeploymentApps(nil); len(got) != 0 {
		t.Errorf("DeploymentApps(nil) = %q", got)
	}
}

func TestPrepareWaiver(t *testing.T) {
	t.Parallel()
	paris := time.FixedZone("Paris", 2*60*60)
	fine := time.Date(2026, 3, 1, 12, 30, 0, 123456789, paris)
	want := time.Date(2026, 3, 1, 10, 30, 0, 123456000, time.UTC)
	ok := func() paved.Waiver {
		return paved.Waiver{ID: "w-1", Rule: "security/sec-limits", App: "shop", Env: "dev", Reason: "why",
			Status: paved.WaiverRequested, RequestedBy: "ana", RequestedAt: fine, Owner: paved.RoleSecurity, ExpiresAt: fine}
	}
	w := ok()
	decided := fine
	w.DecidedAt = &decided
	if err := PrepareWaiver(&w); err != nil {
		t.Fatal(err)
	}
	if w.RequestedAt != want || w.ExpiresAt != want || *w.DecidedAt != want || decided != fine {
		t.Errorf("PrepareWaiver times = %v, %v, %v (caller's %v); want %v, the caller's left alone", w.RequestedAt, w.ExpiresAt, *w.DecidedAt, decided, want)
	}
	now := ok()
	now.RequestedAt = time.Time{}
	if err := PrepareWaiver(&now); err != nil || now.RequestedAt.IsZero() || now.RequestedAt.Location() != time.UTC {
		t.Errorf("PrepareWaiver of a zero RequestedAt = %v, %v; want now", now.RequestedAt, err)
	}
	for _, tc := range []struct {
		change func(*paved.Waiver)
		want   string
	}{
		{func(w *paved.Waiver) { w.ID = "" }, "waiver: id is required"},
		{func(w *paved.Waiver) { w.RequestedBy = "" }, "waiver: requested_by is required"},
		{func(w *paved.Waiver) { w.Status = "" }, "waiver: status is required"},
		{func(w *paved.Waiver) { w.Status = "revoked" }, `waiver w-1: status "revoked" is not one of requested, approved, rejected`},
		{func(w *paved.Waiver) { w.ExpiresAt = time.Time{} }, "waiver: expires_at is required"},
		{func(w *paved.Waiver) { w.Rule = "a\x00b" }, "waiver: rule contains a NUL character"},
		{func(w *paved.Waiver) { w.DecidedBy = "\xff" }, "waiver: decided_by is not valid UTF-8"},
	} {
		w := ok()
		tc.change(&w)
		if err := PrepareWaiver(&w); errString(err) != tc.want || paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("PrepareWaiver = %v, want EINVALID %q", err, tc.want)
		}
	}

	at, err := PrepareDecision(paved.WaiverApproved, "sam", fine)
	if err != nil || at != want {
		t.Errorf("PrepareDecision = %v, %v; want %v", at, err, want)
	}
	for _, tc := range []struct {
		status paved.WaiverStatus
		by     string
		want   string
	}{
		{paved.WaiverRequested, "sam", `waiver: a decision approves or rejects, not "requested"`},
		{"", "sam", `waiver: a decision approves or rejects, not ""`},
		{paved.WaiverRejected, "", "waiver decision: by is required"},
	} {
		if _, err := PrepareDecision(tc.status, tc.by, fine); errString(err) != tc.want || paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("PrepareDecision(%q, %q) = %v, want EINVALID %q", tc.status, tc.by, err, tc.want)
		}
	}
}

func TestPrepareSignOff(t *testing.T) {
	t.Parallel()
	paris := time.FixedZone("Paris", 2*60*60)
	ok := func() paved.SignOff {
		return paved.SignOff{App: "shop", Role: paved.RoleSecurity, By: "sam",
			At: time.Date(2026, 3, 1, 12, 30, 0, 123456789, paris), Policies: "p1", Types: "t1"}
	}
	s := ok()
	if err := PrepareSignOff(&s); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 1, 10, 30, 0, 123456000, time.UTC); s.At != want {
		t.Errorf("PrepareSignOff At = %v, want %v", s.At, want)
	}
	now := ok()
	now.At = time.Time{}
	if err := PrepareSignOff(&now); err != nil || now.At.IsZero() || now.At.Location() != time.UTC {
		t.Errorf("PrepareSignOff of a zero At = %v, %v; want now", now.At, err)
	}
	for _, tc := range []struct {
		change func(*paved.SignOff)
		want   string
	}{
		{func(s *paved.SignOff) { s.App = "" }, "sign-off: app is required"},
		{func(s *paved.SignOff) { s.Role = "" }, "sign-off: role is required"},
		{func(s *paved.SignOff) { s.By = "" }, "sign-off: by is required"},
		{func(s *paved.SignOff) { s.Types = "a\x00b" }, "sign-off: types_digest contains a NUL character"},
		{func(s *paved.SignOff) { s.By = "\xff" }, "sign-off: by is not valid UTF-8"},
	} {
		s := ok()
		tc.change(&s)
		if err := PrepareSignOff(&s); errString(err) != tc.want || paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("PrepareSignOff = %v, want EINVALID %q", err, tc.want)
		}
	}
}
