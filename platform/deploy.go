package platform

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/engine"
	"paved.dev/paved/graph"
)

// MaxSpecs bounds the Score files of one deployment.
const MaxSpecs = 500

func newDeploymentID(now time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "d-" + now.Format("20060102-150405") + "-" + hex.EncodeToString(b)
}

func envKey(app, env string) string { return app + "/" + env }

// Deploy checks the request, records a queued deployment and queues it.
// Invalid specs are refused here, before anything is written.
func (p *Platform) Deploy(ctx context.Context, req *paved.DeployRequest) (d *paved.Deployment, err error) {
	defer func() {
		target := req.App + "/" + req.Env
		if d != nil {
			target += " " + d.ID
		}
		p.audit(ctx, "deploy", target, err)
	}()
	u, _, err := p.requireTeam(ctx, req.App, "deploying")
	if err != nil {
		return nil, err
	}
	env, err := p.cfg.Store.GetEnvironment(ctx, req.App, req.Env)
	if err != nil {
		return nil, err
	}
	if err := p.mvpAllows(env.Type); err != nil {
		return nil, err
	}
	if _, err := p.check(ctx, env, req.Specs); err != nil {
		return nil, err
	}
	now := p.now()
	d = &paved.Deployment{
		ID: newDeploymentID(now), App: req.App, Env: req.Env, Author: u.Name,
		CommitSHA: req.CommitSHA, CommitTime: req.CommitTime, Specs: req.Specs,
		Status: paved.DeploymentQueued, CreatedAt: now, Runner: p.id,
	}
	if err := p.cfg.Store.CreateDeployment(ctx, d); err != nil {
		return nil, err
	}
	p.event(d.ID, "info", fmt.Sprintf("queued by %s: %d workload(s)", u.Name, len(req.Specs)))
	p.enqueue(envKey(d.App, d.Env), d.ID)
	return d, nil
}

// check loads the specs and resolves their graph without provisioning, so
// that a bad spec or a missing definition is an immediate error.
func (p *Platform) check(ctx context.Context, env *paved.Environment, specs map[string]string) (*engine.Result, error) {
	if len(specs) == 0 {
		return nil, paved.Errorf(paved.EINVALID, "specs: no Score files; give at least one")
	}
	if len(specs) > MaxSpecs {
		return nil, paved.Errorf(paved.EINVALID, "specs: %d Score files; at most %d in one deployment", len(specs), MaxSpecs)
	}
	return p.resolve(ctx, env, specs, true)
}

func sources(specs map[string]string) []engine.Source {
	var out []engine.Source
	for _, name := range slices.Sorted(maps.Keys(specs)) {
		out = append(out, engine.Source{Path: name, Data: []byte(specs[name])})
	}
	return out
}

// deployContext says where an environment's deployments go; the team that
// owns the app labels the namespace.
func (p *Platform) deployContext(ctx context.Context, env *paved.Environment) paved.DeployContext {
	dc := paved.DeployContext{App: env.App, Env: env.Name, EnvType: env.Type, Namespace: env.Namespace, Values: env.Values}
	if a, err := p.cfg.Store.GetApp(ctx, env.App); err == nil {
		dc.Team = a.Team
	}
	return dc
}

// resolve runs the engine for an environment. dry runs drivers that create
// things outside the cluster in their dry mode and keeps no state.
func (p *Platform) resolve(ctx context.Context, env *paved.Environment, specs map[string]string, dry bool, log ...func(string)) (*engine.Result, error) {
	defs, err := p.storedDefinitions(ctx)
	if err != nil {
		return nil, err
	}
	st, err := p.graphState(ctx, env)
	if err != nil {
		return nil, err
	}
	req := engine.Request{Sources: sources(specs), Definitions: defs, Context: p.deployContext(ctx, env), State: st}
	if dry {
		req.Drivers = p.dryDrivers(ctx, env)
	}
	if len(log) > 0 {
		req.Log = log[0]
	}
	return p.cfg.Engine.Run(ctx, req)
}

