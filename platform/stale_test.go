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
// objects and orphan resources its plan did not list, and its request is
// planned again against the new base, through the gates, in its place: the
// environment ends with the newest request.
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
		if !hasEvent(evs, "succeeded after this one was planned against") || !hasEvent(evs, "so it runs as planned") {
			t.Errorf("events do not say the base moved: %+v", evs)
		}
	})

	// queuedPair submits first and then second against the same base and
	// returns the second's deployment once both ran; the first succeeds.
	queuedPair := func(t *testing.T, first, second map[string]string) (*paved.Deployment, string) {
		t.Helper()
		release := queueBehind(t, f)
		a, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: first})
		must(t, err)
		b, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: second})
		must(t, err)
		release()
		if got, _ := f.p.GetDeployment(f.dev, a.ID); got.Status != paved.DeploymentSucceeded {
			t.Fatalf("first deployment: %s %q", got.Status, got.Error)
		}
		got, err := f.p.GetDeployment(f.dev, b.ID)
		must(t, err)
		return got, a.ID
	}

	t.Run("a change in between would be undone", func(t *testing.T) {
		newer := shopSpecs()
		newer["web.score.yaml"] = strings.Replace(newer["web.score.yaml"], "shop-web:1.0.0", "shop-web:2.0.0", 1)
		got, first := queuedPair(t, newer, shopSpecs())
		for _, want := range []string{"the plan is stale", "deployment " + first + " succeeded since",
			"object Deployment/shop-dev/web was changed since and would be overwritten", "nothing was applied; planned again as " + got.ReplacedBy} {
			if !strings.Contains(got.Error, want) {
				t.Errorf("stale deployment's error %q lacks %q", got.Error, want)
			}
		}
		if got.Status != paved.DeploymentFailed || len(got.Inventory) != 0 {
			t.Fatalf("stale deployment: %s, inventory %v; want failed before applying anything", got.Status, got.Inventory)
		}
		// Planned again: its plan shows the change it now makes, and it ran.
		again, err := f.p.GetDeployment(f.dev, got.ReplacedBy)
		must(t, err)
		if again.Status != paved.DeploymentSucceeded || again.Plan.Base != first || again.Author != got.Author || again.Plan.Counts()[paved.PlanUpdate] == 0 {
			t.Fatalf("the deployment planned again: %s %q, base %s, author %s, plan %v", again.Status, again.Error, again.Plan.Base, again.Author, again.Plan.Counts())
		}
	})

	t.Run("a newer deployment queued takes its place", func(t *testing.T) {
		v := func(tag string) map[string]string {
			specs := shopSpecs()
			specs["web.score.yaml"] = strings.Replace(specs["web.score.yaml"], "shop-web:1.0.0", "shop-web:"+tag, 1)
			return specs
		}
		release := queueBehind(t, f)
		var ids []string
		for _, tag := range []string{"3.0.0", "3.0.1", "3.0.2"} {
			d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: v(tag)})
			must(t, err)
			ids = append(ids, d.ID)
		}
		release()
		middle, err := f.p.GetDeployment(f.dev, ids[1])
		must(t, err)
		if middle.Status != paved.DeploymentFailed || middle.ReplacedBy != "" || !strings.Contains(middle.Error, "a newer deployment, "+ids[2]+", is queued and runs next") {
			t.Fatalf("the middle one: %s %q, replaced by %q; want superseded by %s", middle.Status, middle.Error, middle.ReplacedBy, ids[2])
		}
		newest, err := f.p.GetDeployment(f.dev, ids[2])
		must(t, err)
		last, err := f.store.LastSuccessful(ctx, newest.EnvID)
		must(t, err)
		if newest.ReplacedBy == "" || last.ID != newest.ReplacedBy || !strings.Contains(last.Specs["web.score.yaml"], "shop-web:3.0.2") {
			t.Fatalf("the newest one: %s, replaced by %q; last successful %s; want its request to end the queue", newest.Status, newest.ReplacedBy, last.ID)
		}
	})

	t.Run("an object made in between would be deleted", func(t *testing.T) {
		withExtra := shopSpecs()
		withExtra["extra.score.yaml"] = strings.Replace(extraWorkload, "resources:\n  queue:\n    type: redis\n", "", 1)
		got, _ := queuedPair(t, withExtra, shopSpecs())
		if got.Status != paved.DeploymentFailed || !strings.Contains(got.Error, "object Deployment/shop-dev/extra was created since and would be deleted") || got.ReplacedBy == "" {
			t.Fatalf("stale deployment: %s %q", got.Status, got.Error)
		}
	})

	t.Run("a resource made in between would be orphaned", func(t *testing.T) {
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
			"resource redis.default#extra.queue, provisioned since, would be orphaned",
			"nothing was changed; planned again as " + got.ReplacedBy} {
			if !strings.Contains(got.Error, want) {
				t.Errorf("stale deployment's error %q lacks %q", got.Error, want)
			}
		}
		if got.Status != paved.DeploymentFailed || len(got.Inventory) != 0 {
			t.Fatalf("stale deployment: %s, inventory %v; want failed before applying anything", got.Status, got.Inventory)
		}
		// Planned again against the first, its plan shows the deletions
		// and the orphan, and it is what the environment ends with.
		last, err := f.store.LastSuccessful(ctx, got.EnvID)
		must(t, err)
		if last.ID != got.ReplacedBy || last.Plan.Base != first.ID {
			t.Errorf("last successful = %s (base %s), want %s planned against %s", last.ID, last.Plan.Base, got.ReplacedBy, first.ID)
		}
		if last.Plan.Counts()[paved.PlanDelete] == 0 || last.Plan.Counts()[paved.PlanOrphan] != 1 {
			t.Errorf("the new plan: %v; want the extra workload's objects deleted and its resource orphaned", last.Plan.Counts())
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

func TestUnplannedResourceChanges(t *testing.T) {
	const uid = paved.ResourceUID("postgres.default#api.db")
	def := func(id string, v int) paved.DefinitionRef {
		return paved.DefinitionRef{ID: id, Version: v, Driver: "postgres"}
	}
	row := func(id string, v int, st paved.ResourceStatus) paved.StoredResource {
		return paved.StoredResource{App: "shop", Env: "dev", UID: uid, DefinitionID: id, DefinitionVersion: v, Driver: "postgres", Status: st}
	}
	was := func(d paved.DefinitionRef) *paved.DefinitionRef { return &d }
	tests := []struct {
		name    string
		planned paved.PlannedResource
		stored  []paved.StoredResource
		want    string // "" for none
	}{
		{"unchanged, still so", paved.PlannedResource{UID: uid, Action: paved.PlanUnchanged, Definition: def("pg", 2)},
			[]paved.StoredResource{row("pg", 2, paved.ResourceActive)}, ""},
		{"unchanged, moved to another version since", paved.PlannedResource{UID: uid, Action: paved.PlanUnchanged, Definition: def("pg", 2)},
			[]paved.StoredResource{row("pg", 3, paved.ResourceActive)}, "now provisioned by definition pg version 3, would be provisioned by version 2"},
		{"update, done in between too", paved.PlannedResource{UID: uid, Action: paved.PlanUpdate, Definition: def("pg", 3), Was: was(def("pg", 2))},
			[]paved.StoredResource{row("pg", 3, paved.ResourceActive)}, ""},
		{"update, not yet done", paved.PlannedResource{UID: uid, Action: paved.PlanUpdate, Definition: def("pg", 3), Was: was(def("pg", 2))},
			[]paved.StoredResource{row("pg", 2, paved.ResourceActive)}, ""},
		{"unchanged, switched to another definition since", paved.PlannedResource{UID: uid, Action: paved.PlanUnchanged, Definition: def("pg", 2)},
			[]paved.StoredResource{row("pg", 2, paved.ResourceOrphaned), row("shared", 1, paved.ResourceActive)}, "now provisioned by definition shared, would be re-provisioned by pg"},
		{"reprovision, as planned", paved.PlannedResource{UID: uid, Action: paved.PlanReprovision, Definition: def("shared", 1), Was: was(def("pg", 2))},
			[]paved.StoredResource{row("pg", 2, paved.ResourceActive)}, ""},
		{"unchanged, gone", paved.PlannedResource{UID: uid, Action: paved.PlanUnchanged, Definition: def("pg", 2)},
			nil, "is gone and would be provisioned anew"},
		{"unchanged, orphaned since: taken back with its data", paved.PlannedResource{UID: uid, Action: paved.PlanUnchanged, Definition: def("pg", 2)},
			[]paved.StoredResource{row("pg", 2, paved.ResourceOrphaned)}, ""},
		{"create, made by another definition since", paved.PlannedResource{UID: uid, Action: paved.PlanCreate, Definition: def("pg", 2)},
			[]paved.StoredResource{row("shared", 1, paved.ResourceActive)}, "now provisioned by definition shared"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(unplannedResourceChanges(&paved.Plan{App: "shop", Env: "dev", Resources: []paved.PlannedResource{tt.planned}}, tt.stored), "; ")
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
