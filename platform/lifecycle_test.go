package platform

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"paved.dev/paved"
)

// flakyStore fails chosen store calls, to play a database that is down for
// a while.
type flakyStore struct {
	paved.Store
	// renewals: acquisitions of a lease after the first fail.
	failRenewals atomic.Bool
	acquired     atomic.Int32
	// hangRenewals: acquisitions after the first hang until their
	// context ends, as on a store that stopped answering.
	hangRenewals atomic.Bool
	// failAcquires: this many acquisitions fail first.
	failAcquires atomic.Int32
	// failFinish: FinishDeployment fails.
	failFinish atomic.Bool
	// failGets: this many GetDeployment calls fail first.
	failGets atomic.Int32
	// failStart: StartDeployment fails.
	failStart atomic.Bool
}

func (s *flakyStore) GetDeployment(ctx context.Context, id string) (*paved.Deployment, error) {
	if s.failGets.Add(-1) >= 0 {
		return nil, errors.New("the database is down")
	}
	return s.Store.GetDeployment(ctx, id)
}

func (s *flakyStore) StartDeployment(ctx context.Context, id, runner string, at time.Time) error {
	if s.failStart.Load() {
		return errors.New("the database is down")
	}
	return s.Store.StartDeployment(ctx, id, runner, at)
}

// TestDeploymentThatCannotStartFails: the runner cannot read the queued
// deployment, or cannot mark it running; either way it fails it at once,
// saying why, instead of leaving it queued for the sweep.
func TestDeploymentThatCannotStartFails(t *testing.T) {
	var fs *flakyStore
	f := newFixture(t, func(c *Config) {
		fs = &flakyStore{Store: c.Store}
		c.Store = fs
	})
	for _, tc := range []struct {
		name, want string
		set        func()
	}{
		{"unreadable", "it could not start: reading it from the store failed", func() { fs.failGets.Store(3) }},
		{"cannot be marked running", "it could not start: marking it running failed", func() { fs.failStart.Store(true) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.set()
			d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()})
			must(t, err)
			f.p.Wait()
			fs.failGets.Store(0)
			fs.failStart.Store(false)
			got, err := f.p.GetDeployment(f.dev, d.ID)
			must(t, err)
			if got.Status != paved.DeploymentFailed || !strings.Contains(got.Error, tc.want) {
				t.Fatalf("%s %q; want failed: %s", got.Status, got.Error, tc.want)
			}
		})
	}
}

func (s *flakyStore) AcquireLease(ctx context.Context, name, holder string, until, now time.Time) (bool, error) {
	if s.failAcquires.Add(-1) >= 0 {
		return false, errors.New("connection refused")
	}
	n := s.acquired.Add(1)
	if n > 1 && s.failRenewals.Load() {
		return false, errors.New("connection reset by peer")
	}
	if n > 1 && s.hangRenewals.Load() {
		<-ctx.Done()
		return false, ctx.Err()
	}
	return s.Store.AcquireLease(ctx, name, holder, until, now)
}

func (s *flakyStore) RenewLease(ctx context.Context, name, holder string, until, now time.Time) (bool, error) {
	if s.failRenewals.Load() {
		return false, errors.New("connection reset by peer")
	}
	if s.hangRenewals.Load() {
		<-ctx.Done()
		return false, ctx.Err()
	}
	return s.Store.RenewLease(ctx, name, holder, until, now)
}

func (s *flakyStore) FinishDeployment(ctx context.Context, id, runner, lease string, st paved.DeploymentStatus, r *paved.DeploymentResult, at time.Time) error {
	if s.failFinish.Load() {
		return errors.New("the database is down")
	}
	return s.Store.FinishDeployment(ctx, id, runner, lease, st, r, at)
}

// slowDefinition makes the fixture's redis come from a cmd program that
// takes a while, so that a deployment is running long enough to act on it.
func slowDefinition(t *testing.T, f *fixture, seconds string) {
	t.Helper()
	slow := filepath.Join(f.dir, "slow.sh")
	must(t, os.WriteFile(slow, []byte("#!/bin/sh\ncat >/dev/null\nsleep "+seconds+"\necho '{\"resource_outputs\": {\"host\": \"h\", \"port\": 6379, \"username\": \"u\", \"password\": \"p\"}}'\n"), 0o755))
	_, err := f.p.ApplyDefinitions(f.admin, []paved.ResourceDefinition{{ID: "slow-redis", Type: "redis", Driver: "cmd", Inputs: map[string]any{"program": slow},
		Outputs: []paved.OutputSpec{{Name: "host"}, {Name: "port"}, {Name: "username"}, {Name: "password", Secret: true}}}})
	must(t, err)
}

