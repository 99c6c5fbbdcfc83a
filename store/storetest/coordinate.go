package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"paved.dev/paved"
)

func testRunner(t *testing.T, s paved.Store) {
	ctx := context.Background()
	seed(t, s)
	d := deployment("d1", "dev", at(0), 1)
	d.Runner, d.Status = "server-a", paved.DeploymentRunning
	must(t, s.CreateDeployment(ctx, d))
	got, err := s.GetDeployment(ctx, "d1")
	must(t, err)
	sameJSON(t, "GetDeployment", got, d)
	list, err := s.ListDeployments(ctx, paved.DeploymentFilter{App: "shop", Env: "dev"})
	must(t, err)
	if len(list) != 1 || list[0].Runner != "server-a" {
		t.Fatalf("ListDeployments = %+v, want d1 with runner server-a", list)
	}
	// The runner is fixed when the deployment is created: only it finishes.
	must(t, s.FinishDeployment(ctx, "d1", "server-a", "", paved.DeploymentFailed, &paved.DeploymentResult{Error: "x"}, at(1)))
	got, err = s.GetDeployment(ctx, "d1")
	must(t, err)
	if got.Runner != "server-a" || got.Status != paved.DeploymentFailed {
		t.Fatalf("after FinishDeployment: runner %q, status %q; want server-a, failed", got.Runner, got.Status)
	}
}

func testFailOrphaned(t *testing.T, s paved.Store) {
	c := s
	ctx := context.Background()
	seed(t, s)
	wantError(t, c.Heartbeat(ctx, "", at(0)), paved.EINVALID, "server is required")
	must(t, c.Heartbeat(ctx, "live", at(10)))
	must(t, c.Heartbeat(ctx, "live", at(100))) // a heartbeat replaces the last
	must(t, c.Heartbeat(ctx, "stale", at(40)))
	must(t, c.Heartbeat(ctx, "edge", at(50))) // seen exactly at staleBefore: alive

	for i, d := range []struct {
		runner string
		status paved.DeploymentStatus
	}{
		{"live", paved.DeploymentQueued},     // d1
		{"live", paved.DeploymentRunning},    // d2
		{"stale", paved.DeploymentRunning},   // d3: orphaned
		{"", paved.DeploymentQueued},         // d4: orphaned, no runner
		{"ghost", paved.DeploymentRunning},   // d5: orphaned, never seen
		{"stale", paved.DeploymentSucceeded}, // d6: finished
		{"", paved.DeploymentFailed},         // d7: finished
		{"edge", paved.DeploymentRunning},    // d8
	} {
		dep := deployment(fmt.Sprintf("d%d", i+1), "dev", at(i), 1)
		dep.Runner, dep.Status = d.runner, d.status
		must(t, s.CreateDeployment(ctx, dep))
	}
	before := map[string]*paved.Deployment{}
	for i := range 8 {
		d, err := s.GetDeployment(ctx, fmt.Sprintf("d%d", i+1))
		must(t, err)
		before[d.ID] = d
	}

	failedAt := at(200)
	got, err := c.FailOrphaned(ctx, at(50), "", "server stopped", failedAt)
	must(t, err)
	sameJSON(t, "FailOrphaned (oldest first)", ids(got), []string{"d3", "d4", "d5"})
	for _, d := range got {
		want := *before[d.ID]
		want.Status, want.Error, want.FinishedAt = paved.DeploymentFailed, "server stopped", &failedAt
		sameJSON(t, "orphan "+d.ID+" as returned", d, want)
		stored, err := s.GetDeployment(ctx, d.ID)
		must(t, err)
		sameJSON(t, "orphan "+d.ID+" as stored", stored, want)
	}
	for _, id := range []string{"d1", "d2", "d6", "d7", "d8"} {
		stored, err := s.GetDeployment(ctx, id)
		must(t, err)
		sameJSON(t, id+" (not orphaned)", stored, before[id])
	}

	got, err = c.FailOrphaned(ctx, at(50), "", "again", at(201))
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("second FailOrphaned returned %v, want none", ids(got))
	}

	// A server never fails its own deployments as orphans, even when its
	// heartbeat is stale (the store was out of reach): it knows what it runs.
	mine := deployment("d9", "dev", at(9), 0)
	mine.Runner, mine.Status = "stale", paved.DeploymentRunning
	must(t, s.CreateDeployment(ctx, mine))
	got, err = c.FailOrphaned(ctx, at(50), "stale", "server stopped", at(202))
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("FailOrphaned excepting the stale server failed %v", ids(got))
	}
	got, err = c.FailOrphaned(ctx, at(50), "", "server stopped", at(202))
	must(t, err)
	sameJSON(t, "FailOrphaned of every server", ids(got), []string{"d9"})
}

