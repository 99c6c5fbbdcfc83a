package platform

import (
	"context"
	"testing"

	"paved.dev/paved"
)

// kubeconfigTarget is a registered target that remembers the kubeconfig it
// was built from.
type kubeconfigTarget struct {
	paved.Target
	kubeconfig string
}

// TestRegisteredTargetsAreNeverStale: two servers share a store; one builds
// a registered target; the registration is removed from the store and made
// again with another kubeconfig; the server does not use the removed one,
// and uses the new registration on its next use.
func TestRegisteredTargetsAreNeverStale(t *testing.T) {
	reg := func(c *Config) {
		c.Registry = paved.NewRegistry()
		must(t, c.Registry.RegisterTargetType("fake", func(info *paved.TargetInfo) (paved.Target, error) {
			return &kubeconfigTarget{kubeconfig: info.Kubeconfig}, nil
		}))
	}
	a := newFixture(t, reg)
	cfg := a.p.cfg
	cfg.ServerID = "server-b"
	reg(&cfg)
	bp, err := New(cfg)
	must(t, err)
	b := &fixture{p: bp}
	ctx := context.Background()
	_, err = a.p.RegisterTarget(a.admin, &paved.TargetInfo{Name: "cluster", Type: "fake", Kubeconfig: "first"})
	must(t, err)
	got, err := b.p.target(ctx, "cluster")
	must(t, err)
	if got.(*kubeconfigTarget).kubeconfig != "first" {
		t.Fatalf("server b built %q", got.(*kubeconfigTarget).kubeconfig)
	}
	must(t, a.store.DeleteTarget(ctx, "cluster"))
	if _, err := b.p.target(ctx, "cluster"); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Fatalf("server b still uses a removed target: %v", err)
	}
	if _, kept := b.p.built["cluster"]; kept {
		t.Errorf("server b keeps the removed target built")
	}
	_, err = a.p.RegisterTarget(a.admin, &paved.TargetInfo{Name: "cluster", Type: "fake", Kubeconfig: "second"})
	must(t, err)
	got, err = b.p.target(ctx, "cluster")
	must(t, err)
	if got.(*kubeconfigTarget).kubeconfig != "second" {
		t.Fatalf("after registering again on server a, server b uses %q", got.(*kubeconfigTarget).kubeconfig)
	}
	again, err := b.p.target(ctx, "cluster")
	must(t, err)
	if again != got {
		t.Errorf("an unchanged registration was built again")
	}
}