// TestLostLeaseFailsTheDeployment: renewals of the environment's lease fail
// until the lease would expire; the run is stopped and the runner records
// the failure itself, so that the deployment never stays running on a live
// server and the environment can be deleted afterwards.
func TestLostLeaseFailsTheDeployment(t *testing.T) {
	var fs *flakyStore
	f := newFixture(t, func(c *Config) {
		fs = &flakyStore{Store: c.Store}
		c.Store = fs
		c.Now = time.Now // lease expiry follows the real clock here
		c.LeaseTTL = 600 * time.Millisecond
	})
	slowDefinition(t, f, "3")
	fs.acquired.Store(0)
	fs.failRenewals.Store(true)
	got := f.deployToEnd(t, shopSpecs())
	if got.Status != paved.DeploymentFailed || !strings.Contains(got.Error, "lease could not be renewed") {
		t.Fatalf("after the lease was lost: %s %q; want failed, saying the lease was lost", got.Status, got.Error)
	}
	fs.failRenewals.Store(false)
	if _, err := f.p.DeleteEnvironment(f.dev, "shop", "dev", paved.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestHangingRenewalStopsTheWork: renewals hang instead of failing; the
// run is stopped by the lease's own clock before the lease would expire,
// not by an answer from the store.
func TestHangingRenewalStopsTheWork(t *testing.T) {
	var fs *flakyStore
	f := newFixture(t, func(c *Config) {
		fs = &flakyStore{Store: c.Store}
		c.Store = fs
		c.Now = time.Now
		c.LeaseTTL = 600 * time.Millisecond
	})
	slowDefinition(t, f, "3")
	fs.acquired.Store(0)
	fs.hangRenewals.Store(true)
	start := time.Now()
	got := f.deployToEnd(t, shopSpecs())
	if got.Status != paved.DeploymentFailed || !strings.Contains(got.Error, "lease could not be renewed") {
		t.Fatalf("with renewals hanging: %s %q; want failed, saying the lease was lost", got.Status, got.Error)
	}
	// Stopped at 480 ms of the 600 ms lease; the driver would have taken 3 s.
	if took := got.FinishedAt.Sub(start); took > 2*time.Second {
		t.Errorf("the run stopped after %v; want it stopped before the lease expired", took)
	}
	fs.hangRenewals.Store(false)
}

// TestFirstLeaseIsRetried: a store that fails the first attempts to take
// the lease is tried again, backing off; one that keeps failing fails the
// deployment, saying it could not start.
func TestFirstLeaseIsRetried(t *testing.T) {
	var fs *flakyStore
	f := newFixture(t, func(c *Config) {
		fs = &flakyStore{Store: c.Store}
		c.Store = fs
	})
	fs.failAcquires.Store(leaseAcquireAttempts - 1)
	ok := f.deployAndWait(t, f.dev, "dev", shopSpecs())
	if ok.Status != paved.DeploymentSucceeded {
		t.Fatalf("after %d failed attempts: %s", leaseAcquireAttempts-1, ok.Status)
	}
	fs.failAcquires.Store(leaseAcquireAttempts)
	got := f.deployToEnd(t, shopSpecs())
	if got.Status != paved.DeploymentFailed || !strings.Contains(got.Error, "it could not start") {
		t.Fatalf("after %d failed attempts: %s %q", leaseAcquireAttempts, got.Status, got.Error)
	}
}

// TestUnrecordedResultIsSwept: the runner cannot write a deployment's
// result (the database is down); once it no longer holds it, the sweep of
// this server's stuck deployments fails it, instead of leaving it running
// for ever.
func TestUnrecordedResultIsSwept(t *testing.T) {
	var fs *flakyStore
	f := newFixture(t, func(c *Config) {
		fs = &flakyStore{Store: c.Store}
		c.Store = fs
	})
	fs.failFinish.Store(true)
	d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()})
	must(t, err)
	f.p.Wait()
	stuck, _ := f.store.GetDeployment(context.Background(), d.ID)
	if stuck.Status != paved.DeploymentRunning {
		t.Fatalf("with the result unwritable the deployment is %s; the test wants it left running", stuck.Status)
	}
	// What it was about to write was recorded before the target wrote it.
	if len(stuck.Inventory) == 0 {
		t.Fatalf("the stuck deployment has no inventory; want what it was about to write")
	}
	if _, err := f.p.DeleteEnvironment(f.dev, "shop", "dev", paved.DeleteOptions{}); paved.ErrorCode(err) != paved.ECONFLICT {
		t.Fatalf("deleting the environment of a running deployment: %v", err)
	}
	fs.failFinish.Store(false)
	must(t, f.p.sweepOwn(context.Background()))
	got, _ := f.store.GetDeployment(context.Background(), d.ID)
	if got.Status != paved.DeploymentFailed || got.Error != stuckReason || !slices.Equal(got.Inventory, stuck.Inventory) {
		t.Fatalf("after the sweep: %s %q, inventory %v", got.Status, got.Error, got.Inventory)
	}
	// It listed exactly what the target holds: a successful deployment of
	// the same specs reports the same inventory.
	again, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()})
	must(t, err)
	f.p.Wait()
	done, _ := f.store.GetDeployment(context.Background(), again.ID)
	if done.Status != paved.DeploymentSucceeded || !slices.Equal(done.Inventory, stuck.Inventory) {
		t.Fatalf("the next deployment: %s %q, inventory %v; want succeeded with %v", done.Status, done.Error, done.Inventory, stuck.Inventory)
	}
	if _, err := f.p.DeleteEnvironment(f.dev, "shop", "dev", paved.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestPlanPinsTheDefinitions: a definition changed after a deployment was
// planned does not change what it provisions; the next deployment plans
// with the new version.
func TestPlanPinsTheDefinitions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	def := func(host string) {
		_, err := f.p.ApplyDefinitions(f.admin, []paved.ResourceDefinition{{ID: "dev-redis", Type: "redis", Driver: "echo",
			Inputs: map[string]any{"values": map[string]any{"host": host, "port": 6379, "username": "u"}, "secrets": map[string]any{"password": "p"}}}})
		must(t, err)
	}
	def("redis-v1")
	// Another server holds the environment: the deployment waits, queued.
	lease := "deploy/shop/dev"
	ok, err := f.store.AcquireLease(ctx, lease, "other-server", time.Now().Add(time.Hour), f.clock.Now())
	if err != nil || !ok {
		t.Fatalf("taking the lease: %v %v", ok, err)
	}
	d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()})
	must(t, err)
	pin, ok := d.Plan.Pinned("redis.default#web.cache")
	if !ok || pin.ID != "dev-redis" || pin.Version != 1 {
		t.Fatalf("the plan pins %+v for the redis", pin)
	}
	def("redis-v2")
	must(t, f.store.ReleaseLease(ctx, lease, "other-server"))
	f.p.Wait()
	got, _ := f.p.GetDeployment(f.dev, d.ID)
	if got.Status != paved.DeploymentSucceeded {
		t.Fatalf("deployment: %s %s", got.Status, got.Error)
	}
	out, err := f.p.Outputs(f.dev, "shop", "dev", "redis.default#web.cache", false)
	must(t, err)
	if out["host"] != "redis-v1" {
		t.Errorf("the deployment ran definition version 2 (host %v), not the version 1 its plan pinned", out["host"])
	}
	plan, err := f.p.Plan(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()})
	must(t, err)
	for _, r := range plan.Resources {
		if r.UID == "redis.default#web.cache" && (r.Action != paved.PlanUpdate || r.Definition.Version != 2) {
			t.Errorf("the next plan for the redis: %+v; want an update to version 2", r)
		}
	}
}

