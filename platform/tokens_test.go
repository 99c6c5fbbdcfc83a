package platform

import (
	"context"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

// TestTokenLifecycle: tokens expire, are listed with their last use, and
// stop working when revoked or when their user is disabled; a user cannot
// mint unlimited or everlasting tokens.
func TestTokenLifecycle(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.MaxTokensPerUser = 3
		c.MaxTokenTTL = 30 * 24 * time.Hour
		c.DefaultTokenTTL = 7 * 24 * time.Hour
	})
	ctx := context.Background()
	auth := func(tok string) (*paved.User, error) { return f.p.Authenticate(ctx, tok) }

	ci, err := f.p.CreateToken(f.dev, &paved.TokenRequest{User: "dana", Name: "ci", TTL: paved.Duration(24 * time.Hour)})
	must(t, err)
	if !strings.HasPrefix(ci.Secret, "pvd_") || ci.ExpiresAt == nil || ci.CreatedBy != "dana" {
		t.Fatalf("issued token: %+v", ci.Token)
	}
	if u, err := auth(ci.Secret); err != nil || u.Name != "dana" {
		t.Fatalf("a fresh token: %v %v", u, err)
	}
	laptop, err := f.p.CreateToken(f.dev, &paved.TokenRequest{User: "dana", Name: "laptop"})
	must(t, err)
	if d := laptop.ExpiresAt.Sub(laptop.CreatedAt); d != 7*24*time.Hour {
		t.Errorf("a token without a ttl lives %v, want the server's default 168h", d)
	}

	refusals := []struct {
		name string
		err  error
		code string
		want string
	}{
		{"beyond the maximum lifetime", func() error {
			_, err := f.p.CreateToken(f.dev, &paved.TokenRequest{User: "dana", TTL: paved.Duration(31 * 24 * time.Hour)})
			return err
		}(), paved.EINVALID, "beyond the maximum token lifetime of 720h0m0s"},
		{"for someone else", func() error {
			_, err := f.p.CreateToken(f.dev, &paved.TokenRequest{User: "olaf"})
			return err
		}(), paved.EFORBIDDEN, "only an admin issues tokens for other users"},
		{"listing someone else's", func() error { _, err := f.p.ListTokens(f.other, "dana"); return err }(), paved.EFORBIDDEN, "only an admin lists"},
		{"revoking someone else's", func() error { _, err := f.p.RevokeTokens(f.other, "dana", ""); return err }(), paved.EFORBIDDEN, "only an admin revokes"},
	}
	for _, r := range refusals {
		if paved.ErrorCode(r.err) != r.code || !strings.Contains(paved.ErrorMessage(r.err), r.want) {
			t.Errorf("%s: %v, want %s %q", r.name, r.err, r.code, r.want)
		}
	}
	_, err = f.p.CreateToken(f.dev, &paved.TokenRequest{User: "dana"})
	must(t, err)
	_, err = f.p.CreateToken(f.dev, &paved.TokenRequest{User: "dana"})
	if paved.ErrorCode(err) != paved.ECONFLICT || !strings.Contains(err.Error(), "already has 3 active tokens") {
		t.Errorf("a fourth token: %v", err)
	}

	// Expiry: the ci token's day passes.
	f.clock.Add(25 * time.Hour)
	if _, err := auth(ci.Secret); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
		t.Errorf("an expired token: %v", err)
	}
	// Last use and revocation of one token.
	if _, err := auth(laptop.Secret); err != nil {
		t.Fatal(err)
	}
	list, err := f.p.ListTokens(f.dev, "dana")
	must(t, err)
	var seen bool
	for _, k := range list {
		if k.ID == laptop.ID {
			seen = k.LastUsedAt != nil
		}
	}
	if !seen {
		t.Errorf("the laptop token's last use is not recorded: %+v", list)
	}
	n, err := f.p.RevokeTokens(f.admin, "dana", laptop.ID)
	if err != nil || n != 1 {
		t.Fatalf("revoking one token: %d %v", n, err)
	}
	if _, err := auth(laptop.Secret); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
		t.Errorf("a revoked token: %v", err)
	}
	if _, err := f.p.RevokeTokens(f.admin, "dana", laptop.ID); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Errorf("revoking a revoked token again: %v", err)
	}

	// A disabled user's tokens stop working; enabled again, they work.
	other, err := f.p.CreateToken(f.admin, &paved.TokenRequest{User: "olaf"})
	must(t, err)
	off, on := true, false
	if _, err := f.p.UpdateUser(f.admin, "olaf", paved.UserUpdate{Disabled: &off}); err != nil {
		t.Fatal(err)
	}
	if _, err := auth(other.Secret); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
		t.Errorf("the token of a disabled user: %v", err)
	}
	if _, err := f.p.CreateToken(f.admin, &paved.TokenRequest{User: "olaf"}); paved.ErrorCode(err) != paved.EINVALID {
		t.Errorf("a token for a disabled user: %v", err)
	}
	if _, err := f.p.UpdateUser(f.admin, "olaf", paved.UserUpdate{Disabled: &on}); err != nil {
		t.Fatal(err)
	}
	if _, err := auth(other.Secret); err != nil {
		t.Errorf("the token of a re-enabled user: %v", err)
	}
	// Revoke all.
	if n, err := f.p.RevokeTokens(f.dev, "dana", ""); err != nil || n != 2 {
		t.Errorf("revoking all of dana's active tokens: %d %v; want 2", n, err)
	}

	// Every change is audited.
	audit, _ := f.store.ListAudit(ctx, paved.AuditFilter{Limit: 1000})
	for _, action := range []string{"token.create", "token.revoke", "user.update"} {
		found := false
		for _, e := range audit {
			found = found || e.Action == action
		}
		if !found {
			t.Errorf("no %s in the audit log", action)
		}
	}
}