// graphState rebuilds an environment's engine state from its stored
// resources; the secret seed derives from the key and the environment.
func (p *Platform) graphState(ctx context.Context, env *paved.Environment) (*graph.State, error) {
	st := &graph.State{
		Version:   graph.StateVersion,
		Seed:      p.cfg.Sealer.Derive("seed/" + env.App + "/" + env.Name + "/" + env.CreatedAt.UTC().Format(time.RFC3339Nano)),
		Resources: map[paved.ResourceUID]graph.ResourceState{},
	}
	stored, err := p.cfg.Store.ListResources(ctx, env.App, env.Name)
	if err != nil {
		return nil, err
	}
	for i := range stored {
		r := &stored[i]
		sr, err := p.openResource(r)
		if err != nil {
			return nil, err
		}
		st.Resources[r.UID] = graph.ResourceState{Definition: r.DefinitionID, Driver: r.Driver, State: sr.State}
	}
	return st, nil
}

// event appends to a deployment's event log; the log is best effort and a
// failure to write it is logged.
func (p *Platform) event(id, level, msg string) {
	e := &paved.Event{Time: p.now(), Level: level, Message: msg}
	if err := p.cfg.Store.AppendEvent(context.WithoutCancel(p.runCtx), id, e); err != nil {
		p.log.Error("writing a deployment event", "deployment", id, "err", err)
	}
}

// runDeployment runs one queued deployment to its end, holding its
// environment's lease: provision, render, apply, record. Every outcome is
// recorded; none stays running.
func (p *Platform) runDeployment(ctx context.Context, id string) {
	d, err := p.cfg.Store.GetDeployment(ctx, id)
	if err != nil {
		p.log.Error("loading a queued deployment", "deployment", id, "err", err)
		return
	}
	err = p.withLease(ctx, d.App, d.Env, func(ctx context.Context) error {
		// Read again under the lease: the orphan check of another server
		// may have failed it while it waited.
		d, err := p.cfg.Store.GetDeployment(ctx, id)
		if err != nil {
			return err
		}
		if d.Status == paved.DeploymentQueued {
			p.run(ctx, d)
		}
		return nil
	})
	if err != nil {
		p.log.Error("running a deployment", "deployment", id, "err", err)
	}
}

func (p *Platform) run(ctx context.Context, d *paved.Deployment) {
	id := d.ID
	started := p.now()
	d.Status, d.StartedAt = paved.DeploymentRunning, &started
	if err := p.cfg.Store.UpdateDeployment(ctx, d); err != nil {
		p.log.Error("marking a deployment running", "deployment", id, "err", err)
		return
	}
	p.event(id, "info", "running on "+p.id)
	err := p.execute(ctx, d)
	finished := p.now()
	d.FinishedAt = &finished
	if err != nil {
		d.Status, d.Error = paved.DeploymentFailed, paved.ErrorMessage(err)
		if paved.ErrorCode(err) == paved.EINTERNAL {
			p.log.Error("deployment failed", "deployment", id, "err", err)
		}
		p.event(id, "error", "failed: "+d.Error)
	} else {
		d.Status = paved.DeploymentSucceeded
		p.event(id, "info", fmt.Sprintf("succeeded in %v: %d objects, revision %s", finished.Sub(started).Round(time.Millisecond), len(d.Inventory), d.Revision))
	}
	if ctx.Err() != nil {
		// The lease was lost: another server has failed this deployment
		// and brought the environment back; a result written now would
		// contradict it.
		p.log.Error("not recording the result of a deployment whose lease was lost", "deployment", id, "status", d.Status)
		return
	}
	if err := p.cfg.Store.UpdateDeployment(context.WithoutCancel(ctx), d); err != nil {
		p.log.Error("recording a deployment's result", "deployment", id, "err", err)
	}
}

