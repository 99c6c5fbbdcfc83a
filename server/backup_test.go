package server

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/examples"
	"paved.dev/paved/store/sqlite"
)

// TestBackupAndRestore takes a backup of a running server (a deployment
// running meanwhile), restores it into a fresh data directory, starts a
// server there and compares: the same teams, apps, environments,
// deployments and resources, the same GitOps history, and the deployment
// that was running failed, saying why.
func TestBackupAndRestore(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	s, err := Start(ctx, Config{Addr: "127.0.0.1:0", DataDir: src, AdminToken: "pvd_backup_admin", MVPMode: true})
	must(t, err)
	defer s.Close()
	c := api.NewClient(s.URL, "pvd_backup_admin")
	must(t, c.CreateTeam(ctx, &paved.Team{Name: "pioneers"}))
	must(t, c.CreateApp(ctx, &paved.App{Name: "shop", Team: "pioneers"}))
	_, err = c.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "shop", Name: "dev", Type: paved.EnvDevelopment})
	must(t, err)
	specs := map[string]string{}
	for _, f := range examples.Shop() {
		specs[f.Name] = string(f.Data)
	}
	good, err := c.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs})
	must(t, err)
	waitStatus(t, c, good.ID, paved.DeploymentSucceeded)
	// A deployment still running when the backup is taken.
	slow := filepath.Join(src, "slow.sh")
	// It provisions nothing until released, after the comparison: the
	// source must not change meanwhile.
	release := filepath.Join(src, "release")
	must(t, os.WriteFile(slow, []byte("#!/bin/sh\ncat >/dev/null\nwhile [ ! -f "+release+" ]; do sleep 0.05; done\nexit 1\n"), 0o755))
	defer os.WriteFile(release, nil, 0o644)
	_, err = c.ApplyDefinitions(ctx, []paved.ResourceDefinition{{ID: "slow-redis", Type: "redis", Driver: "cmd", Inputs: map[string]any{"program": slow}, Criteria: []paved.Criteria{{Env: "dev"}}, Outputs: redisOutputs}})
	must(t, err)
	running, err := c.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs})
	must(t, err)
	waitStatus(t, c, running.ID, paved.DeploymentRunning)

	var archive bytes.Buffer
	must(t, c.Backup(ctx, &archive))
	must(t, CheckBackup(bytes.NewReader(archive.Bytes())))
	// Only admins take backups.
	must(t, c.CreateUser(ctx, &paved.User{Name: "dana", Role: paved.RoleDeveloper, Teams: []string{"pioneers"}}))
	tok, err := c.CreateToken(ctx, &paved.TokenRequest{User: "dana", Name: "t"})
	must(t, err)
	if err := api.NewClient(s.URL, tok.Secret).Backup(ctx, &bytes.Buffer{}); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("a developer's backup: %v, want EFORBIDDEN", err)
	}

	dst := filepath.Join(t.TempDir(), "restored")
	failed, err := Restore(ctx, dst, bytes.NewReader(archive.Bytes()))
	must(t, err)
	if failed != 1 {
		t.Errorf("restore failed %d unfinished deployments, want 1 (the running one)", failed)
	}
	if _, err := Restore(ctx, dst, bytes.NewReader(archive.Bytes())); paved.ErrorCode(err) != paved.ECONFLICT {
		t.Errorf("restoring over a store: %v, want ECONFLICT", err)
	}
	// The key is backed up apart; here it is copied.
	for _, f := range []string{"secret.key", "sealing"} {
		copyTree(t, filepath.Join(src, f), filepath.Join(dst, f))
	}
	r, err := Start(ctx, Config{Addr: "127.0.0.1:0", DataDir: dst, MVPMode: true})
	must(t, err)
	defer r.Close()
	rc := api.NewClient(r.URL, "pvd_backup_admin")

	got, err := rc.GetDeployment(ctx, running.ID)
	must(t, err)
	if got.Status != paved.DeploymentFailed || got.Error != RestoreReason {
		t.Errorf("the deployment running at the backup: %s %q", got.Status, got.Error)
	}
	for what, f := range map[string]func(*api.Client) (any, error){
		"teams": func(c *api.Client) (any, error) { return c.ListTeams(ctx) },
		"apps":  func(c *api.Client) (any, error) { return c.ListApps(ctx) },
		"envs":  func(c *api.Client) (any, error) { return c.ListEnvironments(ctx, "shop") },
		"good deployment": func(c *api.Client) (any, error) {
			return c.GetDeployment(ctx, good.ID)
		},
		"resources": func(c *api.Client) (any, error) {
			rs, err := c.ListResources(ctx, "shop", "dev")
			// The deployment running at the backup provisions again,
			// and so stamps, what it shares with the last one.
			for i := range rs {
				rs[i].UpdatedAt = time.Time{}
			}
			return rs, err
		},
		"password": func(c *api.Client) (any, error) {
			return c.Outputs(ctx, "shop", "dev", "postgres.default#api.db", true)
		},
	} {
		want, err := f(c)
		must(t, err)
		have, err := f(rc)
		must(t, err)
		if !sameJSONValue(t, want, have) {
			t.Errorf("%s differ after the restore:\n got %s\nwant %s", what, jsonOf(t, have), jsonOf(t, want))
		}
	}
	srcHead, dstHead := gitHead(t, src), gitHead(t, dst)
	if srcHead != dstHead {
		t.Errorf("the restored GitOps repository's HEAD is %s, the original's %s", dstHead, srcHead)
	}
	// And the restored server deploys.
	_, err = rc.ApplyDefinitions(ctx, []paved.ResourceDefinition{{ID: "slow-redis", Type: "redis", Driver: "cmd", Inputs: map[string]any{"program": slow}, Criteria: []paved.Criteria{{Env: "nowhere"}}, Outputs: redisOutputs}})
	must(t, err)
	delete(specs, "web.score.yaml") // a change, to be committed
	again, err := rc.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs})
	must(t, err)
	waitStatus(t, rc, again.ID, paved.DeploymentSucceeded)
	if gitHead(t, dst) == dstHead {
		t.Error("the deployment on the restored server committed nothing")
	}
	list, err := rc.ListDeployments(ctx, paved.DeploymentFilter{App: "shop", Env: "dev"})
	must(t, err)
	if ids := deploymentIDs(list); !slices.Contains(ids, good.ID) || !slices.Contains(ids, running.ID) || !slices.Contains(ids, again.ID) {
		t.Errorf("restored deployments %v", ids)
	}
}

