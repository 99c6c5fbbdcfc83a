package platform

import (
	"context"
	"sync/atomic"
	"testing"

	"paved.dev/paved"
)

// blinkStore fails the first resource record and the first record of what
// is about to be applied, as a store that blinks does.
type blinkStore struct {
	paved.Store
	puts, inventories atomic.Int32 // still to fail
}

func (s *blinkStore) PutResource(ctx context.Context, r *paved.StoredResource) error {
	if s.puts.Add(-1) >= 0 {
		return storeDown()
	}
	return s.Store.PutResource(ctx, r)
}

func (s *blinkStore) RecordInventory(ctx context.Context, id, runner string, inv []paved.ObjectRef) error {
	if s.inventories.Add(-1) >= 0 {
		return storeDown()
	}
	return s.Store.RecordInventory(ctx, id, runner, inv)
}

// TestStoreBlinkWhileDeploying: the store blinks as the runner records a
// resource a driver just made, or what it is about to apply. Both are
// written again (they are upserts): the deployment succeeds, and every
// resource it made is recorded, so that deleting the environment removes
// it. Without the retry the record of a real database would be lost.
func TestStoreBlinkWhileDeploying(t *testing.T) {
	for _, tc := range []struct {
		name              string
		puts, inventories int32
	}{
		{"recording a resource", 1, 0},
		{"recording what is about to be applied", 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bs := &blinkStore{}
			f := newFixture(t, func(c *Config) {
				bs.Store = c.Store
				c.Store = bs
			})
			bs.puts.Store(tc.puts)
			bs.inventories.Store(tc.inventories)
			d := f.deployToEnd(t, shopSpecs())
			if tc.puts > 0 && bs.puts.Load() >= tc.puts || tc.inventories > 0 && bs.inventories.Load() >= tc.inventories {
				t.Fatal("the store never failed: the test proves nothing")
			}
			if d.Status != paved.DeploymentSucceeded {
				t.Fatalf("deployment: %s %q; want the write tried again and a success", d.Status, d.Error)
			}
			for _, p := range f.resourcesOf(t, d) {
				t.Error(p)
			}
			rs, err := f.store.ListResources(context.Background(), paved.ResourceFilter{App: "shop", Env: "dev"})
			must(t, err)
			if len(rs) != len(d.Plan.Resources) {
				t.Errorf("%d resources recorded, the plan provisions %d", len(rs), len(d.Plan.Resources))
			}
		})
	}
}