// testConcurrentFailOrphaned has servers notice the same orphans at once:
// each orphan is failed and returned by exactly one of them.
func testConcurrentFailOrphaned(t *testing.T, s paved.Store) {
	c := s
	ctx := context.Background()
	seed(t, s)
	const orphans, servers = 30, 6
	var want []string
	for i := range orphans {
		d := deployment(fmt.Sprintf("d%02d", i), "dev", at(i), 0)
		d.Status, d.Runner = paved.DeploymentRunning, "dead"
		must(t, s.CreateDeployment(ctx, d))
		want = append(want, d.ID)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var got []string
	errs := make(chan error, servers)
	for range servers {
		wg.Go(func() {
			ds, err := c.FailOrphaned(ctx, at(100), "", "server stopped", at(100))
			if err != nil {
				errs <- err
				return
			}
			mu.Lock()
			got = append(got, ids(ds)...)
			mu.Unlock()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	slices.Sort(got)
	sameJSON(t, "orphans failed by all servers together", got, want)
}

func testLeases(t *testing.T, s paved.Store) {
	c := s
	ctx := context.Background()
	const lease = "deploy/shop/dev"
	acquire := func(holder string, until, now time.Time, want bool) {
		t.Helper()
		got, err := c.AcquireLease(ctx, lease, holder, until, now)
		must(t, err)
		if got != want {
			t.Fatalf("AcquireLease(%s until %v at %v) = %v, want %v", holder, until.Format(time.TimeOnly), now.Format(time.TimeOnly), got, want)
		}
	}
	acquire("a", at(30), at(0), true)
	acquire("b", at(40), at(10), false) // a's
	acquire("b", at(40), at(30), false) // expires after its until, not at it
	acquire("a", at(60), at(20), true)  // a extends
	acquire("b", at(70), at(45), false) // so at 45 it is still a's
	acquire("b", at(90), at(61), true)  // expired: b takes over
	acquire("a", at(95), at(62), false)

	// Other leases are independent.
	ok, err := c.AcquireLease(ctx, "deploy/shop/prod", "a", at(90), at(62))
	must(t, err)
	if !ok {
		t.Fatal("a could not take a free lease of another name")
	}

	must(t, c.ReleaseLease(ctx, lease, "a")) // not a's: nothing happens
	acquire("a", at(95), at(63), false)
	must(t, c.ReleaseLease(ctx, lease, "b"))
	acquire("a", at(95), at(64), true) // free again before b's until
	must(t, c.ReleaseLease(ctx, "never-taken", "a"))

	_, err = c.AcquireLease(ctx, "", "a", at(1), at(0))
	wantError(t, err, paved.EINVALID, "name is required")
	_, err = c.AcquireLease(ctx, lease, "", at(1), at(0))
	wantError(t, err, paved.EINVALID, "holder is required")
}

// testConcurrentLeases has holders race for one lease, free and then
// expired: exactly one wins each round.
func testConcurrentLeases(t *testing.T, s paved.Store) {
	c := s
	ctx := context.Background()
	const holders = 20
	for round, now := range []time.Time{at(0), at(100)} {
		var wg sync.WaitGroup
		won := make(chan string, holders)
		errs := make(chan error, holders)
		for h := range holders {
			wg.Go(func() {
				holder := fmt.Sprintf("h%02d-%d", h, round)
				ok, err := c.AcquireLease(ctx, "deploy/shop/dev", holder, now.Add(time.Minute), now)
				if err != nil {
					errs <- err
					return
				}
				if ok {
					won <- holder
				}
			})
		}
		wg.Wait()
		close(errs)
		close(won)
		for err := range errs {
			t.Fatal(err)
		}
		var winners []string
		for h := range won {
			winners = append(winners, h)
		}
		if len(winners) != 1 {
			t.Fatalf("round %d: %d holders got the lease (%v), want exactly 1", round, len(winners), winners)
		}
	}
}

// testNamespaceTaken: two environments never share a namespace on one
// target, even created at the same instant; another target's is another.
func testNamespaceTaken(t *testing.T, s paved.Store) {
	ctx := context.Background()
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "core"}))
	for _, app := range []string{"a", "a-b"} {
		must(t, s.CreateApp(ctx, &paved.App{Name: app, Team: "core"}))
	}
	// a/b-c and a-b/c both make the namespace a-b-c.
	must(t, s.CreateEnvironment(ctx, &paved.Environment{App: "a", Name: "b-c", Type: "development", Target: "gitops", Namespace: "a-b-c"}))
	wantError(t, s.CreateEnvironment(ctx, &paved.Environment{App: "a-b", Name: "c", Type: "development", Target: "gitops", Namespace: "a-b-c"}),
		paved.ECONFLICT, "namespace a-b-c on target gitops is already environment a/b-c's")
	must(t, s.CreateEnvironment(ctx, &paved.Environment{App: "a-b", Name: "c", Type: "development", Target: "cluster", Namespace: "a-b-c"}))

	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			errs[i] = s.CreateEnvironment(ctx, &paved.Environment{App: "a", Name: fmt.Sprintf("e%d", i), Type: "development", Target: "gitops", Namespace: "race"})
		})
	}
	wg.Wait()
	created := 0
	for _, err := range errs {
		switch paved.ErrorCode(err) {
		case "":
			created++
		case paved.ECONFLICT:
		default:
			t.Errorf("creating at once: %v", err)
		}
	}
	if created != 1 {
		t.Errorf("%d environments created with one namespace at once, want 1", created)
	}
}

