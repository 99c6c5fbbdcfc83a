package platform

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/driver/echo"
)

// storeDown is the error a store gives when its database is out of reach,
// shaped as the PostgreSQL store's: EUNAVAILABLE, paved.ErrStoreUnavailable
// and the network error in its chain.
func storeDown() error {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	return &paved.Error{Code: paved.EUNAVAILABLE, Err: errors.Join(paved.ErrStoreUnavailable, refused),
		Message: "the PostgreSQL database is unavailable (connection refused): try again once it is back"}
}

// blinkingStore fails reading targets or definitions as a store whose
// database went away does.
type blinkingStore struct {
	paved.Store
	targets, definitions atomic.Bool
}

func (s *blinkingStore) GetTarget(ctx context.Context, name string) (*paved.TargetInfo, error) {
	if s.targets.Load() {
		return nil, storeDown()
	}
	return s.Store.GetTarget(ctx, name)
}

func (s *blinkingStore) GetDefinition(ctx context.Context, id string, version int) (*paved.ResourceDefinition, error) {
	if s.definitions.Load() {
		return nil, storeDown()
	}
	return s.Store.GetDefinition(ctx, id, version)
}

// deprovisioningEcho is the echo driver with a deprovision that counts:
// something made outside the deployment's objects that only paved's
// record of it can remove.
type deprovisioningEcho struct {
	echo.Driver
	deprovisioned atomic.Int32
}

func (d *deprovisioningEcho) Deprovision(context.Context, *paved.ResourceRequest) error {
	d.deprovisioned.Add(1)
	return nil
}

// TestForcedDeleteNeverForgetsForTheStore: a forced deletion forgets what
// it cannot reach (a target, a server a driver made something on), but
// never for paved's own store being unavailable: when the store cannot say
// what the target is, nothing is removed or forgotten; when it cannot read
// a resource's definition, that resource is neither deprovisioned nor
// forgotten, and stays recorded with its environment. Once the store is
// back, deleting again removes both.
func TestForcedDeleteNeverForgetsForTheStore(t *testing.T) {
	bs := &blinkingStore{}
	drv := &deprovisioningEcho{}
	f := newFixture(t, func(c *Config) {
		bs.Store = c.Store
		c.Store = bs
		c.Engine.Drivers["kept"] = drv
		git := c.Targets["gitops"]
		c.Registry = paved.NewRegistry()
		must(t, c.Registry.RegisterTargetType("fake", func(*paved.TargetInfo) (paved.Target, error) {
			return &switchableTarget{Target: git, down: &atomic.Bool{}}, nil
		}))
	})
	ctx := context.Background()
	_, err := f.p.ApplyDefinitions(f.admin, []paved.ResourceDefinition{{ID: "cache-kept", Type: "redis", Driver: "kept",
		Inputs: map[string]any{"values": map[string]any{"host": "redis.internal", "port": 6379}, "secrets": map[string]any{"password": "s3cr3t"}}}})
	must(t, err)
	_, err = f.p.RegisterTarget(f.admin, &paved.TargetInfo{Name: "cluster", Type: "fake", Kubeconfig: "k"})
	must(t, err)
	_, err = f.p.CreateEnvironment(f.admin, &paved.EnvironmentRequest{App: "shop", Name: "qa", Type: paved.EnvDevelopment, Target: "cluster"})
	must(t, err)
	d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "qa", Specs: shopSpecs()})
	must(t, err)
	f.p.Wait()
	if got, _ := f.p.GetDeployment(f.dev, d.ID); got.Status != paved.DeploymentSucceeded {
		t.Fatalf("deployment %s: %s", got.Status, got.Error)
	}
	dc := paved.DeployContext{App: "shop", Env: "qa", EnvType: paved.EnvDevelopment, Namespace: "shop-qa"}
	objects := func() int {
		inv, err := f.git.Inventory(dc)
		must(t, err)
		return len(inv)
	}
	resources := func() map[paved.ResourceUID]string {
		rs, err := f.store.ListResources(ctx, paved.ResourceFilter{App: "shop", Env: "qa"})
		must(t, err)
		out := map[paved.ResourceUID]string{}
		for _, r := range rs {
			out[r.UID] = r.DefinitionID
		}
		return out
	}
	cache := paved.ResourceUID("redis.default#web.cache")
	if got := resources()[cache]; got != "cache-kept" {
		t.Fatalf("%s comes from %q, want the stored definition cache-kept: the test proves nothing", cache, got)
	}
	before, held := resources(), objects()

	// The store cannot read the target: nothing is tried.
	bs.targets.Store(true)
	out, err := f.p.DeleteEnvironment(f.dev, "shop", "qa", paved.DeleteOptions{Force: true})
	bs.targets.Store(false)
	wantCode(t, "a forced deletion while the store cannot read the target", err, paved.EUNAVAILABLE, "database is unavailable", "nothing was removed or forgotten")
	if out != nil {
		t.Errorf("it reports %+v", out)
	}
	if _, err := f.p.GetEnvironment(f.dev, "shop", "qa"); err != nil {
		t.Fatalf("the environment was forgotten: %v", err)
	}
	if got := objects(); got != held {
		t.Errorf("the target holds %d objects, had %d", got, held)
	}
	if got := resources(); len(got) != len(before) {
		t.Errorf("resources %v, had %v", got, before)
	}

	// The store cannot read the cache's definition: the objects go, the
	// resources of built-in definitions too, the cache stays recorded.
	bs.definitions.Store(true)
	_, err = f.p.DeleteEnvironment(f.dev, "shop", "qa", paved.DeleteOptions{Force: true})
	bs.definitions.Store(false)
	wantCode(t, "a forced deletion while the store cannot read a definition", err, paved.EUNAVAILABLE, string(cache), "database is unavailable")
	if _, err := f.p.GetEnvironment(f.dev, "shop", "qa"); err != nil {
		t.Fatalf("the environment was forgotten: %v", err)
	}
	if got := resources(); len(got) != 1 || got[cache] != "cache-kept" {
		t.Errorf("resources left %v, want only %s, whose definition could not be read", got, cache)
	}
	if n := drv.deprovisioned.Load(); n != 0 {
		t.Errorf("deprovisioned %d times without its definition", n)
	}
	if e := f.lastAudit(t, "env.delete.force"); strings.Contains(e.Target, "forgot") {
		t.Errorf("the audit says something was forgotten: %+v", e)
	}

	// The store is back: the deletion ends, the cache deprovisioned.
	out, err = f.p.DeleteEnvironment(f.dev, "shop", "qa", paved.DeleteOptions{Force: true})
	must(t, err)
	if len(out.Forgotten) != 0 || len(out.Deprovisioned) != 1 || out.Deprovisioned[0] != cache || drv.deprovisioned.Load() != 1 {
		t.Errorf("deleting once the store is back: %+v, deprovisioned %d times; want %s deprovisioned once, nothing forgotten", out, drv.deprovisioned.Load(), cache)
	}
	if _, err := f.p.GetEnvironment(f.dev, "shop", "qa"); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Errorf("after the deletion: %v", err)
	}
}