// TestRestoreRefusesBadArchives: what is not a whole paved backup writes
// nothing.
func TestRestoreRefusesBadArchives(t *testing.T) {
	for name, b := range map[string][]byte{
		"not gzip": []byte("hello"),
		"empty":    gzipTar(t, nil),
		"escaping": gzipTar(t, map[string]string{"paved.db": "x", "../evil": "x"}),
		"other":    gzipTar(t, map[string]string{"paved.db": "x", "secret.key": "x"}),
		"not a db": gzipTar(t, map[string]string{"paved.db": "not sqlite"}),
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "d")
			_, err := Restore(context.Background(), dir, bytes.NewReader(b))
			if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), "backup") {
				t.Fatalf("Restore: %v, want EINVALID naming the backup", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "paved.db")); err == nil {
				t.Fatal("a refused restore left a store")
			}
		})
	}
}

// TestRestoreNeverReplacesAStore: a store or repository that appears in
// the data dir while a backup is restored (a server started there, another
// restore) is never replaced: the restore is refused, says why, and leaves
// both what appeared and nothing of its own.
func TestRestoreNeverReplacesAStore(t *testing.T) {
	src := filepath.Join(t.TempDir(), "paved.db")
	db, err := sqlite.Open(src)
	must(t, err)
	must(t, db.Close())
	b, err := os.ReadFile(src)
	must(t, err)
	archive := gzipTar(t, map[string]string{"paved.db": string(b), "gitops/.git/HEAD": "ref: refs/heads/main\n"})
	for _, c := range []struct {
		name, what string
		appear     func(dir string)
	}{
		{"a store", "store", func(dir string) { _ = os.WriteFile(filepath.Join(dir, "paved.db"), []byte("precious"), 0o600) }},
		{"a WAL", "store (paved.db-wal)", func(dir string) { _ = os.WriteFile(filepath.Join(dir, "paved.db-wal"), []byte("precious"), 0o600) }},
		{"a repository", "GitOps repository", func(dir string) {
			_ = os.MkdirAll(filepath.Join(dir, "gitops"), 0o700)
			_ = os.WriteFile(filepath.Join(dir, "gitops", "HEAD"), []byte("precious"), 0o600)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "d")
			restoreBeforeMove = c.appear
			defer func() { restoreBeforeMove = func(string) {} }()
			_, err := Restore(context.Background(), dir, bytes.NewReader(archive))
			if paved.ErrorCode(err) != paved.ECONFLICT || !strings.Contains(err.Error(), "a "+c.what+" appeared there") {
				t.Fatalf("Restore: %v, want a conflict naming the %s", err, c.what)
			}
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			for _, n := range names {
				if strings.HasPrefix(n, "restore-") {
					t.Errorf("the refused restore left its scratch directory %s", n)
				}
				if n == "paved.db" && c.what != "store" {
					t.Errorf("the refused restore left a store: %v", names)
				}
				if n == "gitops" && c.what != "GitOps repository" {
					t.Errorf("the refused restore left a repository: %v", names)
				}
			}
			for _, f := range []string{"paved.db", "paved.db-wal", filepath.Join("gitops", "HEAD")} {
				if got, err := os.ReadFile(filepath.Join(dir, f)); err == nil && string(got) != "precious" {
					t.Errorf("%s was replaced: %q", f, got)
				}
			}
		})
	}
	// Without anything appearing, the same archive restores.
	dir := filepath.Join(t.TempDir(), "d")
	if _, err := Restore(context.Background(), dir, bytes.NewReader(archive)); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	for _, f := range []string{"paved.db", filepath.Join("gitops", ".git", "HEAD")} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("restored: %v", err)
		}
	}
}
