package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/examples"
)

// TestReplicaKilledMidDeployment kills (SIGKILL) one of two replicas
// sharing a PostgreSQL store while it runs a deployment: the other takes
// it for dead once it has been silent for the orphan timeout (2 s here,
// --orphan-after; 30 s by default), fails its deployment saying why, and
// carries on: the environment takes deployments through it again (once the
// dead replica's lease, 3 s here, has expired) and nothing stays running.
func TestReplicaKilledMidDeployment(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	needPostgres(t)
	ctx := context.Background()
	const orphanAfter = 2 * time.Second
	cmds, clients, env := startReplicas(t, "PAVED_TEST_ORPHAN_AFTER="+orphanAfter.String(), "PAVED_TEST_LEASE_TTL=3s")
	a, b := clients[0], clients[1]
	_, err := a.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "shop", Name: "dev", Type: paved.EnvDevelopment})
	must(t, err)
	specs := map[string]string{}
	for _, f := range examples.Shop() {
		specs[f.Name] = string(f.Data)
	}
	good, err := a.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs})
	must(t, err)
	waitStatus(t, b, good.ID, paved.DeploymentSucceeded)

	// A redis whose provisioning takes long: the replica running it dies
	// meanwhile. Each round kills the other replica, and starts a new one
	// (a data dir, so a server id, of its own) in the dead one's place.
	slow := filepath.Join(t.TempDir(), "slow.sh")
	must(t, os.WriteFile(slow, []byte("#!/bin/sh\ncat >/dev/null\nsleep 30\n"), 0o755))
	slowDef := func(c *api.Client, env string) {
		_, err := c.ApplyDefinitions(ctx, []paved.ResourceDefinition{{ID: "slow-redis", Type: "redis", Driver: "cmd", Inputs: map[string]any{"program": slow},
			Criteria: []paved.Criteria{{Env: env}}, Outputs: redisOutputs}})
		must(t, err)
	}
	rounds := 1
	if v, err := strconv.Atoi(os.Getenv("PAVED_REPLICA_KILLS")); err == nil && v > 0 {
		rounds = v
	}
	var took []time.Duration
	for round := range rounds {
		victim, survivor := round%2, 1-round%2
		b := clients[survivor]
		slowDef(b, "dev")
		stuck, err := clients[victim].Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs})
		must(t, err)
		waitStatus(t, b, stuck.ID, paved.DeploymentRunning)
		must(t, cmds[victim].Process.Signal(syscall.SIGKILL))
		killedAt := time.Now()
		_ = cmds[victim].Wait()

		d := waitEnded(t, b, stuck.ID)
		failedAfter := time.Since(killedAt)
		if d.Status != paved.DeploymentFailed || !strings.Contains(d.Error, "stopped") || !strings.Contains(d.Error, "deploy again") {
			t.Fatalf("round %d: the dead replica's deployment is %s (%q), want failed by the other", round, d.Status, d.Error)
		}
		// Its heartbeat came at most a sixth of the timeout before the
		// kill, and the other checks as often.
		if failedAfter < orphanAfter-orphanAfter/6 || failedAfter > orphanAfter+5*time.Second {
			t.Errorf("round %d: the orphan was failed %v after the kill, with an orphan timeout of %v", round, failedAfter.Round(time.Millisecond), orphanAfter)
		}
		took = append(took, failedAfter.Round(time.Millisecond))

		// The survivor carries on.
		slowDef(b, "nowhere")
		again, err := b.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs})
		must(t, err)
		waitStatus(t, b, again.ID, paved.DeploymentSucceeded)
		all, err := b.ListDeployments(ctx, paved.DeploymentFilter{App: "shop", Env: "dev", Limit: 1000})
		must(t, err)
		for _, d := range all {
			if d.Status == paved.DeploymentQueued || d.Status == paved.DeploymentRunning {
				t.Errorf("round %d: deployment %s is still %s", round, d.ID, d.Status)
			}
		}
		if round < rounds-1 {
			var url string
			cmds[victim], url = startChild(t, filepath.Join(t.TempDir(), fmt.Sprint("replica-", round)), env...)
			clients[victim] = api.NewClient(url, "pvd_kill_admin")
		}
	}
	t.Logf("%d kills; each orphan failed after %v (orphan timeout %v)", rounds, took, orphanAfter)
}

// TestReplicasExpireOnce: ephemeral environments that expire while two
// replicas reap every 200 ms are deleted once each: one env.expire audit
// entry per environment, successful, none failed.
func TestReplicasExpireOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	needPostgres(t)
	ctx := context.Background()
	_, clients, _ := startReplicas(t, "PAVED_TEST_REAP_EVERY=200ms")
	c := clients[0]
	n := 5
	if v, err := strconv.Atoi(os.Getenv("PAVED_REPLICA_EXPIRIES")); err == nil && v > 0 {
		n = v
	}
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, err := clients[i%2].CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "shop", Name: fmt.Sprint("pr-", i), Type: paved.EnvEphemeral, TTL: paved.Duration(2 * time.Second)})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i := range n {
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			_, err := clients[(i+1)%2].GetEnvironment(ctx, "shop", fmt.Sprint("pr-", i))
			if paved.ErrorCode(err) == paved.ENOTFOUND {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("pr-%d was not reaped: %v", i, err)
			}
		}
	}
	// Both replicas have had many more turns since.
	time.Sleep(time.Second)
	entries, err := c.ListAudit(ctx, paved.AuditFilter{Action: "env.expire", Since: &start, Limit: 1000})
	must(t, err)
	per := map[string]int{}
	for _, e := range entries {
		if e.Result != "ok" {
			t.Errorf("env.expire of %s: %s", e.Target, e.Result)
		}
		per[e.Target]++
	}
	for i := range n {
		if got := per[fmt.Sprint("shop/pr-", i)]; got != 1 {
			t.Errorf("shop/pr-%d: %d env.expire entries, want 1", i, got)
		}
	}
	if len(entries) != n {
		t.Errorf("%d env.expire entries, want %d: %v", len(entries), n, per)
	}
}

// TestCoordinationLimits: an orphan timeout or a lease shorter than a
// second is refused at start, naming the flag.
func TestCoordinationLimits(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{OrphanAfter: 999 * time.Millisecond}, "--orphan-after: 999ms is shorter than 1s"},
		{Config{LeaseTTL: 500 * time.Millisecond}, "--lease-ttl: 500ms is shorter than 1s"},
	} {
		c.cfg.Addr, c.cfg.DataDir = "127.0.0.1:0", t.TempDir()
		s, err := Start(context.Background(), c.cfg)
		if err == nil {
			s.Close()
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("%+v: %v, want %q", c.cfg, err, c.want)
		}
	}
	s, err := Start(context.Background(), Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), OrphanAfter: time.Second, LeaseTTL: time.Second})
	must(t, err)
	must(t, s.Close())
}
