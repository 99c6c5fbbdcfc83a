package server

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/examples"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

// TestSecretsNeverInPlainText deploys the representative app, reveals the
// generated database password through the API, and then greps the SQLite
// files, the GitOps repository and the server's debug logs for it and for a
// secret definition input: none may hold them in plain text.
func TestSecretsNeverInPlainText(t *testing.T) {
	dir := t.TempDir()
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := Start(context.Background(), Config{Addr: "127.0.0.1:0", DataDir: dir, AdminToken: "pvd_secrets_admin", MVPMode: true, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := api.NewClient(s.URL, "pvd_secrets_admin")
	must(t, c.CreateTeam(ctx, &paved.Team{Name: "pioneers"}))
	must(t, c.CreateApp(ctx, &paved.App{Name: "shop", Team: "pioneers"}))
	for _, e := range []string{"dev", "staging"} {
		if _, err := c.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "shop", Name: e, Type: map[string]paved.EnvType{"dev": paved.EnvDevelopment, "staging": paved.EnvStaging}[e]}); err != nil {
			t.Fatal(err)
		}
	}
	const defSecret = "definition-secret-Xq81"
	_, err = c.ApplyDefinitions(ctx, []paved.ResourceDefinition{{ID: "stg-redis", Type: "redis", Driver: "echo", Criteria: []paved.Criteria{{EnvType: "staging"}},
		Inputs: map[string]any{"values": map[string]any{"host": "r", "port": 6379, "username": "u"}, "secrets": map[string]any{"password": defSecret}}}})
	must(t, err)
	specs := map[string]string{}
	for _, f := range examples.Shop() {
		specs[f.Name] = string(f.Data)
	}
	for _, e := range []string{"dev", "staging"} {
		d, err := c.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: e, Specs: specs})
		must(t, err)
		s.Platform.Wait()
		waitStatus(t, c, d.ID, paved.DeploymentSucceeded)
	}
	out, err := c.Outputs(ctx, "shop", "dev", "postgres.default#api.db", true)
	must(t, err)
	password, _ := out["password"].(string)
	if len(password) != 24 {
		t.Fatalf("revealed password %q", password)
	}
	must(t, s.Close())
	for _, secret := range []string{password, defSecret} {
		if bytes.Contains(logs.Bytes(), []byte(secret)) {
			t.Errorf("the server's logs hold the secret %q", secret)
		}
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds the secret %q in plain text", p, secret)
			}
			return nil
		})
	}
	if len(logs.Bytes()) == 0 {
		t.Error("the server logged nothing: the check above proves nothing")
	}
}
