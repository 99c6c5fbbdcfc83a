package platform

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"paved.dev/paved"
	"paved.dev/paved/engine"
	"paved.dev/paved/manifest"
)

// Plan computes what deploying the specs would do, without doing it: the
// same plan Deploy stores and runs (gates included).
func (p *Platform) Plan(ctx context.Context, req *paved.DeployRequest) (*paved.Plan, error) {
	// Planning runs the app's drivers with its environment's state: it
	// needs the same right as deploying.
	u, app, err := p.requireTeam(ctx, req.App, "planning")
	if err != nil {
		return nil, err
	}
	env, err := p.cfg.Store.GetEnvironment(ctx, req.App, req.Env)
	if err != nil {
		return nil, err
	}
	in := &intent{kind: paved.KindDeploy, author: u, app: app, env: env, specs: req.Specs}
	pl, err := p.prepare(ctx, in)
	if err != nil {
		return nil, err
	}
	if pl.plan.Findings, err = p.evaluate(ctx, in, pl); err != nil {
		return nil, err
	}
	return pl.plan, nil
}

// planResources says what provisioning will do to each resource, against
// what the environment has: created, unchanged, updated (a new version of
// its definition), re-provisioned (another definition matches now) or
// orphaned (no longer declared).
func planResources(res *engine.Result, stored []paved.StoredResource) []paved.PlannedResource {
	have := map[resourceKey]*paved.StoredResource{}
	active := map[paved.ResourceUID]*paved.StoredResource{}
	for i := range stored {
		r := &stored[i]
		have[resourceKey{r.UID, r.DefinitionID, r.Driver}] = r
		if r.Status == paved.ResourceActive {
			active[r.UID] = r
		}
	}
	out := []paved.PlannedResource{}
	used := map[paved.ResourceUID]bool{}
	for _, n := range res.Graph.Nodes {
		used[n.UID] = true
		pr := paved.PlannedResource{UID: n.UID, Definition: n.Definition.Ref(), DependsOn: n.Deps}
		switch r, ok := have[resourceKey{n.UID, n.Definition.ID, n.Definition.Driver}]; {
		case ok && r.DefinitionVersion == n.Definition.Version && r.Status == paved.ResourceActive:
			pr.Action = paved.PlanUnchanged
		case ok && r.Status == paved.ResourceActive:
			was := paved.DefinitionRef{ID: r.DefinitionID, Version: r.DefinitionVersion, Driver: r.Driver}
			pr.Action, pr.Was = paved.PlanUpdate, &was
			pr.Reason = fmt.Sprintf("definition %s changed (was version %d)", n.Definition.Ref(), r.DefinitionVersion)
		case ok:
			pr.Action = paved.PlanUpdate
			pr.Reason = fmt.Sprintf("taken back into use from orphaned (%s)", r.StatusReason)
		default:
			pr.Action = paved.PlanCreate
			if old := active[n.UID]; old != nil {
				was := paved.DefinitionRef{ID: old.DefinitionID, Version: old.DefinitionVersion, Driver: old.Driver}
				pr.Action, pr.Was = paved.PlanReprovision, &was
				pr.Reason = fmt.Sprintf("re-provisioned by definition %s (was %s); the old resource is kept, orphaned, with its data, until the environment is deleted", n.Definition.Ref(), was)
			}
		}
		out = append(out, pr)
	}
	for _, uid := range slices.Sorted(maps.Keys(active)) {
		if used[uid] {
			continue
		}
		r := active[uid]
		out = append(out, paved.PlannedResource{UID: uid, Action: paved.PlanOrphan,
			Definition: paved.DefinitionRef{ID: r.DefinitionID, Version: r.DefinitionVersion, Driver: r.Driver},
			Reason:     "no longer declared by any workload; kept, with its data, and listed as orphaned until the environment is deleted"})
	}
	return out
}

// diffObjects compares two object sets by identity and content: every
// object of after is created, updated or unchanged, and every one only in
// before is deleted. Content is compared with Secret values in clear, so
// that a changed password is an update, and shown with them redacted, so
// that no value reaches the plan.
func diffObjects(before, after []paved.Object) []paved.PlannedObject {
	b, brefs := indexObjects(before)
	a, arefs := indexObjects(after)
	rb, _ := indexObjects(redactObjects(before))
	ra, _ := indexObjects(redactObjects(after))
	out := []paved.PlannedObject{}
	budget := maxDiffCells
	for _, k := range slices.Sorted(maps.Keys(a)) {
		old, ok := b[k]
		switch {
		case !ok:
			out = append(out, paved.PlannedObject{Ref: arefs[k], Action: paved.PlanCreate})
		case old != a[k] && rb[k] == ra[k]:
			out = append(out, paved.PlannedObject{Ref: arefs[k], Action: paved.PlanUpdate, Diff: "Secret values changed (not shown)"})
		case old != a[k]:
			out = append(out, paved.PlannedObject{Ref: arefs[k], Action: paved.PlanUpdate, Diff: lineDiff(rb[k], ra[k], &budget)})
		default:
			out = append(out, paved.PlannedObject{Ref: arefs[k], Action: paved.PlanUnchanged})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if _, ok := a[k]; !ok {
			out = append(out, paved.PlannedObject{Ref: brefs[k], Action: paved.PlanDelete})
		}
	}
	return out
}

func indexObjects(objs []paved.Object) (map[string]string, map[string]paved.ObjectRef) {
	m := make(map[string]string, len(objs))
	refs := make(map[string]paved.ObjectRef, len(objs))
	for _, o := range objs {
		y, err := manifest.Marshal(map[string]any(o))
		if err != nil {
			y = []byte(err.Error())
		}
		k := o.Ref().String()
		m[k], refs[k] = string(y), o.Ref()
	}
	return m, refs
}

// compareLive folds what the target holds now into the plan: an object the
// plan leaves unchanged but that drifted on the target is updated (back),
// one that went missing is created again. A target that cannot say, or
// cannot be reached, leaves the plan compared with the base alone, saying so.
func (p *Platform) compareLive(ctx context.Context, env *paved.Environment, dc paved.DeployContext, before []paved.Object, pl *paved.Plan) {
	t, err := p.target(ctx, env.Target)
	if err != nil {
		pl.LiveNote = "not compared with the target: " + paved.ErrorMessage(err)
		return
	}
	dr, ok := t.(paved.DriftReader)
	if !ok {
		pl.LiveNote = "not compared with the target: target " + env.Target + " cannot report what it holds"
		return
	}
	if len(before) == 0 {
		// Drift is measured against a deployment's snapshot.
		pl.LiveNote = "not compared with the target: no earlier successful deployment to compare it with"
		return
	}
	drift, err := dr.Drift(ctx, dc, before)
	if err != nil {
		pl.LiveNote = "not compared with the target, which did not answer: " + paved.ErrorMessage(err)
		return
	}
	pl.Live = true
	byRef := map[string]*paved.PlannedObject{}
	for i := range pl.Objects {
		byRef[pl.Objects[i].Ref.String()] = &pl.Objects[i]
	}
	for _, d := range drift {
		o := byRef[d.Ref.String()]
		if o == nil {
			continue // drifted, and leaving the deployment anyway
		}
		o.Drift = d.Fields
		if d.State == paved.DriftMissing {
			o.Drift = append([]string{"missing on the target"}, d.Fields...)
		}
		if o.Action == paved.PlanUnchanged {
			o.Action = paved.PlanUpdate
			if d.State == paved.DriftMissing {
				o.Action = paved.PlanCreate
			}
		}
	}
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
