package platform

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"paved.dev/paved"
	"paved.dev/paved/definition"
	"paved.dev/paved/manifest"
)

// dryDrivers returns the drivers for a plan: pure drivers as they are, and
// drivers that deprovision (they create real things) as dry stand-ins.
func (p *Platform) dryDrivers(ctx context.Context, env *paved.Environment) definition.Drivers {
	known := map[paved.ResourceUID]map[string]any{}
	if stored, err := p.cfg.Store.ListResources(ctx, env.App, env.Name); err == nil {
		for i := range stored {
			r := &stored[i]
			out := maps.Clone(r.Outputs)
			if sr, err := p.openResource(r); err == nil {
				maps.Copy(out, sr.Secrets)
			}
			known[r.UID] = out
		}
	}
	drivers := definition.Drivers{}
	for name, d := range p.cfg.Engine.Drivers {
		if _, creates := d.(paved.Deprovisioner); creates {
			drivers[name] = dryDriver{outputs: known, real: d}
		} else {
			drivers[name] = d
		}
	}
	return drivers
}

// dryDriver stands in for a driver that creates things outside the cluster
// (a database on a shared server) while planning: it returns what the
// resource returned last time, or marks its outputs as not known yet. It
// keeps the real driver's input checks and output declarations.
type dryDriver struct {
	outputs map[paved.ResourceUID]map[string]any
	real    paved.Driver
}

func (w dryDriver) Provision(_ context.Context, req *paved.ResourceRequest) (*paved.ResourceResult, error) {
	if out, ok := w.outputs[req.UID]; ok {
		return &paved.ResourceResult{Outputs: out, State: req.State}, nil
	}
	out := map[string]any{}
	for _, o := range req.Definition.Outputs {
		if o.Name != paved.AnyOutput {
			out[o.Name] = "(known after provisioning)"
		}
	}
	return &paved.ResourceResult{Outputs: out}, nil
}

func (w dryDriver) ValidateInputs(in map[string]any) error {
	if v, ok := w.real.(paved.InputValidator); ok {
		return v.ValidateInputs(in)
	}
	return nil
}

func (w dryDriver) DeclaredOutputs(in map[string]any) []paved.OutputSpec {
	if v, ok := w.real.(paved.OutputDeclarer); ok {
		return v.DeclaredOutputs(in)
	}
	return nil
}

// Plan resolves the specs with the environment's definitions and compares
// the result with the last successful deployment.
func (p *Platform) Plan(ctx context.Context, req *paved.DeployRequest) (*paved.Plan, error) {
	// Planning runs the app's drivers with its environment's state: it
	// needs the same right as deploying.
	if _, _, err := p.requireTeam(ctx, req.App, "planning"); err != nil {
		return nil, err
	}
	env, err := p.cfg.Store.GetEnvironment(ctx, req.App, req.Env)
	if err != nil {
		return nil, err
	}
	res, err := p.check(ctx, env, req.Specs)
	if err != nil {
		return nil, err
	}
	plan := &paved.Plan{App: req.App, Env: req.Env}
	var before []paved.Object
	last, err := p.lastSuccessful(ctx, env)
	switch {
	case err == nil:
		plan.Base = last.ID
		before = last.Objects
	case paved.ErrorCode(err) != paved.ENOTFOUND:
		return nil, err
	}
	plan.Objects = diffObjects(redactObjects(before), redactObjects(res.Objects))
	stored, err := p.cfg.Store.ListResources(ctx, req.App, req.Env)
	if err != nil {
		return nil, err
	}
	had := map[paved.ResourceUID]bool{}
	for _, r := range stored {
		had[r.UID] = true
	}
	for _, n := range res.Graph.ProvisionedNodes() {
		if !had[n.UID] {
			plan.Resources = append(plan.Resources, paved.PlanChange{Action: "add", Name: string(n.UID), Diff: "definition " + n.Definition.ID + " (driver " + n.Definition.Driver + ")"})
		}
		delete(had, n.UID)
	}
	for _, uid := range slices.Sorted(maps.Keys(had)) {
		plan.Resources = append(plan.Resources, paved.PlanChange{Action: "remove", Name: string(uid), Diff: "no longer used; kept (with its data) until the environment is deleted"})
	}
	return plan, nil
}

// diffObjects compares two object sets by identity and content.
func diffObjects(before, after []paved.Object) []paved.PlanChange {
	b := indexObjects(before)
	a := indexObjects(after)
	var out []paved.PlanChange
	budget := maxDiffCells
	for _, k := range slices.Sorted(maps.Keys(a)) {
		old, ok := b[k]
		switch {
		case !ok:
			out = append(out, paved.PlanChange{Action: "add", Name: k})
		case old != a[k]:
			out = append(out, paved.PlanChange{Action: "change", Name: k, Diff: lineDiff(old, a[k], &budget)})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if _, ok := a[k]; !ok {
			out = append(out, paved.PlanChange{Action: "remove", Name: k})
		}
	}
	return out
}

func indexObjects(objs []paved.Object) map[string]string {
	m := make(map[string]string, len(objs))
	for _, o := range objs {
		y, err := manifest.Marshal(map[string]any(o))
		if err != nil {
			y = []byte(err.Error())
		}
		m[o.Ref().String()] = string(y)
	}
	return m
}

// maxDiffLines bounds the diff shown for one object, and maxDiffCells the
// work of all a plan's diffs, so that a large plan stays cheap.
const (
	maxDiffLines = 200
	maxDiffCells = 4_000_000
)

// lineDiff shows the lines removed (-) and added (+) between two texts,
// by their longest common subsequence; when the budget of cells is spent,
// objects get a summary.
func lineDiff(a, b string, budget *int) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	cells := (len(x) + 1) * (len(y) + 1)
	if cells > *budget {
		return fmt.Sprintf("changed (%d → %d lines)", len(x), len(y))
	}
	*budget -= cells
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for (i < len(x) || j < len(y)) && len(out) < maxDiffLines {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			i++
			j++
		case j < len(y) && (i == len(x) || lcs[i][j+1] >= lcs[i+1][j]):
			out = append(out, "+ "+y[j])
			j++
		default:
			out = append(out, "- "+x[i])
			i++
		}
	}
	return strings.Join(out, "\n")
}
