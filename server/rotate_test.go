package server

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/examples"
	"paved.dev/paved/platform"
	"paved.dev/paved/seal"
	"paved.dev/paved/store/sqlite"
	"paved.dev/paved/target/gitops"
)

// testKubeconfig is a cluster's kubeconfig whose token is a secret input.
func testKubeconfig(token string) string {
	return `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: "` + token + `"}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`
}

// seedSecrets fills a server with every kind of sealed value: a
// definition's secret input, a registered cluster's kubeconfig, resources'
// secret outputs and deployments' Secrets, two deployments per environment.
// It returns the dev database's generated password.
func seedSecrets(t *testing.T, s *Server, c *api.Client, defSecret, kubeToken string) string {
	t.Helper()
	ctx := context.Background()
	must(t, c.CreateTeam(ctx, &paved.Team{Name: "pioneers"}))
	must(t, c.CreateApp(ctx, &paved.App{Name: "shop", Team: "pioneers"}))
	for _, e := range []string{"dev", "staging"} {
		if _, err := c.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "shop", Name: e, Type: map[string]paved.EnvType{"dev": paved.EnvDevelopment, "staging": paved.EnvStaging}[e]}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.ApplyDefinitions(ctx, []paved.ResourceDefinition{{ID: "stg-redis", Type: "redis", Driver: "echo", Criteria: []paved.Criteria{{EnvType: "staging"}},
		Inputs: map[string]any{"values": map[string]any{"host": "r", "port": 6379, "username": "u"}, "secrets": map[string]any{"password": defSecret}}}})
	must(t, err)
	_, err = c.RegisterTarget(ctx, &paved.TargetInfo{Name: "prod-eu", Type: paved.TargetKubernetes, Kubeconfig: testKubeconfig(kubeToken)})
	must(t, err)
	deployShop(t, s, c)
	deployShop(t, s, c)
	return revealPassword(t, c)
}

func deployShop(t *testing.T, s *Server, c *api.Client, envs ...string) {
	t.Helper()
	if envs == nil {
		envs = []string{"dev", "staging"}
	}
	specs := map[string]string{}
	for _, f := range examples.Shop() {
		specs[f.Name] = string(f.Data)
	}
	for _, e := range envs {
		d, err := c.Deploy(context.Background(), &paved.DeployRequest{App: "shop", Env: e, Specs: specs})
		must(t, err)
		s.Platform.Wait()
		waitStatus(t, c, d.ID, paved.DeploymentSucceeded)
	}
}

func revealPassword(t *testing.T, c *api.Client) string {
	t.Helper()
	out, err := c.Outputs(context.Background(), "shop", "dev", "postgres.default#api.db", true)
	must(t, err)
	password, _ := out["password"].(string)
	if len(password) != 24 {
		t.Fatalf("revealed password %q", password)
	}
	return password
}