func TestUpdateUser(t *testing.T) {
	f := newFixture(t)
	viewer := paved.RoleViewer
	u, err := f.p.UpdateUser(f.admin, "dana", paved.UserUpdate{Role: &viewer})
	must(t, err)
	if u.Role != paved.RoleViewer {
		t.Fatalf("role %s", u.Role)
	}
	// A viewer no longer deploys.
	dana := paved.WithActor(context.Background(), u)
	if err := deployErr(f.p, dana, "shop", "dev", shopSpecs()); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("a demoted developer deployed: %v", err)
	}
	for _, tc := range []struct {
		name string
		ctx  context.Context
		up   paved.UserUpdate
		code string
		want string
	}{
		{"a developer changes a user", f.dev, paved.UserUpdate{Role: &viewer}, paved.EFORBIDDEN, "needs the admin role"},
		{"an admin demotes themselves", f.admin, paved.UserUpdate{Role: &viewer}, paved.EINVALID, "cannot disable or demote themselves"},
		{"an unknown role", f.admin, paved.UserUpdate{Role: func() *paved.Role { r := paved.Role("boss"); return &r }()}, paved.EINVALID, `role: "boss" is not one of`},
	} {
		target := "dana"
		if tc.name == "an admin demotes themselves" {
			target = "admin"
		}
		_, err := f.p.UpdateUser(tc.ctx, target, tc.up)
		if paved.ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %s %q", tc.name, err, tc.code, tc.want)
		}
	}
}

func TestLoginLinks(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.p.CreateToken(f.dev, &paved.TokenRequest{User: "dana", Name: paved.LoginLinkName}); paved.ErrorCode(err) != paved.EINVALID {
		t.Errorf("a token named as a login link: %v", err)
	}
	if _, err := f.p.IssueLoginLink(f.other, "dana", time.Minute); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("a link for another user: %v", err)
	}
	if _, err := f.p.IssueLoginLink(f.dev, "dana", 2*time.Hour); paved.ErrorCode(err) != paved.EINVALID {
		t.Errorf("a link of two hours: %v", err)
	}
	link, err := f.p.IssueLoginLink(f.admin, "dana", 10*time.Minute)
	must(t, err)
	if _, err := f.p.Authenticate(ctx, link.Secret); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
		t.Errorf("a login link as a bearer token: %v", err)
	}
	u, err := f.p.RedeemLoginLink(ctx, link.Secret)
	must(t, err)
	if u.Name != "dana" {
		t.Fatalf("the link logged in %s", u.Name)
	}
	if _, err := f.p.RedeemLoginLink(ctx, link.Secret); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
		t.Errorf("a link used twice: %v", err)
	}
	tok, err := f.p.CreateToken(f.dev, &paved.TokenRequest{User: "dana", Name: "ci"})
	must(t, err)
	if _, err := f.p.RedeemLoginLink(ctx, tok.Secret); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
		t.Errorf("a bearer token as a login link: %v", err)
	}
	if _, err := f.p.Authenticate(ctx, tok.Secret); err != nil {
		t.Errorf("the token after it was tried as a link: %v", err)
	}
	expiring, err := f.p.IssueLoginLink(f.dev, "dana", time.Minute)
	must(t, err)
	f.clock.Add(2 * time.Minute)
	if _, err := f.p.RedeemLoginLink(ctx, expiring.Secret); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
		t.Errorf("an expired link: %v", err)
	}
}
