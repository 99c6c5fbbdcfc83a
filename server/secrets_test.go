package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/bitnami-labs/sealed-secrets/pkg/crypto"
	"gopkg.in/yaml.v3"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/examples"
	"paved.dev/paved/target/gitops"
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
	gitopsHoldsSealedSecrets(t, dir, password)
}

// gitopsHoldsSealedSecrets checks that the GitOps repository holds every
// Secret a cluster needs, as a SealedSecret that the key in the data dir
// opens, and no Secret in clear.
func gitopsHoldsSealedSecrets(t *testing.T, dir, password string) {
	t.Helper()
	repo := filepath.Join(dir, "gitops")
	b64 := base64.StdEncoding.EncodeToString([]byte(password))
	sealed := 0
	_ = filepath.WalkDir(repo, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if bytes.Contains(b, []byte("\nkind: Secret\n")) || bytes.HasPrefix(b, []byte("kind: Secret\n")) || bytes.Contains(b, []byte(b64)) {
			t.Errorf("%s holds a Secret, or its value, in clear", p)
		}
		if bytes.Contains(b, []byte("kind: SealedSecret")) {
			sealed++
		}
		return nil
	})
	if sealed < 4 {
		t.Fatalf("the GitOps repository holds %d SealedSecrets; the app renders at least 4 Secrets per environment", sealed)
	}
	// The dev database's password opens with the key a cluster's
	// controller would hold.
	plain, err := openSealedPassword(filepath.Join(dir, "sealing", gitops.SealingKeyFile), filepath.Join(repo, "dev", "shop", "sealedsecret-postgres-api-db.yaml"))
	must(t, err)
	if plain != password {
		t.Errorf("the sealed password opens to %q, want the database's", plain)
	}
}

// openSealedPassword opens the password of a SealedSecret file with the
// sealing private key in keyFile.
func openSealedPassword(keyFile, file string) (string, error) {
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return "", err
	}
	block, _ := pem.Decode(keyPEM)
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		return "", err
	}
	y, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	var ss struct {
		Spec struct {
			EncryptedData map[string]string `yaml:"encryptedData"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(y, &ss); err != nil {
		return "", err
	}
	ct, err := base64.StdEncoding.DecodeString(ss.Spec.EncryptedData["password"])
	if err != nil {
		return "", err
	}
	fp, err := crypto.PublicKeyFingerprint(&key.PublicKey)
	if err != nil {
		return "", err
	}
	plain, err := crypto.HybridDecrypt(rand.Reader, map[string]*rsa.PrivateKey{fp: key}, ct, []byte("shop-dev/postgres-api-db"))
	return string(plain), err
}