// TestRotateKeys rotates the secret key of a data dir that holds every kind
// of sealed value: a server started in the middle of the rotation (after
// the new key was written, before anything was sealed again) works; the
// rotation then resumes; afterwards the old key opens nothing, the new one
// alone opens everything, and a server on the data dir reads every secret
// back as it was and deploys.
func TestRotateKeys(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	cfg := Config{Addr: "127.0.0.1:0", DataDir: dir, AdminToken: "pvd_rotate_admin", MVPMode: true}
	s, err := Start(ctx, cfg)
	must(t, err)
	c := api.NewClient(s.URL, "pvd_rotate_admin")
	password := seedSecrets(t, s, c, "definition-secret-Rk29", "kube-token-Rk29")
	must(t, s.Close())
	keyFile := filepath.Join(dir, "secret.key")
	oldKeys, err := seal.LoadKeys("", "", keyFile)
	must(t, err)

	// Interrupted: the new key is written, nothing is sealed again yet.
	_, _, err = seal.Rotate(keyFile)
	must(t, err)
	s, err = Start(ctx, cfg)
	must(t, err)
	c = api.NewClient(s.URL, "pvd_rotate_admin")
	if got := revealPassword(t, c); got != password {
		t.Fatalf("during the rotation the password reads %q, want %q", got, password)
	}
	deployShop(t, s, c, "dev") // seals dev's with the new key; staging's stay sealed with the old
	must(t, s.Close())

	rot, err := RotateKeys(ctx, cfg)
	must(t, err)
	for _, k := range paved.SealedKinds {
		if rot.Counts[k].Resealed == 0 {
			t.Errorf("%s: nothing sealed again (%+v)", k, rot.Counts[k])
		}
	}
	if rot.Counts[paved.SealedDeployments].Resealed == rot.Counts[paved.SealedDeployments].Rows {
		t.Errorf("deployments: the ones made during the rotation were sealed again too (%+v)", rot.Counts[paved.SealedDeployments])
	}
	if _, err := os.Stat(keyFile + ".old"); !os.IsNotExist(err) {
		t.Errorf("the old key is still kept after the rotation: %v", err)
	}
	newKeys, err := seal.LoadKeys("", "", keyFile)
	must(t, err)
	if bytes.Equal(newKeys.Seal, oldKeys.Seal) || newKeys.Old != nil {
		t.Fatalf("the key file after the rotation: %+v", newKeys)
	}

	// None sealed with the old key; all with the new one.
	db, err := sqlite.OpenExisting(filepath.Join(dir, "paved.db"))
	must(t, err)
	onlyOld, _ := seal.New(oldKeys.Seal)
	onlyNew, _ := seal.NewKeys(seal.Keys{Seal: newKeys.Seal})
	other, _ := seal.New(bytes.Repeat([]byte{9}, seal.KeySize))
	withOld, err := platform.CheckSealed(ctx, db, onlyOld)
	must(t, err)
	withNew, err := platform.CheckSealed(ctx, db, onlyNew)
	must(t, err)
	withOther, err := platform.CheckSealed(ctx, db, other)
	must(t, err)
	must(t, db.Close())
	for _, k := range paved.SealedKinds {
		if withNew[k].Other != 0 {
			t.Errorf("%s: %d rows hold values the new key does not open", k, withNew[k].Other)
		}
		// A key that never sealed anything fails on every row holding a
		// sealed value: the old key must fail on as many.
		if withOther[k].Other == 0 || withOld[k].Other != withOther[k].Other {
			t.Errorf("%s: the old key fails to open %d rows, an unrelated key %d: some are still sealed with the old key", k, withOld[k].Other, withOther[k].Other)
		}
	}

	// The GitOps repository's sealing key pair too: retired, not lost.
	oldSealingKey := filepath.Join(dir, "sealing", gitops.SealingKeyFile)
	oldSealingPEM, err := os.ReadFile(oldSealingKey)
	must(t, err)
	_, err = RotateSealingKey(cfg)
	must(t, err)
	retired, _ := filepath.Glob(filepath.Join(dir, "sealing", gitops.RetiredDir, "*-"+gitops.SealingKeyFile))
	if len(retired) != 1 {
		t.Fatalf("retired sealing keys: %v", retired)
	}
	if b, _ := os.ReadFile(retired[0]); !bytes.Equal(b, oldSealingPEM) {
		t.Fatal("the retired sealing key is not the old one")
	}
	sealedFile := filepath.Join(dir, "gitops", "dev", "shop", "sealedsecret-postgres-api-db.yaml")
	if got, err := openSealedPassword(retired[0], sealedFile); err != nil || got != password {
		t.Fatalf("before the next deployment, the committed SealedSecret opens with the old sealing key: %q, %v", got, err)
	}

	// Read back: the same password; the definition's input (staging's
	// deployment uses it) and the kubeconfig still open.
	s, err = Start(ctx, cfg)
	must(t, err)
	defer s.Close()
	c = api.NewClient(s.URL, "pvd_rotate_admin")
	if got := revealPassword(t, c); got != password {
		t.Fatalf("after the rotation the password reads %q, want %q", got, password)
	}
	deployShop(t, s, c)
	// The next deployment sealed the Secrets again with the new sealing
	// key; the old one opens them no more.
	gitopsHoldsSealedSecrets(t, dir, password)
	if _, err := openSealedPassword(retired[0], sealedFile); err == nil {
		t.Error("after the next deployment, the retired sealing key still opens the SealedSecret")
	}
	info, err := s.store.GetTarget(ctx, "prod-eu")
	must(t, err)
	kc, err := onlyNew.Open(info.Sealed, []byte("target/prod-eu"))
	if err != nil || string(kc) != testKubeconfig("kube-token-Rk29") {
		t.Errorf("the kubeconfig after the rotation: %q, %v", kc, err)
	}
}
