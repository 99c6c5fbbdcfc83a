package platform

import (
	"context"
	"maps"
	"strings"
	"testing"

	"paved.dev/paved"
)

const extraWorkload = `apiVersion: score.dev/v1b1
metadata:
  name: extra
containers:
  main:
    image: nginx:1.27
service:
  ports:
    http:
      port: 80
resources:
  queue:
    type: redis
`

// queueBehind holds the environment so that deployments submitted now are
// all planned against the same base, and returns the function that lets
// them run.
func queueBehind(t *testing.T, f *fixture) func() {
	t.Helper()
	l := f.p.envLock("shop", "dev")
	l.Lock()
	return func() { l.Unlock(); f.p.Wait() }
}

// TestStalePlan: deployments planned against one base run one after the
// other. The second runs as planned when the first changed nothing it did
// not show; it fails, changing nothing, when running it now would prune
// objects and orphan resources its plan did not list.
func TestStalePlan(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.deployAndWait(t, f.dev, "dev", shopSpecs())

	t.Run("compatible", func(t *testing.T) {
		release := queueBehind(t, f)
		var ids []string
		for range 2 {
			d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()})
			must(t, err)
			ids = append(ids, d.ID)
		}
		release()
		second, err := f.p.GetDeployment(f.dev, ids[1])
		must(t, err)
		if second.Status != paved.DeploymentSucceeded {
			t.Fatalf("second deployment of the same specs: %s %q", second.Status, second.Error)
		}
		evs, err := f.p.Events(f.dev, ids[1], 0)
		must(t, err)
		if !hasEvent(evs, "ran after this one was planned against") {
			t.Errorf("events do not say the base moved: %+v", evs)
		}
	})

	t.Run("stale", func(t *testing.T) {
		withExtra := shopSpecs()
		withExtra["extra.score.yaml"] = extraWorkload
		release := queueBehind(t, f)
		first, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: withExtra})
		must(t, err)
		second, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: maps.Clone(shopSpecs())})
		must(t, err)
		release()
		got, err := f.p.GetDeployment(f.dev, first.ID)
		must(t, err)
		if got.Status != paved.DeploymentSucceeded {
			t.Fatalf("first deployment: %s %q", got.Status, got.Error)
		}
		got, err = f.p.GetDeployment(f.dev, second.ID)
		must(t, err)
		for _, want := range []string{"the plan is stale", "deployment " + first.ID + " succeeded since",
			"object Deployment/shop-dev/extra would be deleted", "resource redis.default#extra.queue, provisioned since, would be orphaned",
			"nothing was changed: deploy again"} {
			if !strings.Contains(got.Error, want) {
				t.Errorf("stale deployment's error %q lacks %q", got.Error, want)
			}
		}
		if got.Status != paved.DeploymentFailed || len(got.Inventory) != 0 {
			t.Fatalf("stale deployment: %s, inventory %v; want failed before applying anything", got.Status, got.Inventory)
		}
		// What the first made stands.
		last, err := f.store.LastSuccessful(ctx, got.EnvID)
		must(t, err)
		if last.ID != first.ID {
			t.Errorf("last successful = %s, want %s", last.ID, first.ID)
		}
		// Deployed again, it plans anew: the deletions are in its plan.
		again := f.deployAndWait(t, f.dev, "dev", shopSpecs())
		if again.Plan.Counts()[paved.PlanDelete] == 0 || again.Plan.Counts()[paved.PlanOrphan] != 1 {
			t.Errorf("the new plan: %v; want the extra workload's objects deleted and its resource orphaned", again.Plan.Counts())
		}
	})
}

func hasEvent(evs []paved.Event, sub string) bool {
	for _, e := range evs {
		if strings.Contains(e.Message, sub) {
			return true
		}
	}
	return false
}
