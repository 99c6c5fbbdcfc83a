package server

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/examples"
	"paved.dev/paved/target/gitops"
)

// TestCrashChaos kills the server process (SIGKILL) at a random point of
// each of a series of deployments, starts it again and checks the
// invariants after every restart:
//
//   - no deployment is left queued or running;
//   - nothing is lost: every deployment the server accepted is there, and
//     every one that had finished kept its result;
//   - the target (the GitOps repository, or a real kube-apiserver) holds
//     exactly the objects of the store's last successful deployment, and
//     its Deployments run that deployment's images, every workload's;
//   - with the real postgres driver: once the environment is deleted, no
//     database or role of the app is left on the PostgreSQL server;
//   - on the kube-apiserver: once the environment is deleted, nothing
//     paved labelled for it is left but its namespace, terminating.
//
// The suite runs a few deployments per variant; test/chaos.sh runs 20
// (PAVED_CHAOS_RUNS) with a seed it prints (PAVED_CHAOS_SEED replays one).
func TestCrashChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	runs, pgRuns, kubeRuns := 3, 2, 3
	if n, err := strconv.Atoi(os.Getenv("PAVED_CHAOS_RUNS")); err == nil && n > 0 {
		runs, pgRuns, kubeRuns = n, n, n
	}
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("PAVED_CHAOS_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("PAVED_CHAOS_SEED=%d PAVED_CHAOS_RUNS=%d", seed, runs)
	t.Run("gitops", func(t *testing.T) { crashChaos(t, rand.New(rand.NewPCG(seed, 1)), runs, gitopsChaos()) })
	t.Run("postgres-driver", func(t *testing.T) {
		needPostgres(t)
		crashChaos(t, rand.New(rand.NewPCG(seed, 2)), pgRuns, postgresChaos())
	})
	t.Run("kubernetes", func(t *testing.T) {
		crashChaos(t, rand.New(rand.NewPCG(seed, 3)), kubeRuns, kubeChaos(t))
	})
}

// chaosTarget is where a variant of the chaos deploys, and how it is read.
type chaosTarget struct {
	// name names the target in errors.
	name string
	// env is added to the server processes' environment.
	env []string
	// prepare registers what the variant needs before the environment is
	// created, and returns the environment's target ("" for the GitOps
	// repository); nil registers nothing.
	prepare func(t *testing.T, c *api.Client, app string) string
	// holds reads what the target holds for an environment: its objects
	// and, by Deployment name, each container's image. It is read after
	// each kill too, with no server running.
	holds func(t *testing.T, dir string, env *paved.Environment) ([]paved.ObjectRef, workloadImages)
	// gone checks, once the environment is deleted, that nothing of it is
	// left; nil: the environment is not deleted.
	gone func(t *testing.T, env *paved.Environment)
}

// gitopsChaos deploys to the GitOps repository in the server's data dir.
func gitopsChaos() chaosTarget {
	return chaosTarget{name: "Git", holds: gitopsHolds}
}

// postgresChaos deploys to the GitOps repository too, with the real
// postgres driver making a database and role per resource on the local
// PostgreSQL server.
func postgresChaos() chaosTarget {
	v := gitopsChaos()
	v.prepare = func(t *testing.T, c *api.Client, app string) string {
		_, err := c.ApplyDefinitions(context.Background(), []paved.ResourceDefinition{{ID: "pg-local", Type: "postgres", Driver: "postgres",
			Criteria: []paved.Criteria{{App: app}},
			Inputs:   map[string]any{"host": "127.0.0.1", "port": 5432, "username": "postgres", "password": "", "sslmode": "disable"}}})
		must(t, err)
		return ""
	}
	v.gone = func(t *testing.T, env *paved.Environment) { noneLeaked(t, env.App) }
	return v
}