// TestDefinitionSwitchOrphansTheOldResource: when another definition
// starts matching a resource, the plan says it is re-provisioned (by whom,
// and what it was), and after the deployment the old resource is kept and
// listed as orphaned, never silently replaced.
func TestDefinitionSwitchOrphansTheOldResource(t *testing.T) {
	f := newFixture(t)
	first := f.deployAndWait(t, f.dev, "dev", shopSpecs())
	_, err := f.p.ApplyDefinitions(f.admin, []paved.ResourceDefinition{{ID: "shared-redis", Type: "redis", Driver: "echo",
		Criteria: []paved.Criteria{{EnvType: paved.EnvDevelopment}},
		Inputs:   map[string]any{"values": map[string]any{"host": "redis.shared", "port": 6379, "username": "u"}, "secrets": map[string]any{"password": "p"}}}})
	must(t, err)
	plan, err := f.p.Plan(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()})
	must(t, err)
	var re *paved.PlannedResource
	for i, r := range plan.Resources {
		if r.UID == "redis.default#web.cache" {
			re = &plan.Resources[i]
		}
	}
	if re == nil || re.Action != paved.PlanReprovision || re.Was == nil || re.Was.ID != "default-redis" ||
		!strings.Contains(re.Reason, "re-provisioned by definition shared-redis v1 (was default-redis (built in))") {
		t.Fatalf("the plan for the redis: %+v", re)
	}
	f.deployAndWait(t, f.dev, "dev", shopSpecs())
	states := resourceStates(t, f, "shop", "redis.default#web.cache")
	if strings.Join(states, " ") != "default-redis=orphaned shared-redis=active" {
		t.Fatalf("redis resources after the switch: %v", states)
	}
	// Rolling back to the first deployment re-applies its objects, which
	// use the built-in redis: its plan says so, and after it the built-in
	// one is the active resource again, the shared one kept, orphaned.
	rb, err := f.p.Rollback(f.dev, first.ID)
	must(t, err)
	var back *paved.PlannedResource
	for i, r := range rb.Plan.Resources {
		if r.UID == "redis.default#web.cache" {
			back = &rb.Plan.Resources[i]
		}
	}
	if back == nil || back.Action != paved.PlanReprovision || back.Definition.ID != "default-redis" || back.Was == nil || back.Was.ID != "shared-redis" ||
		!strings.Contains(back.Reason, "back to definition default-redis, which deployment "+first.ID+" used") {
		t.Fatalf("the rollback's plan for the redis: %+v", back)
	}
	f.p.Wait()
	if got, _ := f.p.GetDeployment(f.dev, rb.ID); got.Status != paved.DeploymentSucceeded {
		t.Fatalf("rollback: %s %s", got.Status, got.Error)
	}
	states = resourceStates(t, f, "shop", "redis.default#web.cache")
	if strings.Join(states, " ") != "default-redis=active shared-redis=orphaned" {
		t.Fatalf("redis resources after the rollback: %v", states)
	}
	// Deleting the environment removes both.
	if _, err := f.p.DeleteEnvironment(f.dev, "shop", "dev", paved.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if left, _ := f.store.ListResources(context.Background(), paved.ResourceFilter{App: "shop", Env: "dev"}); len(left) != 0 {
		t.Errorf("%d resources left after deleting the environment", len(left))
	}
}

