package platform

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"paved.dev/paved"
	"paved.dev/paved/engine"
	"paved.dev/paved/graph"
)

// ListResources lists an environment's resources, active and orphaned,
// secret outputs redacted.
func (p *Platform) ListResources(ctx context.Context, app, env string) ([]paved.Resource, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	if _, err := p.cfg.Store.GetEnvironment(ctx, app, env); err != nil {
		return nil, err
	}
	stored, err := p.cfg.Store.ListResources(ctx, paved.ResourceFilter{App: app, Env: env})
	if err != nil {
		return nil, err
	}
	out := make([]paved.Resource, len(stored))
	for i, r := range stored {
		outputs := maps.Clone(r.Outputs)
		if outputs == nil {
			outputs = map[string]any{}
		}
		for _, k := range r.SecretNames {
			outputs[k] = paved.Redacted
		}
		out[i] = paved.Resource{UID: r.UID, App: r.App, Env: r.Env, DefinitionID: r.DefinitionID, DefinitionVersion: r.DefinitionVersion,
			Driver: r.Driver, Status: r.Status, StatusReason: r.StatusReason, Outputs: outputs, Secrets: r.SecretNames, UpdatedAt: r.UpdatedAt}
	}
	return out, nil
}

// Outputs returns one resource's outputs (the active one's when a definition
// switch left an orphan beside it); secret ones in clear only when asked for
// and the caller may change the app (admins, its team's developers). Every
// reveal is audited.
func (p *Platform) Outputs(ctx context.Context, app, env string, uid paved.ResourceUID, reveal bool) (out map[string]any, err error) {
	if reveal {
		defer func() { p.audit(ctx, "resource.reveal", app+"/"+env+" "+string(uid), err) }()
		if _, _, err := p.requireTeam(ctx, app, "revealing secret outputs"); err != nil {
			return nil, err
		}
	} else if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	stored, err := p.cfg.Store.ListResources(ctx, paved.ResourceFilter{App: app, Env: env})
	if err != nil {
		return nil, err
	}
	var r *paved.StoredResource
	for i := range stored {
		if stored[i].UID == uid && (r == nil || stored[i].Status == paved.ResourceActive) {
			r = &stored[i]
		}
	}
	if r == nil {
		return nil, paved.Errorf(paved.ENOTFOUND, "resource %s not found in %s/%s", uid, app, env)
	}
	out = maps.Clone(r.Outputs)
	if out == nil {
		out = map[string]any{}
	}
	if !reveal {
		for _, k := range r.SecretNames {
			out[k] = paved.Redacted
		}
		return out, nil
	}
	sr, err := p.openResource(r)
	if err != nil {
		return nil, err
	}
	maps.Copy(out, sr.Secrets)
	return out, nil
}

// saveResource records what provisioning produced for one node, as active: public
// outputs in clear, secret outputs and driver state sealed.
func (p *Platform) saveResource(ctx context.Context, env *paved.Environment, n *graph.Node) error {
	public := map[string]any{}
	secrets := map[string]any{}
	var names []string
	for k, v := range n.Outputs {
		if o, _ := n.Definition.Output(k); o.Secret {
			secrets[k] = v
			names = append(names, k)
		} else {
			public[k] = v
		}
	}
	slices.Sort(names)
	sealed, err := p.sealResource(env.App, env.Name, n.UID, sealedResource{State: n.State, Secrets: secrets})
	if err != nil {
		return err
	}
	r := &paved.StoredResource{
		App: env.App, Env: env.Name, UID: n.UID, DefinitionID: n.Definition.ID, DefinitionVersion: n.Definition.Version,
		Driver: n.Definition.Driver, Status: paved.ResourceActive,
		Outputs: public, SecretNames: names, Sealed: sealed, UpdatedAt: p.now(),
	}
	// The driver made it: a store that blinks now must not lose the only
	// record of it. An upsert, safe to run again.
	return storeRetried(ctx, func() error { return p.cfg.Store.PutResource(ctx, r) })
}

// retire marks orphaned, after a deployment succeeded, every active
// resource it no longer uses: one re-provisioned by another definition, or
// one no workload declares any more. Nothing is deprovisioned here: an
// orphan keeps its data until its environment is deleted.
func (p *Platform) retire(ctx context.Context, env *paved.Environment, res *engine.Result, log func(string)) error {
	used := map[paved.ResourceUID]*paved.ResourceDefinition{}
	for _, n := range res.Graph.Nodes {
		used[n.UID] = n.Definition
	}
	stored, err := p.cfg.Store.ListResources(ctx, paved.ResourceFilter{App: env.App, Env: env.Name, Status: paved.ResourceActive})
	if err != nil {
		return err
	}
	for _, r := range stored {
		now, declared := used[r.UID]
		if declared && now.ID == r.DefinitionID && now.Driver == r.Driver {
			continue
		}
		reason := "no longer declared by any workload"
		if declared {
			reason = fmt.Sprintf("re-provisioned by definition %s (was %s)", now.Ref(), paved.DefinitionRef{ID: r.DefinitionID, Version: r.DefinitionVersion, Driver: r.Driver})
		}
		if err := p.cfg.Store.SetResourceStatus(ctx, r.Key(), paved.ResourceOrphaned, reason); err != nil {
			return err
		}
		log(fmt.Sprintf("resource %s (definition %s) is orphaned: %s; it keeps its data until the environment is deleted", r.UID, r.DefinitionID, reason))
	}
	return nil
}
