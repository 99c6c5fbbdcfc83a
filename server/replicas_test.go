package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/target/gitops"
)

// TestReplicas runs two server processes on one PostgreSQL store (a
// database of its own on the local server), one key, one sealing
// certificate and one Git remote, and sends concurrent deployments to one
// environment through both: every one is recorded, they ran one at a time
// (no two overlap between start and finish), none is lost and each ends.
// The suite sends 20; test/replicas.sh sends 100 (PAVED_REPLICA_DEPLOYS).
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	needPostgres(t)
	n := 20
	if v, err := strconv.Atoi(os.Getenv("PAVED_REPLICA_DEPLOYS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	_, clients, env := startReplicas(t)
	c := clients[0]
	_, err := clients[1].CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "shop", Name: "dev", Type: paved.EnvDevelopment})
	must(t, err)

	start := time.Now()
	ids := make([]string, n)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			d, err := clients[i%2].Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: chaosSpecs(i)})
			if err == nil {
				ids[i] = d.ID
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("deployment %d through replica %d: %v", i, i%2, err)
		}
	}
	var ended []*paved.Deployment
	for _, id := range ids {
		ended = append(ended, waitEnded(t, c, id))
	}
	t.Logf("%d deployments through 2 replicas in %v", n, time.Since(start).Round(time.Millisecond))
	// The replacements of stale plans end too.
	var list []paved.Deployment
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		list, err = clients[1].ListDeployments(ctx, paved.DeploymentFilter{App: "shop", Env: "dev", Limit: 1000})
		must(t, err)
		if !slices.ContainsFunc(list, func(d paved.Deployment) bool {
			return d.Status == paved.DeploymentQueued || d.Status == paved.DeploymentRunning
		}) || time.Now().After(deadline) {
			break
		}
	}
	// Every accepted deployment is recorded; the others are the
	// replacements of stale plans, each named by the one it replaced.
	recorded := map[string]paved.Deployment{}
	for _, d := range list {
		recorded[d.ID] = d
	}
	replacements := map[string]bool{}
	runners := map[string]int{}
	statuses := map[paved.DeploymentStatus]int{}
	for _, d := range ended {
		if _, ok := recorded[d.ID]; !ok {
			t.Errorf("deployment %s, accepted, is not recorded", d.ID)
		}
		if d.ReplacedBy != "" {
			replacements[d.ReplacedBy] = true
		}
		if d.Status == paved.DeploymentFailed && !strings.Contains(d.Error, "the plan is stale") {
			t.Errorf("deployment %s failed: %s", d.ID, d.Error)
		}
	}
	for _, d := range list {
		if d.StartedAt != nil {
			runners[d.Runner]++ // a deployment refused before it ran has no runner
		}
		statuses[d.Status]++
		if !slices.Contains(ids, d.ID) && !replacements[d.ID] {
			t.Errorf("deployment %s is recorded but was neither accepted nor a replacement", d.ID)
		}
		if d.Status != paved.DeploymentSucceeded && d.Status != paved.DeploymentFailed {
			t.Errorf("deployment %s is %s after every deployment ended", d.ID, d.Status)
		}
	}
	if len(runners) != 2 || runners[""] > 0 {
		t.Errorf("runners %v: want both replicas to have run deployments", runners)
	}
	t.Logf("%d recorded (%d replacements of stale plans), runners %v, statuses %v", len(list), len(replacements), runners, statuses)
	// One at a time across the replicas: sorted by start, each finished
	// before the next started.
	var ran []paved.Deployment
	var last *paved.Deployment
	for _, d := range list {
		if d.StartedAt != nil {
			ran = append(ran, d)
		}
		if d.Status == paved.DeploymentSucceeded && (last == nil || d.FinishedAt.After(*last.FinishedAt)) {
			dd := d
			last = &dd
		}
	}
	slices.SortFunc(ran, func(a, b paved.Deployment) int { return a.StartedAt.Compare(*b.StartedAt) })
	for i := 1; i < len(ran); i++ {
		if ran[i].StartedAt.Before(*ran[i-1].FinishedAt) {
			t.Errorf("deployments %s (%s, %v–%v) and %s (%s, %v–%v) overlap", ran[i-1].ID, ran[i-1].Runner, ran[i-1].StartedAt, ran[i-1].FinishedAt,
				ran[i].ID, ran[i].Runner, ran[i].StartedAt, ran[i].FinishedAt)
		}
	}
	if last == nil {
		t.Fatal("no deployment succeeded")
	}
	// The shared remote holds the last success's objects.
	full, err := c.GetDeployment(ctx, last.ID)
	must(t, err)
	clone := t.TempDir()
	_, err = git.PlainClone(clone, false, &git.CloneOptions{URL: strings.TrimPrefix(env[3], "PAVED_TEST_GIT_URL="), ReferenceName: plumbing.NewBranchReferenceName("main")})
	must(t, err)
	// Exactly its objects, each workload with its images.
	refs, images := repoHolds(t, clone, &paved.Environment{App: "shop", Name: "dev", Type: paved.EnvDevelopment, Namespace: "shop-dev"})
	if got, want := refStrings(refs), refStrings(full.Inventory); !slices.Equal(got, want) {
		t.Errorf("the Git remote holds %v,\nthe last successful deployment (%s) %v", got, full.ID, want)
	}
	if want := specImages(t, full); !images.equal(want) {
		t.Errorf("the Git remote's workloads run %v, the last successful deployment's (%s) %v", images, full.ID, want)
	}
}

