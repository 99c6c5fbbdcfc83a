package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/api"
)

// TestRecoverAdmin: with the admin's only token revoked, nobody can log in
// as an admin; recover-admin, run beside the running server on the same
// store, issues a token the server accepts at once, audited as the local
// operator's. A data dir without a store is refused, not created.
func TestRecoverAdmin(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := Start(ctx, Config{Addr: "127.0.0.1:0", DataDir: dir, AdminToken: "pvd_recover_admin", MVPMode: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := api.NewClient(s.URL, "pvd_recover_admin")
	if _, err := c.RevokeTokens(ctx, "admin", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WhoAmI(ctx); paved.ErrorCode(err) != paved.EUNAUTHORIZED {
		t.Fatalf("the revoked token still works: %v", err)
	}

	tok, err := RecoverAdmin(ctx, Config{DataDir: dir}, "admin", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.Name, "break-glass ") || tok.CreatedBy != "local-operator" || time.Until(*tok.ExpiresAt) > time.Hour {
		t.Errorf("break-glass token: %+v", tok.Token)
	}
	back := api.NewClient(s.URL, tok.Secret)
	me, err := back.WhoAmI(ctx)
	if err != nil || me.Name != "admin" || me.Role != paved.RoleAdmin {
		t.Fatalf("WhoAmI with the break-glass token: %+v, %v", me, err)
	}
	audit, err := back.ListAudit(ctx, paved.AuditFilter{Action: "admin.recover"})
	if err != nil || len(audit) != 1 || audit[0].Actor != "local-operator" || audit[0].Target != "admin (token "+tok.ID+")" {
		t.Errorf("audit of the recovery: %+v, %v", audit, err)
	}

	// A disabled user is enabled and made an admin.
	if err := back.CreateTeam(ctx, &paved.Team{Name: "core"}); err != nil {
		t.Fatal(err)
	}
	dev := paved.RoleDeveloper
	if err := back.CreateUser(ctx, &paved.User{Name: "ana", Role: dev, Teams: []string{"core"}}); err != nil {
		t.Fatal(err)
	}
	yes := true
	if _, err := back.UpdateUser(ctx, "ana", paved.UserUpdate{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	ana, err := RecoverAdmin(ctx, Config{DataDir: dir}, "ana", 0)
	if err != nil {
		t.Fatal(err)
	}
	if me, err := api.NewClient(s.URL, ana.Secret).WhoAmI(ctx); err != nil || me.Role != paved.RoleAdmin || me.Disabled {
		t.Fatalf("ana after recovery: %+v, %v", me, err)
	}
	audit, err = back.ListAudit(ctx, paved.AuditFilter{Action: "admin.recover"})
	if err != nil || len(audit) != 2 || audit[0].Target != "ana (enabled, made admin, was developer, token "+ana.ID+")" {
		t.Errorf("audit of ana's recovery: %+v, %v", audit, err)
	}
	// Nobody can pass for the local operator.
	if err := back.CreateUser(ctx, &paved.User{Name: "local-operator", Role: paved.RoleAdmin}); paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), "reserved") {
		t.Errorf("creating a user named local-operator: %v", err)
	}

	typo := filepath.Join(dir, "typo")
	if _, err := RecoverAdmin(ctx, Config{DataDir: typo}, "admin", 0); paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), "holds no paved store") {
		t.Fatalf("recovering in an empty data dir: %v", err)
	}
	if _, err := os.Stat(typo); !os.IsNotExist(err) {
		t.Errorf("recovering in a missing data dir made it: %v", err)
	}
}
