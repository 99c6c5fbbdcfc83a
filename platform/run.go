package platform

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/engine"
	"paved.dev/paved/graph"
)

// runDeployment runs one queued deployment to its end, holding its
// environment's lease: provision, render, apply, record. The runner always
// records the outcome itself, with a compare and swap on its lease, so that
// no deployment stays running on a live server.
func (p *Platform) runDeployment(ctx context.Context, app, env, id string) {
	defer p.track(id, false)
	// However it ends, its followers here hear of it.
	defer p.events.finished(id)
	queued := &paved.Deployment{ID: id, App: app, Env: env}
	var lost *paved.Deployment
	defer func() {
		// A success the lease no longer allowed was recorded as a
		// failure: what it applied is undone once the lease is free.
		if lost != nil {
			_ = p.reconcileAfter(context.WithoutCancel(p.runCtx), []paved.Deployment{*lost}) // logged
		}
	}()
	err := p.withLease(ctx, app, env, func(ctx context.Context) error {
		// Read under the lease: the orphan check of another server may
		// have failed it while it waited.
		d, err := p.cfg.Store.GetDeployment(ctx, id)
		if err != nil {
			p.log.Error("loading a queued deployment", "deployment", id, "err", err)
			p.fail(queued, "it could not start: reading it from the store failed: "+paved.ErrorMessage(err)+"; deploy again")
			return nil
		}
		if d.Status == paved.DeploymentQueued && p.run(ctx, d) {
			lost = d
		}
		return nil
	})
	if err != nil {
		// The lease was never taken (shutdown, or the store is down): the
		// deployment never started, and fails saying why.
		why := paved.ErrorMessage(err)
		if p.runCtx.Err() != nil {
			why = "the server stopped before it ran"
		}
		p.log.Error("running a deployment", "deployment", id, "err", err)
		p.fail(queued, "it could not start: "+why+"; deploy again")
	}
}

// fail records that a deployment failed before it applied anything.
func (p *Platform) fail(d *paved.Deployment, why string) {
	p.event(d.ID, paved.EventError, "failed: "+why)
	p.finish(d, paved.DeploymentFailed, &paved.DeploymentResult{Error: why}, nil)
}

// run runs a deployment under its environment's lease and records its
// result; it reports whether the environment is to be brought back to its
// last successful deployment: a success refused because the lease was lost
// meanwhile, or a deployment the target took whole but whose bookkeeping
// in the store failed after that (either is recorded as failed).
func (p *Platform) run(ctx context.Context, d *paved.Deployment) (reconcile bool) {
	started := p.now()
	if err := p.cfg.Store.StartDeployment(ctx, d.ID, p.id, started); err != nil {
		if paved.ErrorCode(err) == paved.ECONFLICT {
			return false // failed by the orphan check meanwhile: its result stands
		}
		p.log.Error("marking a deployment running", "deployment", d.ID, "err", err)
		p.fail(d, "it could not start: marking it running failed: "+paved.ErrorMessage(err)+"; nothing was applied: deploy again")
		return false
	}
	d.Status, d.StartedAt = paved.DeploymentRunning, &started
	p.event(d.ID, paved.EventInfo, "running on "+p.id)
	res, health, err := p.execute(ctx, d)
	if reconcile = errors.Is(err, errNotRecorded); reconcile {
		// Its health is not the environment's once it is brought back.
		health = nil
	}
	if ctx.Err() != nil {
		// The lease was lost: whatever happened after that is not to be
		// trusted, and another server may take the environment now.
		why := "it stopped"
		switch {
		case err != nil && paved.ErrorCode(err) == paved.EINTERNAL:
			why = "it stopped with an internal error (in the server's log)"
			p.log.Error("deployment stopped after its lease was lost", "deployment", d.ID, "err", err)
		case err != nil:
			why = "it stopped with: " + paved.ErrorMessage(err)
		}
		err = paved.Errorf(paved.EUNAVAILABLE, "%v while deploying, and %s; what was applied may be incomplete: deploy again", context.Cause(ctx), why)
	}
	status := paved.DeploymentSucceeded
	if err != nil {
		status = paved.DeploymentFailed
		res.Error = paved.ErrorMessage(err)
		if errors.Is(err, errStale) {
			var note string
			res.ReplacedBy, note = p.replan(ctx, d)
			res.Error += "; " + note
		}
		res.Rollout = ""
		if paved.ErrorCode(err) == paved.EINTERNAL {
			p.log.Error("deployment failed", "deployment", d.ID, "err", err)
		}
		p.event(d.ID, paved.EventError, "failed: "+res.Error)
	} else {
		p.event(d.ID, paved.EventInfo, fmt.Sprintf("succeeded in %v: %d objects, %s, revision %s",
			p.now().Sub(started).Round(time.Millisecond), len(res.Inventory), res.Rollout, res.Revision))
	}
	return p.finish(d, status, res, health) || reconcile
}

