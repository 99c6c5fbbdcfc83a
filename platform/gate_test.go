package platform

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"paved.dev/paved"
)

// recordingGate records the kind of every plan it judges, and denies while
// deny is set.
type recordingGate struct {
	mu    sync.Mutex
	kinds []paved.DeploymentKind
	deny  bool
}

func (g *recordingGate) Name() string { return "test-policy" }

func (g *recordingGate) Evaluate(_ context.Context, in *paved.GateInput) ([]paved.Finding, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.kinds = append(g.kinds, in.Plan.Kind)
	for _, o := range in.Objects {
		if o.IsSecret() {
			for _, v := range o["stringData"].(map[string]any) {
				if v != paved.Redacted {
					return nil, paved.Errorf(paved.EINTERNAL, "the gate saw a Secret value")
				}
			}
		}
	}
	if g.deny {
		return []paved.Finding{{Rule: "no-friday", Level: paved.FindingDeny, Message: "no deployments today", Owner: paved.RoleSecurity}}, nil
	}
	return []paved.Finding{{Rule: "pin-images", Level: paved.FindingWarn, Message: "an image has no digest"}}, nil
}

// TestEveryPathPassesTheGates: deploys, rollbacks, promotions and clones
// are all judged before anything is provisioned; a denial records a failed
// deployment that provisioned nothing and applied nothing.
func TestEveryPathPassesTheGates(t *testing.T) {
	gate := &recordingGate{deny: true}
	f := newFixture(t, func(c *Config) { c.Gates = []paved.Gate{gate} })
	ctx := context.Background()

	d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()})
	if paved.ErrorCode(err) != paved.EFORBIDDEN || !strings.Contains(err.Error(), "test-policy/no-friday (security): no deployments today") {
		t.Fatalf("a denied deployment: %v", err)
	}
	if d == nil || d.Status != paved.DeploymentFailed || !strings.Contains(d.Error, "denied before anything was provisioned") {
		t.Fatalf("the denied deployment's record: %+v", d)
	}
	if rs, _ := f.store.ListResources(ctx, paved.ResourceFilter{App: "shop", Env: "dev"}); len(rs) != 0 {
		t.Errorf("a denied deployment provisioned %d resources", len(rs))
	}
	if _, err := os.Stat(filepath.Join(f.gitPath, "dev", "shop")); err == nil {
		t.Errorf("a denied deployment wrote to the GitOps repository")
	}
	stored, _ := f.store.GetDeployment(ctx, d.ID)
	if stored.Status != paved.DeploymentFailed || len(stored.Plan.Findings) != 1 || stored.StartedAt != nil {
		t.Errorf("the stored denial: %s, findings %+v", stored.Status, stored.Plan.Findings)
	}

	gate.deny = false
	first := f.deployAndWait(t, f.dev, "dev", shopSpecs())
	if len(first.Plan.Findings) != 1 || first.Plan.Findings[0].Level != paved.FindingWarn {
		t.Errorf("the warning is not on the deployment's plan: %+v", first.Plan.Findings)
	}
	plan, err := f.p.Plan(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()})
	must(t, err)
	if len(plan.Findings) != 1 {
		t.Errorf("plan does not show the warning: %+v", plan.Findings)
	}
	rb, err := f.p.Rollback(f.dev, first.ID)
	must(t, err)
	_, err = f.p.CreateEnvironment(f.admin, &paved.EnvironmentRequest{App: "shop", Name: "staging"})
	must(t, err)
	f.p.Wait()
	pr, err := f.p.Promote(f.dev, "shop", "dev", "staging")
	must(t, err)
	_, err = f.p.CreateEnvironment(f.dev, &paved.EnvironmentRequest{App: "shop", Name: "pr-1", From: "dev", TTL: paved.Duration(time.Hour)})
	must(t, err)
	f.p.Wait()
	for _, id := range []string{rb.ID, pr.ID} {
		if got, _ := f.p.GetDeployment(f.dev, id); got.Status != paved.DeploymentSucceeded {
			t.Errorf("%s: %s %s", id, got.Status, got.Error)
		}
	}
	gate.mu.Lock()
	kinds := slices.Clone(gate.kinds)
	gate.mu.Unlock()
	for _, k := range []paved.DeploymentKind{paved.KindDeploy, paved.KindRollback, paved.KindPromote, paved.KindClone} {
		if !slices.Contains(kinds, k) {
			t.Errorf("no %s deployment passed through the gate (it saw %v)", k, kinds)
		}
	}

	// A denial blocks every path, a rollback too.
	gate.deny = true
	if _, err := f.p.Rollback(f.dev, first.ID); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("a denied rollback: %v", err)
	}
	if _, err := f.p.Promote(f.dev, "shop", "dev", "staging"); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Errorf("a denied promotion: %v", err)
	}
}

