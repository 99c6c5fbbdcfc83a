package platform

import (
	"context"
	"testing"
	"time"

	"paved.dev/paved"
)

// TestRotateToken: rotation issues a new token of the old one's name and
// lifetime that works at once, the old one stops working, it works at the
// most tokens a user may hold, and only the user or an admin rotates.
func TestRotateToken(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxTokensPerUser = 2 })
	ctx := context.Background()
	old, err := f.p.CreateToken(f.dev, &paved.TokenRequest{User: "dana", Name: "ci", TTL: paved.Duration(48 * time.Hour)})
	must(t, err)
	_, err = f.p.CreateToken(f.dev, &paved.TokenRequest{User: "dana", Name: "laptop"})
	must(t, err)

	if _, err := f.p.RotateToken(f.other, "dana", old.ID); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("someone else rotates dana's token: %v, want forbidden", err)
	}
	tok, err := f.p.RotateToken(f.dev, "dana", old.ID)
	if err != nil {
		t.Fatalf("rotating at the most tokens a user holds: %v", err)
	}
	sameEnd := func(a, b *time.Time) bool { return a != nil && b != nil && a.Sub(*b).Abs() < time.Second }
	if tok.Name != "ci" || tok.ID == old.ID || tok.Secret == old.Secret || !sameEnd(tok.ExpiresAt, old.ExpiresAt) {
		t.Errorf("rotated token %+v: want name ci, a new id and secret, the old one's expiry %v", tok.Token, old.ExpiresAt)
	}
	// Rotating again later keeps the first expiry: a token cannot keep
	// itself alive by rotating.
	f.clock.Add(47 * time.Hour)
	again, err := f.p.RotateToken(paved.WithActor(ctx, &paved.User{Name: "dana", Role: paved.RoleDeveloper, Teams: []string{"pioneers"}}), "dana", tok.ID)
	must(t, err)
	if !sameEnd(again.ExpiresAt, old.ExpiresAt) {
		t.Errorf("a second rotation moved the expiry to %v, want %v", again.ExpiresAt, old.ExpiresAt)
	}
	f.clock.Add(time.Hour - 30*time.Second)
	if _, err := f.p.RotateToken(f.dev, "dana", again.ID); paved.ErrorCode(err) != paved.EINVALID {
		t.Errorf("rotating a token in its last minute: %v, want invalid", err)
	}
	tok = again
	if _, err := f.p.Authenticate(ctx, old.Secret); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
		t.Errorf("the old token after rotation: %v, want unauthorized", err)
	}
	if u, err := f.p.Authenticate(ctx, tok.Secret); err != nil || u.Name != "dana" {
		t.Errorf("the new token: %v %v", u, err)
	}
	if _, err := f.p.RotateToken(f.dev, "dana", old.ID); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Errorf("rotating a revoked token: %v, want not found", err)
	}
}
