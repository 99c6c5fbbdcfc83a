package platform

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"paved.dev/paved"
)

// lateStore fails the store's resource lists with EUNAVAILABLE, fail
// times, once the target has taken a deployment (armedTarget arms it): a
// database that goes away between the apply and the bookkeeping after it.
type lateStore struct {
	paved.Store
	armed atomic.Bool  // the next apply arms fail
	fail  atomic.Int32 // resource lists still to fail
	count int32        // how many fail, once armed
}

func (s *lateStore) ListResources(ctx context.Context, f paved.ResourceFilter) ([]paved.StoredResource, error) {
	if s.fail.Add(-1) >= 0 {
		return nil, paved.Errorf(paved.EUNAVAILABLE, "the PostgreSQL database is unavailable (connection refused): try again once it is back")
	}
	return s.Store.ListResources(ctx, f)
}

type armedTarget struct {
	paved.Target
	store *lateStore
}

func (t armedTarget) Apply(ctx context.Context, req *paved.ApplyRequest) (*paved.ApplyResult, error) {
	res, err := t.Target.Apply(ctx, req)
	if err == nil && t.store.armed.CompareAndSwap(true, false) {
		t.store.fail.Store(t.store.count)
	}
	return res, err
}

// TestStoreLostAfterApply: the store goes away right after the target took
// a deployment, before the runner has done its bookkeeping (resources no
// longer used, sealing the objects) and recorded the result. A blink is
// retried and the deployment succeeds; a longer outage fails it, saying it
// was applied, and the environment is brought back to its last successful
// deployment: the target never holds a deployment the store calls failed.
func TestStoreLostAfterApply(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fails   int32
		succeed bool
	}{
		{"a blink, retried", 1, true},
		{"longer than the retries", storeAttempts, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls := &lateStore{count: tc.fails}
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
			if ls.armed.Load() || ls.fail.Load() == tc.fails {
				t.Fatal("the store never failed after the apply: the test proves nothing")
			}
			ls.fail.Store(0)
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