// TestFinishedDeploymentsDoNotChange: a deployment's result is written
// once; the store refuses a second write and a write by another server.
func TestFinishedDeploymentsDoNotChange(t *testing.T) {
	f := newFixture(t)
	d := f.deployAndWait(t, f.dev, "dev", shopSpecs())
	ctx := context.Background()
	for _, runner := range []string{f.p.id, "another-server"} {
		err := f.store.FinishDeployment(ctx, d.ID, runner, "", paved.DeploymentFailed, &paved.DeploymentResult{Error: "overwritten"}, time.Now())
		if paved.ErrorCode(err) != paved.ECONFLICT {
			t.Errorf("finishing a finished deployment again as %s: %v", runner, err)
		}
	}
	got, _ := f.store.GetDeployment(ctx, d.ID)
	if got.Status != paved.DeploymentSucceeded || got.Error != "" || got.Plan == nil || len(got.Objects) == 0 {
		t.Errorf("the finished deployment changed: %s %q", got.Status, got.Error)
	}
}

// TestDriverChangeInOneDefinition: a new version of a definition that names
// another driver re-provisions the resource; the old driver's resource is
// kept, orphaned, and never handed to the new driver.
func TestDriverChangeInOneDefinition(t *testing.T) {
	f := newFixture(t)
	apply := func(d paved.ResourceDefinition) {
		t.Helper()
		_, err := f.p.ApplyDefinitions(f.admin, []paved.ResourceDefinition{d})
		must(t, err)
	}
	outputs := []paved.OutputSpec{{Name: "host"}, {Name: "port"}, {Name: "username"}, {Name: "password", Secret: true}}
	apply(paved.ResourceDefinition{ID: "team-redis", Type: "redis", Driver: "echo", Outputs: outputs,
		Inputs: map[string]any{"values": map[string]any{"host": "redis.shared", "port": 6379, "username": "u"}, "secrets": map[string]any{"password": "p"}}})
	f.deployAndWait(t, f.dev, "dev", shopSpecs())
	apply(paved.ResourceDefinition{ID: "team-redis", Type: "redis", Driver: "template", Outputs: outputs,
		Inputs: map[string]any{"outputs": "host: redis.local\nport: 6379\nusername: u\npassword: p2\n"}})
	plan, err := f.p.Plan(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()})
	must(t, err)
	for _, r := range plan.Resources {
		if r.UID == "redis.default#web.cache" && (r.Action != paved.PlanReprovision || r.Was == nil || r.Was.Driver != "echo" || r.Definition.Driver != "template") {
			t.Fatalf("the plan for the redis: %+v", r)
		}
	}
	f.deployAndWait(t, f.dev, "dev", shopSpecs())
	rs, _ := f.p.ListResources(f.dev, "shop", "dev")
	var states []string
	for _, r := range rs {
		if r.UID == "redis.default#web.cache" {
			states = append(states, r.Driver+"="+string(r.Status))
		}
	}
	if strings.Join(states, " ") != "echo=orphaned template=active" {
		t.Fatalf("redis resources: %v", states)
	}
}