func crashChaos(t *testing.T, rng *rand.Rand, runs int, target chaosTarget) {
	ctx := context.Background()
	dir := t.TempDir()
	cmd, url := startChild(t, dir, target.env...)
	c := api.NewClient(url, "pvd_kill_admin")
	app := "chaos" + strconv.FormatInt(rng.Int64N(1<<40), 36)
	must(t, c.CreateTeam(ctx, &paved.Team{Name: "pioneers"}))
	must(t, c.CreateApp(ctx, &paved.App{Name: app, Team: "pioneers"}))
	envTarget := ""
	if target.prepare != nil {
		envTarget = target.prepare(t, c, app)
	}
	env, err := c.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: app, Name: "dev", Type: paved.EnvDevelopment, Target: envTarget})
	must(t, err)
	// A first deployment takes the measure of one, to spread the kills
	// over it.
	start := time.Now()
	first, err := c.Deploy(ctx, &paved.DeployRequest{App: app, Env: "dev", Specs: chaosSpecs(0)})
	must(t, err)
	if got := waitEnded(t, c, first.ID); got.Status != paved.DeploymentSucceeded {
		t.Fatalf("the first deployment, before any kill: %s %q", got.Status, got.Error)
	}
	took := time.Since(start)
	t.Logf("one deployment takes %v", took)

	accepted := []string{first.ID}
	finished := map[string]paved.DeploymentStatus{}
	last := checkChaosInvariants(t, c, dir, env, target, accepted, finished, "before any kill")
	// broughtBack counts the kills after which the target held something
	// else than the last success, and the restart brought it back.
	broughtBack := 0
	for i := 1; i <= runs; i++ {
		// Kill at a random point from before the request is answered to
		// a little after the deployment would have ended.
		delay := time.Duration(rng.Int64N(int64(took*5/4) + 1))
		killed := make(chan struct{})
		timer := time.AfterFunc(delay, func() {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			close(killed)
		})
		d, err := c.Deploy(ctx, &paved.DeployRequest{App: app, Env: "dev", Specs: chaosSpecs(i)})
		if err == nil {
			accepted = append(accepted, d.ID)
		}
		<-killed
		timer.Stop()
		_ = cmd.Wait()
		refsAtKill, imagesAtKill := target.holds(t, dir, env)
		cmd, url = startChild(t, dir, target.env...)
		c = api.NewClient(url, "pvd_kill_admin")
		now := checkChaosInvariants(t, c, dir, env, target, accepted, finished, fmt.Sprintf("run %d (killed %v after the request)", i, delay.Round(time.Millisecond)))
		if now.ID == last.ID && (!slices.Equal(refStrings(refsAtKill), refStrings(last.Inventory)) || !imagesAtKill.equal(specImages(t, last))) {
			broughtBack++
		}
		last = now
		if t.Failed() {
			return
		}
		// Deployments get faster as the server warms up: the kills follow.
		if err == nil {
			if got, gerr := c.GetDeployment(ctx, d.ID); gerr == nil && got.Status == paved.DeploymentSucceeded {
				took = (took + got.FinishedAt.Sub(got.CreatedAt)) / 2
			}
		}
	}
	list, err := c.ListDeployments(ctx, paved.DeploymentFilter{App: app, Env: "dev", Limit: 1000})
	must(t, err)
	counts := map[paved.DeploymentStatus]int{}
	for _, d := range list {
		counts[d.Status]++
	}
	t.Logf("%d runs: %d deployments, %v; kills that left %s holding another deployment's objects or images, brought back by the restart: %d",
		runs, len(list), counts, target.name, broughtBack)
	// The environment still deploys, and the target follows.
	d, err := c.Deploy(ctx, &paved.DeployRequest{App: app, Env: "dev", Specs: chaosSpecs(runs + 1)})
	must(t, err)
	if got := waitEnded(t, c, d.ID); got.Status != paved.DeploymentSucceeded {
		t.Fatalf("deploying after the chaos: %s %q", got.Status, got.Error)
	}
	checkChaosInvariants(t, c, dir, env, target, append(accepted, d.ID), finished, "after the chaos")
	if target.gone != nil {
		_, err := c.DeleteEnvironment(ctx, app, "dev", paved.DeleteOptions{})
		must(t, err)
		target.gone(t, env)
	}
}

// chaosSpecs are the shop's Score files with run i's image tag, every
// other run without the web workload: each deployment changes something.
func chaosSpecs(i int) map[string]string {
	m := map[string]string{}
	for _, f := range examples.Shop() {
		if i%2 == 1 && f.Name == "web.score.yaml" {
			continue
		}
		m[f.Name] = strings.ReplaceAll(string(f.Data), ":1.0.0", fmt.Sprintf(":1.0.%d", i))
	}
	return m
}

func waitEnded(t *testing.T, c *api.Client, id string) *paved.Deployment {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		d, err := c.GetDeployment(context.Background(), id)
		must(t, err)
		if d.Status == paved.DeploymentSucceeded || d.Status == paved.DeploymentFailed {
			return d
		}
	}
	t.Fatalf("deployment %s did not end", id)
	return nil
}