const leaseLostReason = "it finished after its server lost the environment's lease (the lease expired, or another server took it), " +
	"so its success was not recorded; what was applied may have been overwritten, and the environment is brought back to its last successful deployment: deploy again"

// finish records a deployment's result: a compare and swap on (running or
// queued, this runner), retried while the store fails, so that a result is
// never silently dropped; another server's result is never overwritten. A
// success is also a compare and swap on the environment's lease: when the
// lease is no longer this server's, the deployment is recorded as failed
// instead and finish reports it (leaseLost).
func (p *Platform) finish(d *paved.Deployment, status paved.DeploymentStatus, res *paved.DeploymentResult, health *paved.EnvironmentHealth) (leaseLost bool) {
	ctx := context.WithoutCancel(p.runCtx)
	lease := ""
	if status == paved.DeploymentSucceeded {
		// Only a success says what the target holds; a failure, and what
		// it may have applied, is recorded whoever holds the lease now.
		lease = leaseName(d.App, d.Env)
	}
	err := p.finishRetried(ctx, d.ID, lease, status, res)
	if lease != "" && paved.ErrorCode(err) == paved.ECONFLICT {
		now, gerr := p.readBack(ctx, d.ID)
		if gerr != nil {
			// Who finished it is unknown: the sweep fails it later if
			// it is still running.
			err = fmt.Errorf("reading the deployment back after its success was refused: %w", gerr)
		} else if now.Runner == p.id && now.Status == paved.DeploymentRunning {
			p.log.Error("the environment's lease was lost before the deployment's success was recorded; recording it as failed", "deployment", d.ID, "err", err)
			p.event(d.ID, paved.EventError, "failed: "+leaseLostReason)
			failed := &paved.DeploymentResult{Error: leaseLostReason, Inventory: res.Inventory, Revision: res.Revision}
			if err = p.finishRetried(ctx, d.ID, "", paved.DeploymentFailed, failed); err == nil {
				p.cfg.Observer.DeploymentFinished(d.Kind, d.EnvType, paved.DeploymentFailed, p.took(d))
				return true
			}
			if paved.ErrorCode(err) != paved.ECONFLICT {
				// The failure may have landed with its answer lost: the
				// environment is brought back either way (idempotent);
				// if it did not land, the sweep fails it later.
				p.log.Error("recording a deployment's result", "deployment", d.ID, "status", paved.DeploymentFailed, "err", err)
				return true
			}
		}
	}
	switch {
	case paved.ErrorCode(err) == paved.ECONFLICT:
		p.log.Warn("another server or the orphan check finished this deployment first; its result stands", "deployment", d.ID, "status", status)
		return false
	case err != nil:
		// The sweep of this server's stuck deployments fails it later.
		p.log.Error("recording a deployment's result", "deployment", d.ID, "status", status, "err", err)
		return false
	}
	p.cfg.Observer.DeploymentFinished(d.Kind, d.EnvType, status, p.took(d))
	if health != nil {
		if err := p.cfg.Store.SetHealth(ctx, d.App, d.Env, *health); err != nil && paved.ErrorCode(err) != paved.ENOTFOUND {
			p.log.Error("recording an environment's health", "deployment", d.ID, "err", err)
		}
	}
	return false
}