func (p *Platform) execute(ctx context.Context, d *paved.Deployment) error {
	env, err := p.cfg.Store.GetEnvironment(ctx, d.App, d.Env)
	if err != nil {
		return err
	}
	target, err := p.target(ctx, env.Target)
	if err != nil {
		return err
	}
	var objs []paved.Object
	var res *engine.Result
	if d.RollbackOf != "" {
		if objs, err = p.openObjects(d.ID, d.Objects); err != nil {
			return err
		}
		p.event(d.ID, "info", fmt.Sprintf("re-deploying the snapshot of %s", d.RollbackOf))
	} else {
		res, err = p.resolve(ctx, env, d.Specs, false, func(msg string) { p.event(d.ID, "info", msg) })
		if err != nil {
			if res != nil && res.Graph != nil {
				// Keep what was provisioned before the failure, so that
				// deleting the environment removes it.
				if serr := p.saveResources(ctx, env, res); serr != nil {
					p.log.Error("recording resources provisioned before a failure", "deployment", d.ID, "err", serr)
				}
			}
			return err
		}
		objs = res.Objects
		p.event(d.ID, "info", fmt.Sprintf("provisioned %d resources, rendered %d objects", len(res.Graph.Nodes), len(objs)))
		if err := p.saveResources(ctx, env, res); err != nil {
			return err
		}
	}
	previous, err := p.previousInventory(ctx, env)
	if err != nil {
		return err
	}
	applied, err := target.Apply(ctx, &paved.ApplyRequest{
		Context: p.deployContext(ctx, env), DeploymentID: d.ID, Author: d.Author,
		Message: commitMessage(d), Objects: objs, Previous: previous,
		Log: func(msg string) { p.event(d.ID, "info", msg) },
	})
	if err != nil {
		if applied != nil {
			// What a failed apply did create is recorded, so that the next
			// deployment prunes it if it is no longer rendered.
			d.Inventory, d.Revision = applied.Inventory, applied.Revision
		}
		return err
	}
	var failed []string
	for _, s := range applied.Statuses {
		msg := s.Ref.String() + ": " + s.State
		if s.Reason != "" {
			msg += " (" + s.Reason + ")"
		}
		if s.State != "applied" {
			p.event(d.ID, "info", msg)
		}
		if s.State == "failed" {
			failed = append(failed, msg)
		}
	}
	if len(failed) > 0 {
		d.Inventory, d.Revision = applied.Inventory, applied.Revision
		return paved.Errorf(paved.EINVALID, "%d object(s) failed to roll out: %s", len(failed), strings.Join(failed, "; "))
	}
	if d.Objects, err = p.sealObjects(d.ID, objs); err != nil {
		return err
	}
	d.Inventory, d.Revision = applied.Inventory, applied.Revision
	return nil
}

func commitMessage(d *paved.Deployment) string {
	msg := "by " + d.Author
	if d.CommitSHA != "" {
		msg += " from commit " + d.CommitSHA
	}
	if d.RollbackOf != "" {
		msg += ", rollback to " + d.RollbackOf
	}
	return msg
}

