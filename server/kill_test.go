package server

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/examples"
	"paved.dev/paved/target/gitops"
)

// TestServerProcess is not a test: TestKillDuringDeploy runs the test
// binary again with PAVED_TEST_SERVER set, to have a server in a process of
// its own that it can kill.
func TestServerProcess(t *testing.T) {
	dir := os.Getenv("PAVED_TEST_SERVER")
	if dir == "" {
		t.Skip("runs only as the child process of TestKillDuringDeploy")
	}
	// Replicas share a PostgreSQL store, a key, a sealing certificate and
	// a Git remote (TestReplicas).
	// Replicas killed on purpose are taken for dead sooner
	// (TestReplicaKilledMidDeployment). Rollouts on a test cluster are
	// read more often (TestCrashChaos/kubernetes).
	duration := func(name string) time.Duration { d, _ := time.ParseDuration(os.Getenv(name)); return d }
	// PAVED_TEST_LOG=warn (or another level) logs to stderr, which the
	// test shows when it fails (TestPostgresRestartUnderLoad).
	log := slog.New(slog.DiscardHandler)
	var level slog.Level
	if v := os.Getenv("PAVED_TEST_LOG"); v != "" && level.UnmarshalText([]byte(v)) == nil {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})).With("server", filepath.Base(dir))
	}
	s, err := Start(context.Background(), Config{Addr: "127.0.0.1:0", DataDir: dir, AdminToken: "pvd_kill_admin", MVPMode: true, Logger: log,
		Database: os.Getenv("PAVED_TEST_DATABASE"), SecretKey: os.Getenv("PAVED_TEST_SECRET_KEY"),
		SealingCert: os.Getenv("PAVED_TEST_SEALING_CERT"), GitURL: os.Getenv("PAVED_TEST_GIT_URL"),
		OrphanAfter: duration("PAVED_TEST_ORPHAN_AFTER"), LeaseTTL: duration("PAVED_TEST_LEASE_TTL"), ReapEvery: duration("PAVED_TEST_REAP_EVERY"),
		RolloutPoll: duration("PAVED_TEST_ROLLOUT_POLL")})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "url"), []byte(s.URL), 0o644); err != nil {
		t.Fatal(err)
	}
	select {}
}

func startChild(t *testing.T, dir string, env ...string) (*exec.Cmd, string) {
	t.Helper()
	_ = os.Remove(filepath.Join(dir, "url"))
	// A child lives as long as the test that started it may (long runs
	// last longer than 5 minutes).
	timeout := 5 * time.Minute
	if d, ok := t.Deadline(); ok {
		timeout = max(timeout, time.Until(d))
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestServerProcess$", "-test.timeout="+timeout.String())
	cmd.Env = append(append(os.Environ(), "PAVED_TEST_SERVER="+dir), env...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(filepath.Join(dir, "url")); err == nil && len(b) > 0 {
			return cmd, string(b)
		}
	}
	t.Fatal("the server process did not start")
	return nil, ""
}

// TestKillDuringDeploy kills a server process (SIGKILL) while a deployment
// runs, starts it again, and checks that no deployment stays running and
// that the Git repository holds what the store says was last deployed.
func TestKillDuringDeploy(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	dir := t.TempDir()
	ctx := context.Background()
	cmd, url := startChild(t, dir)
	admin := api.NewClient(url, "pvd_kill_admin")
	must(t, admin.CreateTeam(ctx, &paved.Team{Name: "pioneers"}))
	must(t, admin.CreateApp(ctx, &paved.App{Name: "shop", Team: "pioneers"}))
	if _, err := admin.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "shop", Name: "dev", Type: "development"}); err != nil {
		t.Fatal(err)
	}
	specs := map[string]string{}
	for _, f := range examples.Shop() {
		specs[f.Name] = string(f.Data)
	}
	good, err := admin.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs})
	if err != nil {
		t.Fatal(err)
	}
	waitStatus(t, admin, good.ID, paved.DeploymentSucceeded)

	// A redis whose provisioning takes long: the server dies meanwhile.
	slow := filepath.Join(dir, "slow.sh")
	must(t, os.WriteFile(slow, []byte("#!/bin/sh\ncat >/dev/null\nsleep 30\n"), 0o755))
	_, err = admin.ApplyDefinitions(ctx, []paved.ResourceDefinition{{ID: "slow-redis", Type: "redis", Driver: "cmd", Inputs: map[string]any{"program": slow}, Criteria: []paved.Criteria{{Env: "dev"}}, Outputs: redisOutputs}})
	if err != nil {
		t.Fatal(err)
	}
	stuck, err := admin.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs})
	if err != nil {
		t.Fatal(err)
	}
	waitStatus(t, admin, stuck.ID, paved.DeploymentRunning)
	must(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()

	_, url = startChild(t, dir)
	admin = api.NewClient(url, "pvd_kill_admin")
	d, err := admin.GetDeployment(ctx, stuck.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != paved.DeploymentFailed || !strings.Contains(d.Error, "deploy again") {
		t.Fatalf("after the restart the deployment is %s (%q)", d.Status, d.Error)
	}
	last, err := admin.GetDeployment(ctx, good.ID)
	if err != nil {
		t.Fatal(err)
	}
	g, err := gitops.New(gitops.Config{Path: filepath.Join(dir, "gitops")})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := g.Inventory(paved.DeployContext{App: "shop", Env: "dev", EnvType: "development", Namespace: "shop-dev"})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv) != len(last.Inventory) {
		t.Errorf("Git holds %d objects, the store's last deployment %d", len(inv), len(last.Inventory))
	}
	// And the environment takes deployments again (the slow definition gone).
	_, err = admin.ApplyDefinitions(ctx, []paved.ResourceDefinition{{ID: "slow-redis", Type: "redis", Driver: "cmd", Inputs: map[string]any{"program": slow}, Criteria: []paved.Criteria{{Env: "nowhere"}}, Outputs: redisOutputs}})
	if err != nil {
		t.Fatal(err)
	}
	again, err := admin.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs})
	if err != nil {
		t.Fatal(err)
	}
	waitStatus(t, admin, again.ID, paved.DeploymentSucceeded)
}

func waitStatus(t *testing.T, c *api.Client, id string, want paved.DeploymentStatus) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		d, err := c.GetDeployment(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status == want {
			return
		}
		if d.Status == paved.DeploymentFailed && want != paved.DeploymentFailed {
			t.Fatalf("deployment %s failed: %s", id, d.Error)
		}
	}
	t.Fatalf("deployment %s did not become %s", id, want)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var redisOutputs = []paved.OutputSpec{{Name: "host"}, {Name: "port"}, {Name: "username"}, {Name: "password", Secret: true}}