// brokenGate cannot judge: a policy that failed or ran past its bound.
type brokenGate struct{}

func (brokenGate) Name() string { return "policy" }

func (brokenGate) Evaluate(context.Context, *paved.GateInput) ([]paved.Finding, error) {
	return nil, &paved.Error{Code: paved.EUNAVAILABLE, Message: "policy slow (owned by finance) ran longer than 2s and was stopped",
		Err: &paved.PolicyFailure{Policy: "slow", Owner: paved.RoleFinance, TimedOut: true}}
}

// downGate cannot read what it needs: no policy is at fault.
type downGate struct{}

func (downGate) Name() string { return "policy" }

func (downGate) Evaluate(context.Context, *paved.GateInput) ([]paved.Finding, error) {
	return nil, paved.Errorf(paved.EUNAVAILABLE, "the store is unreachable")
}

// TestUnjudgedDeploymentIsRecordedAsFailed: a policy that cannot judge a
// deployment fails it, recorded with the policy named, and nothing is
// provisioned; a plan says the same without a record.
func TestUnjudgedDeploymentIsRecordedAsFailed(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.Gates = []paved.Gate{brokenGate{}} })
	ctx := context.Background()
	d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()})
	if paved.ErrorCode(err) != paved.EFORBIDDEN || !strings.Contains(err.Error(), "policy slow (owned by finance) ran longer than 2s") {
		t.Fatalf("an unjudged deployment: %v", err)
	}
	if d == nil || d.Status != paved.DeploymentFailed || !strings.Contains(d.Error, "not judged, so nothing was provisioned: gate policy: policy slow") {
		t.Fatalf("its record: %+v", d)
	}
	stored, err := f.store.GetDeployment(ctx, d.ID)
	must(t, err)
	if stored.Status != paved.DeploymentFailed || stored.StartedAt != nil || stored.Error != d.Error {
		t.Errorf("the stored record: %s %q", stored.Status, stored.Error)
	}
	if rs, _ := f.store.ListResources(ctx, paved.ResourceFilter{App: "shop", Env: "dev"}); len(rs) != 0 {
		t.Errorf("an unjudged deployment provisioned %d resources", len(rs))
	}
	if _, err := f.p.Plan(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()}); paved.ErrorCode(err) != paved.EUNAVAILABLE {
		t.Errorf("an unjudged plan: %v", err)
	}
	ds, err := f.store.ListDeployments(ctx, paved.DeploymentFilter{App: "shop"})
	must(t, err)
	if len(ds) != 1 {
		t.Errorf("%d deployments recorded, want the one failed deployment", len(ds))
	}

	// A gate that fails for another reason records nothing; nor does a
	// policy failure the caller's cancellation caused.
	down := newFixture(t, func(c *Config) { c.Gates = []paved.Gate{downGate{}} })
	if d, err := down.p.Deploy(down.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()}); paved.ErrorCode(err) != paved.EUNAVAILABLE || d != nil {
		t.Errorf("a gate that cannot read the store: %v, %+v", err, d)
	}
	cancelled, cancel := context.WithCancel(f.dev)
	cancel()
	if d, err := f.p.Deploy(cancelled, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()}); err == nil || d != nil {
		t.Errorf("a cancelled request: %v, %+v", err, d)
	}
	for _, fx := range []*fixture{down, f} {
		ds, err := fx.store.ListDeployments(ctx, paved.DeploymentFilter{App: "shop"})
		must(t, err)
		if len(ds) > 1 {
			t.Errorf("%d deployments recorded; a gate that failed for no policy's fault or a cancelled request recorded one", len(ds))
		}
	}
}