// TestPlanShowsSecretChangesWithoutValues: a changed Secret value is an
// update in the plan, whose diff never holds a value.
func TestPlanShowsSecretChangesWithoutValues(t *testing.T) {
	before := []paved.Object{{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "db", "namespace": "shop-dev"},
		"stringData": map[string]any{"password": "old-s3cret"}}}
	after := []paved.Object{{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "db", "namespace": "shop-dev"},
		"stringData": map[string]any{"password": "new-s3cret"}}}
	got := diffObjects(before, after)
	if len(got) != 1 || got[0].Action != paved.PlanUpdate || strings.Contains(got[0].Diff, "s3cret") {
		t.Fatalf("plan of a changed Secret value: %+v", got)
	}
	after[0]["stringData"].(map[string]any)["user"] = "shop"
	got = diffObjects(before, after)
	if got[0].Action != paved.PlanUpdate || !strings.Contains(got[0].Diff, "+   user: (redacted)") || strings.Contains(got[0].Diff, "s3cret") {
		t.Errorf("plan of a Secret with a new key: %+v", got)
	}
}

// TestRollbackNeedsItsResources: a rollback provisions nothing, so one to a
// deployment whose resource no longer exists is refused, naming it.
func TestRollbackNeedsItsResources(t *testing.T) {
	f := newFixture(t)
	first := f.deployAndWait(t, f.dev, "dev", shopSpecs())
	ctx := context.Background()
	rs, err := f.store.ListResources(ctx, paved.ResourceFilter{App: "shop", Env: "dev"})
	must(t, err)
	var gone paved.StoredResource
	for _, r := range rs {
		if r.UID == "redis.default#web.cache" {
			gone = r
		}
	}
	must(t, f.store.DeleteResource(ctx, gone.Key()))
	_, err = f.p.Rollback(f.dev, first.ID)
	if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), "resource redis.default#web.cache, which deployment "+first.ID+" used") {
		t.Fatalf("rolling back without its resource: %v", err)
	}
}

// failsAfterIntent accepts the intent, then fails as a timed-out apply
// does: without saying what it wrote.
type failsAfterIntent struct{ paved.Target }

func (failsAfterIntent) Apply(ctx context.Context, req *paved.ApplyRequest) (*paved.ApplyResult, error) {
	refs := make([]paved.ObjectRef, len(req.Objects))
	for i, o := range req.Objects {
		refs[i] = o.Ref()
	}
	if err := req.Intent(refs); err != nil {
		return nil, err
	}
	return nil, errors.New("context deadline exceeded")
}

// TestFailedApplyKeepsItsIntent: an apply that fails without a result
// leaves the deployment listing everything it was about to write.
func TestFailedApplyKeepsItsIntent(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.Targets = map[string]paved.Target{"gitops": failsAfterIntent{c.Targets["gitops"]}} })
	d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()})
	must(t, err)
	f.p.Wait()
	got, err := f.store.GetDeployment(context.Background(), d.ID)
	must(t, err)
	if got.Status != paved.DeploymentFailed || len(got.Inventory) == 0 || len(got.Inventory) != len(got.Plan.Objects) {
		t.Fatalf("the failed deployment: %s %q, inventory %d refs; want failed listing the %d objects it was about to write", got.Status, got.Error, len(got.Inventory), len(got.Plan.Objects))
	}
}