// saveResources records what provisioning produced: public outputs in
// clear, secret outputs and driver state sealed.
func (p *Platform) saveResources(ctx context.Context, env *paved.Environment, res *engine.Result) error {
	for _, n := range res.Graph.Nodes {
		if n.Outputs == nil {
			continue // not provisioned: a failure came first
		}
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
		err = p.cfg.Store.PutResource(ctx, &paved.StoredResource{
			App: env.App, Env: env.Name, UID: n.UID, DefinitionID: n.Definition.ID, Driver: n.Definition.Driver,
			Outputs: public, SecretNames: names, Sealed: sealed, UpdatedAt: p.now(),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// GetDeployment returns a deployment with Secret values redacted.
func (p *Platform) GetDeployment(ctx context.Context, id string) (*paved.Deployment, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	d, err := p.cfg.Store.GetDeployment(ctx, id)
	if err != nil {
		return nil, err
	}
	d.Objects = redactObjects(d.Objects)
	return d, nil
}

// ListDeployments lists an app's deployments, newest first, without their
// objects (GetDeployment has them).
func (p *Platform) ListDeployments(ctx context.Context, app, env string, limit int) ([]paved.Deployment, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	ds, err := p.cfg.Store.ListDeployments(ctx, app, env, limit)
	for i := range ds {
		ds[i].Objects = nil
		ds[i].Specs = nil
	}
	return ds, err
}

// Events returns a deployment's events after seq.
func (p *Platform) Events(ctx context.Context, id string, after int64) ([]paved.Event, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.cfg.Store.Events(ctx, id, after)
}

// Rollback queues a deployment that re-deploys an earlier successful
// deployment's snapshot (its rendered objects, exactly).
func (p *Platform) Rollback(ctx context.Context, id string) (d *paved.Deployment, err error) {
	defer func() { p.audit(ctx, "rollback", id, err) }()
	old, err := p.cfg.Store.GetDeployment(ctx, id)
	if err != nil {
		return nil, err
	}
	u, _, err := p.requireTeam(ctx, old.App, "rolling back")
	if err != nil {
		return nil, err
	}
	if old.Status != paved.DeploymentSucceeded {
		return nil, paved.Errorf(paved.EINVALID, "deployment %s %s; only a succeeded deployment can be rolled back to", id, old.Status)
	}
	env, err := p.cfg.Store.GetEnvironment(ctx, old.App, old.Env)
	if err != nil {
		return nil, err
	}
	if !ofEnvironment(old, env) {
		return nil, paved.Errorf(paved.EINVALID, "deployment %s belongs to an earlier environment %s that was deleted; its resources are gone, so it cannot be rolled back to", id, old.Env)
	}
	if err := p.mvpAllows(env.Type); err != nil {
		return nil, err
	}
	objs, err := p.openObjects(old.ID, old.Objects)
	if err != nil {
		return nil, err
	}
	now := p.now()
	d = &paved.Deployment{
		ID: newDeploymentID(now), App: old.App, Env: old.Env, Author: u.Name,
		CommitSHA: old.CommitSHA, CommitTime: old.CommitTime, Specs: old.Specs,
		RollbackOf: old.ID, Status: paved.DeploymentQueued, CreatedAt: now, Runner: p.id,
	}
	if d.Objects, err = p.sealObjects(d.ID, objs); err != nil {
		return nil, err
	}
	if err := p.cfg.Store.CreateDeployment(ctx, d); err != nil {
		return nil, err
	}
	p.event(d.ID, "info", fmt.Sprintf("rollback to %s queued by %s", old.ID, u.Name))
	p.enqueue(envKey(d.App, d.Env), d.ID)
	d.Objects = redactObjects(d.Objects)
	return d, nil
}

// Promote deploys what last succeeded in one environment to another, with
// the other environment's definitions.
func (p *Platform) Promote(ctx context.Context, app, from, to string) (*paved.Deployment, error) {
	src, err := p.cfg.Store.GetEnvironment(ctx, app, from)
	if err != nil {
		p.audit(ctx, "promote", app+"/"+from+" → "+to, err)
		return nil, err
	}
	last, err := p.lastSuccessful(ctx, src)
	if err != nil {
		if paved.ErrorCode(err) == paved.ENOTFOUND {
			err = paved.Errorf(paved.EINVALID, "environment %s of %s has no successful deployment to promote", from, app)
		}
		p.audit(ctx, "promote", app+"/"+from+" → "+to, err)
		return nil, err
	}
	return p.Deploy(ctx, &paved.DeployRequest{App: app, Env: to, Specs: last.Specs, CommitSHA: last.CommitSHA, CommitTime: last.CommitTime})
}

// previousInventory is what the target may hold of the environment: the
// last successful deployment's inventory, plus what failed deployments since
// then applied before they failed.
func (p *Platform) previousInventory(ctx context.Context, env *paved.Environment) ([]paved.ObjectRef, error) {
	var prev []paved.ObjectRef
	last, err := p.lastSuccessful(ctx, env)
	switch {
	case err == nil:
		prev = slices.Clone(last.Inventory)
	case paved.ErrorCode(err) != paved.ENOTFOUND:
		return nil, err
	}
	recent, err := p.cfg.Store.ListDeployments(ctx, env.App, env.Name, historyWindow)
	if err != nil {
		return nil, err
	}
	for _, r := range recent {
		if !ofEnvironment(&r, env) || r.FinishedAt == nil || last != nil && !r.FinishedAt.After(*last.FinishedAt) {
			continue
		}
		if r.Status == paved.DeploymentFailed {
			for _, ref := range r.Inventory {
				if !slices.Contains(prev, ref) {
					prev = append(prev, ref)
				}
			}
		}
	}
	return prev, nil
}
