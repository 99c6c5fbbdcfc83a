package platform

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"paved.dev/paved"
)

// lateStore fails the store's resource lists with EUNAVAILABLE, count
// times, once the target has taken a deployment (armedTarget arms it): a
// database that goes away between the apply and the bookkeeping after it.
// Or, with statusFails, it lets statusOK changes of a resource's status
// through and fails the next statusFails: a database that goes away in the
// middle of that bookkeeping.
type lateStore struct {
	paved.Store
	armed atomic.Bool  // the next apply arms fail
	fail  atomic.Int32 // resource lists still to fail
	count int32        // how many fail, once armed

	statusOK, statusFails             int32        // once armed
	statusPass, statusFail, statusSet atomic.Int32 // still to let through, still to fail; how many were asked
}

func (s *lateStore) ListResources(ctx context.Context, f paved.ResourceFilter) ([]paved.StoredResource, error) {
	if s.fail.Add(-1) >= 0 {
		return nil, storeDown()
	}
	return s.Store.ListResources(ctx, f)
}

func (s *lateStore) SetResourceStatus(ctx context.Context, k paved.ResourceKey, st paved.ResourceStatus, reason string) error {
	s.statusSet.Add(1)
	if s.statusPass.Add(-1) < 0 && s.statusFail.Add(-1) >= 0 {
		return storeDown()
	}
	return s.Store.SetResourceStatus(ctx, k, st, reason)
}

func (s *lateStore) arm() {
	s.fail.Store(s.count)
	s.statusPass.Store(s.statusOK)
	s.statusFail.Store(s.statusFails)
	s.statusSet.Store(0)
}

type armedTarget struct {
	paved.Target
	store *lateStore
}

func (t armedTarget) Apply(ctx context.Context, req *paved.ApplyRequest) (*paved.ApplyResult, error) {
	res, err := t.Target.Apply(ctx, req)
	if err == nil && t.store.armed.CompareAndSwap(true, false) {
		t.store.arm()
	}
	return res, err
}

// TestStoreLostAfterApply: the store goes away right after the target took
// a deployment, before the runner has done its bookkeeping (the resources
// it no longer uses) and recorded the result, or in the
// middle of it (one resource orphaned, the others not). A blink is
// retried and the deployment succeeds; a longer outage fails it, saying it
// was applied, and the environment is brought back to its last successful
// deployment: the target never holds a deployment the store calls failed,
// and the resources are those of the last success, none it uses left
// orphaned (a prune would remove it).
func TestStoreLostAfterApply(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		fails                 int32 // resource lists failed
		statusOK, statusFails int32 // status changes let through, then failed
		succeed               bool
	}{
		{"a blink, retried", 1, 0, 0, true},
		{"longer than the retries", storeAttempts, 0, 0, false},
		{"in the middle, a blink, retried", 0, 1, 1, true},
		{"in the middle, longer than the retries", 0, 1, storeAttempts, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls := &lateStore{count: tc.fails, statusOK: tc.statusOK, statusFails: tc.statusFails}
			f := newFixture(t, func(c *Config) {
				ls.Store = c.Store
				c.Store = ls
				c.Targets = map[string]paved.Target{"gitops": armedTarget{Target: c.Targets["gitops"], store: ls}}
			})
			good := f.deployToEnd(t, shopSpecs())
			if good.Status != paved.DeploymentSucceeded {
				t.Fatalf("first deployment: %s %q", good.Status, good.Error)
			}
			// The second leaves the web workload out and changes the api's
			// image: what Git holds tells the two apart.
			specs := shopSpecs()
			delete(specs, "web.score.yaml")
			specs["api.score.yaml"] = strings.ReplaceAll(specs["api.score.yaml"], ":1.0.0", ":1.0.1")
			ls.armed.Store(true)
			late := f.deployToEnd(t, specs)
			if ls.armed.Load() || ls.fail.Load() == tc.fails && ls.statusFail.Load() == tc.statusFails {
				t.Fatal("the store never failed after the apply: the test proves nothing")
			}
			if tc.statusOK > 0 && ls.statusSet.Load() <= tc.statusOK {
				t.Fatalf("%d resource status changes asked for, want more than the %d let through: the test proves nothing", ls.statusSet.Load(), tc.statusOK)
			}
			ls.fail.Store(0)
			ls.statusFail.Store(0)
			want, image := good, "shop-api:1.0.0"
			if tc.succeed {
				if late.Status != paved.DeploymentSucceeded {
					t.Fatalf("after %d failures: %s %q; want the bookkeeping retried and a success", tc.fails, late.Status, late.Error)
				}
				want, image = late, "shop-api:1.0.1"
			} else {
				for _, says := range []string{"it was applied", "database is unavailable", "brought back to its last successful deployment", "deploy again"} {
					if late.Status != paved.DeploymentFailed || !strings.Contains(late.Error, says) {
						t.Fatalf("after %d failures: %s %q; want failed, saying %q", tc.fails, late.Status, late.Error, says)
					}
				}
			}
			inv, err := f.git.Inventory(paved.DeployContext{App: "shop", Env: "dev", EnvType: "development", Namespace: "shop-dev"})
			must(t, err)
			if got, want := refStrings(inv), refStrings(want.Inventory); !slices.Equal(got, want) {
				t.Errorf("Git holds %v,\nwant the last success's %v", got, want)
			}
			b, err := os.ReadFile(filepath.Join(f.gitPath, "dev", "shop", "deployment-api.yaml"))
			if err != nil || !strings.Contains(string(b), image) {
				t.Errorf("Git's api Deployment does not run %s, the last success's image: %v", image, err)
			}
			for _, p := range f.resourcesOf(t, want) {
				t.Error(p)
			}
			if again := f.deployToEnd(t, shopSpecs()); again.Status != paved.DeploymentSucceeded {
				t.Fatalf("deploying afterwards: %s %q", again.Status, again.Error)
			}
		})
	}
}

func refStrings(refs []paved.ObjectRef) []string {
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		out = append(out, r.String())
	}
	slices.Sort(out)
	return out
}

// resourcesOf says where the environment's stored resources differ from
// what deployment d's plan uses: each resource it uses must be active,
// every other one orphaned.
func (f *fixture) resourcesOf(t *testing.T, d *paved.Deployment) []string {
	t.Helper()
	uses := map[paved.ResourceUID]paved.DefinitionRef{}
	for _, r := range d.Plan.Resources {
		if r.Action != paved.PlanOrphan {
			uses[r.UID] = r.Definition
		}
	}
	rs, err := f.store.ListResources(context.Background(), paved.ResourceFilter{App: d.App, Env: d.Env})
	must(t, err)
	var out []string
	for _, r := range rs {
		def, ok := uses[r.UID]
		want := paved.ResourceOrphaned
		if ok && def.ID == r.DefinitionID && def.Driver == r.Driver {
			want = paved.ResourceActive
		}
		if r.Status != want {
			out = append(out, fmt.Sprintf("resource %s (definition %s) is %s (%s), want %s as deployment %s uses it", r.UID, r.DefinitionID, r.Status, r.StatusReason, want, d.ID))
		}
	}
	if len(rs) == 0 {
		out = append(out, "the environment has no resources")
	}
	return out
}