// finishRetried writes a result, tried again while the store fails (not
// when it refuses: ECONFLICT and ENOTFOUND are answers). A failed attempt
// may have been written all the same (its answer was lost on the way): a
// conflict after one is this write's own when the deployment reads back
// as finished by this server with this status and error (recordedAlready);
// when it cannot be read back, the read's error is returned, not the
// conflict, which would say another server finished it.
func (p *Platform) finishRetried(ctx context.Context, id, lease string, status paved.DeploymentStatus, res *paved.DeploymentResult) error {
	failedOnce := false
	for attempt := 1; ; attempt++ {
		err := p.cfg.Store.FinishDeployment(ctx, id, p.id, lease, status, res, p.now())
		if failedOnce && paved.ErrorCode(err) == paved.ECONFLICT {
			mine, rerr := p.recordedAlready(ctx, id, status, res)
			if rerr != nil {
				return fmt.Errorf("its result met a conflict after an attempt whose answer was lost, and reading it back failed: %w", rerr)
			}
			if mine {
				p.log.Info("a deployment's result was recorded though the store's answer was lost; it stands", "deployment", id, "status", status)
				return nil
			}
		}
		if err == nil || paved.ErrorCode(err) == paved.ECONFLICT || paved.ErrorCode(err) == paved.ENOTFOUND || attempt == storeAttempts {
			return err
		}
		failedOnce = true
		if !storeBackoff(ctx, attempt) {
			return err
		}
	}
}

// recordedAlready says whether deployment id reads back as finished by this
// server with status and res's error: what an earlier attempt wrote.
func (p *Platform) recordedAlready(ctx context.Context, id string, status paved.DeploymentStatus, res *paved.DeploymentResult) (bool, error) {
	now, err := p.readBack(ctx, id)
	if err != nil {
		return false, err
	}
	return now.Runner == p.id && now.Status == status && now.Error == res.Error, nil
}

// readBack reads a deployment, tried again while the store is unavailable.
func (p *Platform) readBack(ctx context.Context, id string) (*paved.Deployment, error) {
	var d *paved.Deployment
	err := storeRetried(ctx, func() error {
		var err error
		d, err = p.cfg.Store.GetDeployment(ctx, id)
		return err
	})
	return d, err
}

// took is how long a deployment ran, 0 when it never started.
func (p *Platform) took(d *paved.Deployment) time.Duration {
	if d.StartedAt == nil {
		return 0
	}
	return p.now().Sub(*d.StartedAt)
}

// execute provisions, renders and applies a deployment. It returns the
// result (what was applied, also on failure, so that it is pruned later) and
// the environment's health as the target reported it.
func (p *Platform) execute(ctx context.Context, d *paved.Deployment) (*paved.DeploymentResult, *paved.EnvironmentHealth, error) {
	out := &paved.DeploymentResult{}
	env, err := p.cfg.Store.GetEnvironment(ctx, d.App, d.Env)
	if err != nil {
		return out, nil, err
	}
	if env.ID != d.EnvID {
		return out, nil, paved.Errorf(paved.ECONFLICT, "environment %s/%s was deleted and created again since this deployment was queued; deploy again", d.App, d.Env)
	}
	target, err := p.target(ctx, env.Target)
	if err != nil {
		return out, nil, err
	}
	dc, err := p.contextOf(ctx, env)
	if err != nil {
		return out, nil, err
	}
	log := func(msg string) { p.event(d.ID, paved.EventInfo, msg) }
	moved, last, err := p.movedBase(ctx, d, env)
	if err != nil {
		return out, nil, err
	}
	if moved {
		if err := p.baseResources(ctx, d, env, last); err != nil {
			return out, nil, err
		}
	}
	var objs []paved.Object
	var res *engine.Result
	if d.Kind == paved.KindRollback {
		if objs, err = p.openObjects(d.ID, d.Objects); err != nil {
			return out, nil, err
		}
		log(fmt.Sprintf("re-deploying the snapshot of %s", d.Source))
	} else {
		res, err = p.provision(ctx, d, env, dc, log)
		if err != nil {
			return out, nil, err
		}
		objs = res.Objects
		if err := checkRendered(d.Plan, objs); err != nil {
			return out, nil, err
		}
		log(fmt.Sprintf("provisioned %d resources, rendered %d objects", len(res.Graph.Nodes), len(objs)))
	}
	if moved {
		if err := p.baseObjects(ctx, d, last, objs, log); err != nil {
			return out, nil, err
		}
	}
	previous, err := p.previousInventory(ctx, env, last)
	if err != nil {
		return out, nil, err
	}
	var intended []paved.ObjectRef
	applied, err := target.Apply(ctx, &paved.ApplyRequest{
		Context: dc, DeploymentID: d.ID, Author: d.Author,
		Message: commitMessage(d), Objects: objs, Previous: previous, Log: log,
		Intent: func(refs []paved.ObjectRef) error {
			// What the target held and what it is about to write: if this
			// deployment dies part way, the next prunes from this list.
			inv := mergeRefs(previous, refs)
			// It writes the same list each time: safe to run again.
			if err := storeRetried(ctx, func() error { return p.cfg.Store.RecordInventory(ctx, d.ID, p.id, inv) }); err != nil {
				return fmt.Errorf("recording what is about to be applied: %w", err)
			}
			intended = inv
			return nil
		},
	})
	if applied != nil {
		out.Inventory, out.Revision = applied.Inventory, applied.Revision
	}
	if err != nil {
		// A failed apply may have written any object it was about to
		// write (a call that timed out may still have landed): the result
		// lists them all, so that the next deployment prunes what it no
		// longer renders.
		out.Inventory = mergeRefs(out.Inventory, intended)
		return out, &paved.EnvironmentHealth{Status: paved.HealthDegraded, Reason: "the last deployment failed to apply: " + paved.ErrorMessage(err), Deployment: d.ID, At: p.now()}, err
	}
	rollout, health, err := p.outcome(d, applied, log)
	if err != nil {
		return out, health, err
	}
	// The target holds it now: what follows is bookkeeping, tried again
	// while the store is unavailable, and a failure of it brings the
	// environment back (notRecorded).
	if res != nil {
		err = storeRetried(ctx, func() error { return p.retire(ctx, env, res, log) })
	} else {
		err = storeRetried(ctx, func() error { return p.reactivate(ctx, d, log) })
	}
	if err != nil {
		return out, health, notRecorded(err)
	}
	out.Objects, out.Rollout = p.sealObjects(d.ID, objs), rollout
	return out, health, nil
}