// testRenewLease: a renewal extends only a lease its holder still holds,
// unexpired; one that expired, went to another holder and came free again
// is not taken back by a renewal.
func testRenewLease(t *testing.T, s paved.Store) {
	ctx := context.Background()
	const lease = "deploy/shop/renew"
	renew := func(holder string, until, now time.Time, want bool) {
		t.Helper()
		got, err := s.RenewLease(ctx, lease, holder, until, now)
		must(t, err)
		if got != want {
			t.Fatalf("RenewLease(%s until %v at %v) = %v, want %v", holder, until.Format(time.TimeOnly), now.Format(time.TimeOnly), got, want)
		}
	}
	renew("a", at(30), at(0), false) // never taken
	if ok, err := s.AcquireLease(ctx, lease, "a", at(30), at(0)); err != nil || !ok {
		t.Fatalf("AcquireLease = %v, %v", ok, err)
	}
	renew("a", at(60), at(20), true)  // held: extended
	renew("b", at(90), at(30), false) // not b's
	renew("a", at(90), at(61), false) // expired at 60
	if ok, err := s.AcquireLease(ctx, lease, "b", at(90), at(62)); err != nil || !ok {
		t.Fatalf("b taking the expired lease = %v, %v", ok, err)
	}
	must(t, s.ReleaseLease(ctx, lease, "b"))
	renew("a", at(120), at(63), false) // free again, but not a's to renew
}