// TestRollbackTakesBackWhatItUses: a deployment drops a workload, whose
// resources become orphans; a rollback to the deployment before re-applies
// objects that use them, so they are active again afterwards.
func TestRollbackTakesBackWhatItUses(t *testing.T) {
	f := newFixture(t)
	first := f.deployAndWait(t, f.dev, "dev", shopSpecs())
	fewer := shopSpecs()
	delete(fewer, "web.score.yaml")
	f.deployAndWait(t, f.dev, "dev", fewer)
	status := func() map[paved.ResourceUID]paved.ResourceStatus {
		rs, err := f.store.ListResources(context.Background(), paved.ResourceFilter{App: "shop", Env: "dev"})
		must(t, err)
		m := map[paved.ResourceUID]paved.ResourceStatus{}
		for _, r := range rs {
			m[r.UID] = r.Status
		}
		return m
	}
	if st := status()["redis.default#web.cache"]; st != paved.ResourceOrphaned {
		t.Fatalf("web's redis after web was dropped: %s", st)
	}
	rb, err := f.p.Rollback(f.dev, first.ID)
	must(t, err)
	f.p.Wait()
	if got, _ := f.p.GetDeployment(f.dev, rb.ID); got.Status != paved.DeploymentSucceeded {
		t.Fatalf("rollback: %s %s", got.Status, got.Error)
	}
	for uid, st := range status() {
		if st != paved.ResourceActive {
			t.Errorf("after the rollback %s is %s; the rollback's objects use it", uid, st)
		}
	}
}

// TestRollbackAfterAFailedSwitch: a deployment that switched a resource's
// definition failed after provisioning the new one, so the UID has two
// active resources; a rollback plans the switch back and leaves one.
func TestRollbackAfterAFailedSwitch(t *testing.T) {
	f := newFixture(t)
	first := f.deployAndWait(t, f.dev, "dev", shopSpecs())
	ctx := context.Background()
	const uid = paved.ResourceUID("redis.default#web.cache")
	must(t, f.store.PutResource(ctx, &paved.StoredResource{App: "shop", Env: "dev", UID: uid, DefinitionID: "a-redis", DefinitionVersion: 1,
		Driver: "echo", Status: paved.ResourceActive, UpdatedAt: time.Now()}))
	rb, err := f.p.Rollback(f.dev, first.ID)
	must(t, err)
	var back *paved.PlannedResource
	for i, r := range rb.Plan.Resources {
		if r.UID == uid {
			back = &rb.Plan.Resources[i]
		}
	}
	if back == nil || back.Action != paved.PlanReprovision || back.Was == nil || back.Was.ID != "a-redis" || !strings.Contains(back.Reason, "a-redis is kept, orphaned") {
		t.Fatalf("the rollback's plan for the redis: %+v", back)
	}
	f.p.Wait()
	if got, _ := f.p.GetDeployment(f.dev, rb.ID); got.Status != paved.DeploymentSucceeded {
		t.Fatalf("rollback: %s %s", got.Status, got.Error)
	}
	states := resourceStates(t, f, "shop", uid)
	if strings.Join(states, " ") != "a-redis=orphaned default-redis=active" {
		t.Fatalf("redis resources after the rollback: %v", states)
	}
}

// TestOwnStaleHeartbeatIsNoOrphan: this server's heartbeat is stale (the
// store was slow to take it) while it runs a deployment; its periodic
// orphan check does not fail its own deployment, which another server's
// would.
func TestOwnStaleHeartbeatIsNoOrphan(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.Now = time.Now })
	slowDefinition(t, f, "1")
	d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()})
	must(t, err)
	ctx := context.Background()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		got, _ := f.store.GetDeployment(ctx, d.ID)
		if got.Status == paved.DeploymentRunning {
			break
		}
		if got.Status.Finished() || time.Now().After(deadline) {
			t.Fatalf("waiting for the deployment to run: %s %q", got.Status, got.Error)
		}
	}
	must(t, f.store.Heartbeat(ctx, f.p.id, time.Now().Add(-time.Hour)))
	must(t, f.p.failOrphaned(ctx))
	f.p.Wait()
	got, err := f.store.GetDeployment(ctx, d.ID)
	must(t, err)
	if got.Status != paved.DeploymentSucceeded {
		t.Fatalf("with its own heartbeat stale: %s %q; want it to run to its end", got.Status, got.Error)
	}
}

// resourceStates lists app/dev's stored resources of uid as
// "definition=status", in the store's order.
func resourceStates(t *testing.T, f *fixture, app string, uid paved.ResourceUID) []string {
	t.Helper()
	rs, err := f.store.ListResources(context.Background(), paved.ResourceFilter{App: app, Env: "dev"})
	must(t, err)
	var states []string
	for _, r := range rs {
		if r.UID == uid {
			states = append(states, r.DefinitionID+"="+string(r.Status))
		}
	}
	return states
}