// provision resolves the specs with the definitions the plan pinned,
// provisions for real and records what was provisioned, also when a later
// resource failed, so that deleting the environment removes it.
func (p *Platform) provision(ctx context.Context, d *paved.Deployment, env *paved.Environment, dc paved.DeployContext, log func(string)) (*engine.Result, error) {
	m, err := p.pins(ctx, d.Plan)
	if err != nil {
		return nil, err
	}
	stored, err := p.cfg.Store.ListResources(ctx, paved.ResourceFilter{App: env.App, Env: env.Name})
	if err != nil {
		return nil, err
	}
	st, err := p.graphState(env, stored, m.pick)
	if err != nil {
		return nil, err
	}
	// Each resource is recorded the moment its driver made it: what a
	// driver created outside the cluster is never forgotten, even if the
	// deployment dies right after.
	save := func(ctx context.Context, n *graph.Node) error {
		return p.saveResource(context.WithoutCancel(ctx), env, n)
	}
	return p.cfg.Engine.Run(ctx, engine.Request{Sources: sources(d.Specs), Matcher: m, Context: dc, State: st, Log: log, Provisioned: save,
		Patches: p.cfg.PatchTemplates[dc.EnvType]})
}

// pins loads the definition versions a plan pinned.
func (p *Platform) pins(ctx context.Context, pl *paved.Plan) (pinned, error) {
	m := pinned{defs: map[paved.ResourceUID]*paved.ResourceDefinition{}}
	if pl == nil {
		return m, paved.Errorf(paved.EINVALID, "this deployment has no plan; deploy again")
	}
	// Many resources share a definition version: each is loaded once.
	loaded := map[paved.DefinitionRef]*paved.ResourceDefinition{}
	for _, r := range pl.Resources {
		if r.Action == paved.PlanOrphan {
			continue
		}
		d := loaded[r.Definition]
		if d == nil {
			var err error
			if d, err = p.definitionAt(ctx, r.Definition); err != nil {
				return m, paved.Errorf(paved.ErrorCode(err), "resource %s: the definition its plan pinned, %s, cannot be loaded: %s", r.UID, r.Definition, paved.ErrorMessage(err))
			}
			loaded[r.Definition] = d
		}
		m.defs[r.UID] = d
	}
	return m, nil
}