// startReplicas starts two server processes that share a store (a
// database of their own on the local PostgreSQL server; sharedStoreEnv, and
// env for both), and makes the team pioneers and its app shop through the
// first. It returns their processes, clients and environment.
func startReplicas(t *testing.T, env ...string) ([]*exec.Cmd, []*api.Client, []string) {
	t.Helper()
	return startReplicasOn(t, testDatabase(t, "paved_replicas_"), env...)
}

// startReplicasOn is startReplicas on the PostgreSQL database at database.
func startReplicasOn(t *testing.T, database string, env ...string) ([]*exec.Cmd, []*api.Client, []string) {
	t.Helper()
	env = append(sharedStoreEnv(t, database), env...)
	var cmds []*exec.Cmd
	var clients []*api.Client
	for i := range 2 {
		cmd, url := startChild(t, filepath.Join(t.TempDir(), fmt.Sprint("replica", i)), env...)
		cmds, clients = append(cmds, cmd), append(clients, api.NewClient(url, "pvd_kill_admin"))
	}
	ctx := context.Background()
	must(t, clients[0].CreateTeam(ctx, &paved.Team{Name: "pioneers"}))
	must(t, clients[0].CreateApp(ctx, &paved.App{Name: "shop", Team: "pioneers"}))
	return cmds, clients, env
}

// sharedStoreEnv makes what replicas share besides the database at
// database: a secret key, a sealing certificate and a bare Git remote; it
// returns the child servers' environment.
func sharedStoreEnv(t *testing.T, database string) []string {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	remote := filepath.Join(t.TempDir(), "remote.git")
	_, err := git.PlainInit(remote, true)
	must(t, err)
	return []string{
		"PAVED_TEST_DATABASE=" + database,
		"PAVED_TEST_SECRET_KEY=" + base64.StdEncoding.EncodeToString(key),
		"PAVED_TEST_SEALING_CERT=" + testSealingCert(t),
		"PAVED_TEST_GIT_URL=file://" + remote,
	}
}

// needPostgres skips the test when the local PostgreSQL server is not
// reachable, and fails it in CI, where it must be.
func needPostgres(t *testing.T) {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:5432", time.Second)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is not reachable at 127.0.0.1:5432 (%v): CI must run .ci/services.sh first", err)
		}
		t.Skipf("PostgreSQL is not reachable at 127.0.0.1:5432 (%v)", err)
	}
	c.Close()
}

// testDatabase makes a PostgreSQL database of its own on the local server,
// dropped at the end, and returns its URL.
func testDatabase(t *testing.T, prefix string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, "host=127.0.0.1 port=5432 user=postgres dbname=postgres sslmode=disable")
	must(t, err)
	name := prefix + strings.ToLower(rand.Text()[:10])
	_, err = admin.Exec(ctx, "CREATE DATABASE "+name)
	must(t, err)
	t.Cleanup(func() {
		_, _ = admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)")
		admin.Close(ctx)
	})
	return "postgres://postgres@127.0.0.1:5432/" + name + "?sslmode=disable"
}

// testSealingCert makes a sealing key pair and returns its certificate's
// file.
func testSealingCert(t *testing.T) string {
	t.Helper()
	sealing := t.TempDir()
	_, err := gitops.LoadOrCreateSealingKey(sealing)
	must(t, err)
	return filepath.Join(sealing, gitops.SealingCertFile)
}