// checkChaosInvariants checks the invariants after a restart and returns
// the last successful deployment.
func checkChaosInvariants(t *testing.T, c *api.Client, dir string, env *paved.Environment, target chaosTarget, accepted []string, finished map[string]paved.DeploymentStatus, run string) *paved.Deployment {
	t.Helper()
	ctx := context.Background()
	list, err := c.ListDeployments(ctx, paved.DeploymentFilter{App: env.App, Env: env.Name, Limit: 1000})
	must(t, err)
	var lastOK *paved.Deployment
	byID := map[string]paved.Deployment{}
	for _, d := range list {
		byID[d.ID] = d
		switch d.Status {
		case paved.DeploymentQueued, paved.DeploymentRunning:
			t.Errorf("%s: deployment %s is still %s after the restart", run, d.ID, d.Status)
		case paved.DeploymentSucceeded:
			if lastOK == nil || d.FinishedAt.After(*lastOK.FinishedAt) {
				dd := d
				lastOK = &dd
			}
		}
	}
	for _, id := range accepted {
		d, ok := byID[id]
		if !ok {
			t.Errorf("%s: deployment %s, accepted, is lost", run, id)
			continue
		}
		if was, ok := finished[id]; ok && was != d.Status {
			t.Errorf("%s: deployment %s was %s, is %s", run, id, was, d.Status)
		}
		finished[id] = d.Status
	}
	if lastOK == nil {
		t.Fatalf("%s: no successful deployment, not even the first", run)
	}
	full, err := c.GetDeployment(ctx, lastOK.ID)
	must(t, err)
	refs, images := target.holds(t, dir, env)
	if got, want := refStrings(refs), refStrings(full.Inventory); !slices.Equal(got, want) {
		t.Errorf("%s: %s holds %v,\nthe last successful deployment (%s) %v", run, target.name, got, full.ID, want)
	}
	// Its Deployments, as the target holds them, run its images: each
	// container of every workload.
	if want := specImages(t, full); !images.equal(want) {
		t.Errorf("%s: the Deployments %s holds run %v,\nthe last successful deployment (%s) %v", run, target.name, images, full.ID, want)
	}
	return full
}

// gitopsHolds reads the environment's directory of the GitOps repository
// in the server's data dir.
func gitopsHolds(t *testing.T, dir string, env *paved.Environment) ([]paved.ObjectRef, workloadImages) {
	t.Helper()
	return repoHolds(t, filepath.Join(dir, "gitops"), env)
}

// repoHolds is gitopsHolds for a repository at path (a data dir's, or a
// clone of a remote).
func repoHolds(t *testing.T, path string, env *paved.Environment) ([]paved.ObjectRef, workloadImages) {
	t.Helper()
	g, err := gitops.New(gitops.Config{Path: path})
	must(t, err)
	dc := paved.DeployContext{App: env.App, Env: env.Name, EnvType: env.Type, Namespace: env.Namespace}
	refs, err := g.Inventory(dc)
	must(t, err)
	files, err := g.Files(dc)
	must(t, err)
	images := workloadImages{}
	for name, data := range files {
		var obj map[string]any
		if err := yaml.Unmarshal(data, &obj); err != nil {
			t.Fatalf("Git's %s/%s/%s is not YAML: %v", env.Name, env.App, name, err)
		}
		if obj["kind"] == "Deployment" {
			images.add(t, &unstructured.Unstructured{Object: obj})
		}
	}
	return refs, images
}

func refStrings(refs []paved.ObjectRef) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.String())
	}
	slices.Sort(out)
	return out
}

// noneLeaked: no database or role named for the app is left on the local
// PostgreSQL server.
func noneLeaked(t *testing.T, app string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, "host=127.0.0.1 port=5432 user=postgres dbname=postgres sslmode=disable")
	must(t, err)
	defer conn.Close(ctx)
	prefix := "paved_" + app + "_%"
	for _, q := range []string{"SELECT datname FROM pg_database WHERE datname LIKE $1", "SELECT rolname FROM pg_roles WHERE rolname LIKE $1"} {
		rows, err := conn.Query(ctx, q, prefix)
		must(t, err)
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		must(t, err)
		if len(names) > 0 {
			t.Errorf("left on the PostgreSQL server after the environment was deleted: %v", names)
		}
	}
}