// checkRendered refuses objects that are not the ones the plan listed (by
// identity: their content comes from the real outputs now, where the plan
// had dry ones).
func checkRendered(pl *paved.Plan, objs []paved.Object) error {
	want := map[string]bool{}
	for _, o := range pl.Objects {
		if o.Action != paved.PlanDelete {
			want[o.Ref.String()] = true
		}
	}
	got := map[string]bool{}
	for _, o := range objs {
		got[o.Ref().String()] = true
	}
	var extra, missing []string
	for k := range got {
		if !want[k] {
			extra = append(extra, k)
		}
	}
	for k := range want {
		if !got[k] {
			missing = append(missing, k)
		}
	}
	if len(extra)+len(missing) == 0 {
		return nil
	}
	slices.Sort(extra)
	slices.Sort(missing)
	return paved.Errorf(paved.EINVALID, "the rendered objects differ from the plan (not planned: %v; planned but not rendered: %v): a definition's output changed what is rendered; deploy again to plan anew", extra, missing)
}

// outcome judges what the target reported: a deployment succeeds only when
// every workload rolled out, or when the target cannot see them run (a Git
// repository), saying so; a workload that failed or did not roll out in time
// fails it, by name.
func (p *Platform) outcome(d *paved.Deployment, res *paved.ApplyResult, log func(string)) (paved.RolloutState, *paved.EnvironmentHealth, error) {
	h := &paved.EnvironmentHealth{Deployment: d.ID, At: p.now()}
	var failed, progressing []string
	workloads := 0
	counts := map[paved.ObjectState]int{}
	for _, s := range res.Statuses {
		counts[s.State]++
		msg := s.Ref.String()
		if s.Reason != "" {
			msg += " (" + s.Reason + ")"
		}
		switch s.State {
		case paved.ObjectFailed:
			failed = append(failed, msg)
		case paved.ObjectProgressing:
			progressing = append(progressing, msg)
			workloads++
		case paved.ObjectReady:
			workloads++
		}
	}
	// The target has told each workload's progress as it went; one line
	// sums up what it did.
	var parts []string
	for _, st := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
	}
	log("target reports: " + strings.Join(parts, ", "))
	switch {
	case len(failed) > 0:
		h.Status, h.Reason = paved.HealthDegraded, strings.Join(failed, "; ")
		return "", h, paved.Errorf(paved.EINVALID, "%d object(s) failed to roll out: %s", len(failed), h.Reason)
	case len(progressing) > 0 && res.Observed:
		h.Status, h.Reason = paved.HealthProgressing, strings.Join(progressing, "; ")
		return "", h, paved.Errorf(paved.EUNAVAILABLE, "%d workload(s) did not roll out in time: %s", len(progressing), h.Reason)
	case len(progressing) > 0:
		h.Status, h.Reason = paved.HealthProgressing, "applied without waiting for rollouts: "+strings.Join(progressing, "; ")
		return paved.RolloutApplied, h, nil
	case res.Committed:
		h.Status = paved.HealthUnknown
		h.Reason = fmt.Sprintf("committed to revision %s; paved cannot see whether a cluster synced and ran it", res.Revision)
		return paved.RolloutCommitted, h, nil
	case !res.Observed && workloads > 0:
		h.Status = paved.HealthUnknown
		h.Reason = fmt.Sprintf("%d workload(s) applied without watching their rollouts (the target does not wait)", workloads)
		return paved.RolloutApplied, h, nil
	case workloads > 0:
		h.Status, h.Reason = paved.HealthHealthy, fmt.Sprintf("%d workload(s) rolled out", workloads)
		return paved.RolloutComplete, h, nil
	}
	h.Status, h.Reason = paved.HealthHealthy, fmt.Sprintf("%d object(s) applied; no workload to wait for", counts[paved.ObjectApplied])
	return paved.RolloutApplied, h, nil
}

func orNone(s string) string {
	if s == "" {
		return "no earlier deployment"
	}
	return s
}

func commitMessage(d *paved.Deployment) string {
	msg := string(d.Kind) + " by " + d.Author
	if d.CommitSHA != "" {
		msg += " from commit " + d.CommitSHA
	}
	if d.Source != "" {
		msg += ", from " + d.Source
	}
	return msg
}
