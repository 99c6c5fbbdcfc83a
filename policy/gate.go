package policy

import (
	"context"

	"paved.dev/paved"
)

// Gate is the policy gate of the deployment pipeline: every plan and every
// deployment is judged by the policies in force before anything is
// provisioned.
type Gate struct {
	Engine *Engine
	// Stored returns the stored policies' latest versions.
	Stored func(ctx context.Context) ([]paved.Policy, error)
}

// Name names the gate in findings.
func (g *Gate) Name() string { return "policy" }

// Evaluate runs the policies in force.
func (g *Gate) Evaluate(ctx context.Context, in *paved.GateInput) ([]paved.Finding, error) {
	ps, err := InForce(ctx, g.Stored)
	if err != nil {
		return nil, err
	}
	return g.Engine.Evaluate(ctx, ps, in)
}

// InForce is the built-in packs and the stored policies, a stored policy
// taking the place of a pack of its id, in id order.
func InForce(ctx context.Context, stored func(context.Context) ([]paved.Policy, error)) ([]paved.Policy, error) {
	var st []paved.Policy
	if stored != nil {
		var err error
		if st, err = stored(ctx); err != nil {
			return nil, err
		}
	}
	return paved.PoliciesInForce(st, Builtin()), nil
}
