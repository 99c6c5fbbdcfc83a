package platform

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/engine"
)

// MaxSpecs bounds the Score files of one deployment.
const MaxSpecs = 500

// intent is what a deployment is asked to do, before it is planned: every
// kind of deployment starts as one and goes through submit.
type intent struct {
	kind   paved.DeploymentKind
	author *paved.User
	app    *paved.App
	env    *paved.Environment
	specs  map[string]string
	// snapshot holds a rollback's objects (Secret values in clear).
	snapshot   []paved.Object
	commitSHA  string
	commitTime *time.Time
	// fix marks a deployment made to fix a failed change (DORA).
	fix bool
	// source names the deployment a rollback, promotion or clone takes from.
	source string
	// rollbackOf is the deployment a rollback re-deploys.
	rollbackOf *paved.Deployment
}

// planned is an intent after planning: the plan, and what it was made from.
type planned struct {
	plan    *paved.Plan
	objects []paved.Object // rendered (dry) or the snapshot, Secrets in clear
	last    *paved.Deployment
}

func newDeploymentID(now time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "d-" + now.Format("20060102-150405") + "-" + hex.EncodeToString(b)
}

func envKey(app, env string) string { return app + "/" + env }

// submit is the one way a deployment comes to be: check, plan, pass the
// gates, record, queue. A gate's denial is recorded as a failed deployment
// that never ran, and returned as an error.
func (p *Platform) submit(ctx context.Context, in *intent) (*paved.Deployment, error) {
	// A rollback is never held back: it is how a production incident ends.
	if err := p.readyForProduction(ctx, in.env.App, in.env.Type); err != nil && in.kind != paved.KindRollback {
		return nil, err
	}
	pl, err := p.prepare(ctx, in)
	if err != nil {
		return nil, err
	}
	findings, err := p.evaluate(ctx, in, pl)
	var failure *paved.PolicyFailure
	unjudged := err
	if err != nil && (!errors.As(err, &failure) || ctx.Err() != nil) {
		return nil, err
	}
	pl.plan.Findings = findings
	now := p.now()
	d := &paved.Deployment{
		ID: newDeploymentID(now), Kind: in.kind, App: in.env.App, Env: in.env.Name,
		EnvID: in.env.ID, EnvType: in.env.Type, Target: in.env.Target, Author: in.author.Name,
		CommitSHA: in.commitSHA, CommitTime: in.commitTime, Fix: in.fix, Specs: in.specs, Source: in.source,
		Plan: pl.plan, Runner: p.id, Status: paved.DeploymentQueued, CreatedAt: now,
	}
	if in.kind == paved.KindRollback {
		d.Objects = p.sealObjects(d.ID, in.snapshot)
	}
	if denied := deniedBy(findings); len(denied) > 0 || unjudged != nil {
		d.Status, d.FinishedAt = paved.DeploymentFailed, &now
		d.Error = deniedPrefix + ": " + strings.Join(denied, "; ")
		if unjudged != nil {
			// A policy that fails or runs too long fails the deployment
			// (recorded, so that its owner sees which policy) rather than
			// letting it through unjudged. The answer is not a 503: a retry
			// would fail the same way until the owner fixes the policy.
			d.Error = "not judged, so nothing was provisioned: " + paved.ErrorMessage(unjudged)
		}
		if err := p.cfg.Store.CreateDeployment(ctx, d); err != nil {
			return nil, err
		}
		p.cfg.Observer.DeploymentFinished(d.Kind, d.EnvType, d.Status, 0)
		p.event(d.ID, paved.EventError, d.Error)
		return d, paved.Errorf(paved.EFORBIDDEN, "deployment %s %s", d.ID, d.Error)
	}
	p.track(d.ID, true)
	if err := p.cfg.Store.CreateDeployment(ctx, d); err != nil {
		p.track(d.ID, false)
		return nil, err
	}
	p.event(d.ID, paved.EventInfo, fmt.Sprintf("%s queued by %s: %s", in.kind, in.author.Name, summary(pl.plan)))
	for _, f := range findings {
		p.event(d.ID, paved.EventWarn, fmt.Sprintf("%s: %s", f.Gate, f.Message))
	}
	p.enqueue(d.App, d.Env, d.ID)
	d.Objects = redactObjects(d.Objects)
	return d, nil
}

// prepare plans an intent: resolves the specs with the environment's
// definitions (drivers that create things outside the cluster in a dry
// mode), or takes a rollback's snapshot, and compares the result with what
// the target holds now.
func (p *Platform) prepare(ctx context.Context, in *intent) (*planned, error) {
	last, err := p.lastSuccessful(ctx, in.env)
	if err != nil {
		return nil, err
	}
	pl := &planned{last: last, plan: &paved.Plan{App: in.env.App, Env: in.env.Name, EnvType: in.env.Type,
		Target: in.env.Target, Kind: in.kind, Resources: []paved.PlannedResource{}}}
	if last != nil {
		pl.plan.Base = last.ID
	}
	dc := deployContext(in.env, in.app)
	if in.kind == paved.KindRollback {
		pl.objects = in.snapshot
		stored, err := p.cfg.Store.ListResources(ctx, paved.ResourceFilter{App: in.env.App, Env: in.env.Name})
		if err != nil {
			return nil, err
		}
		if pl.plan.Resources, err = rollbackResources(in.rollbackOf, stored); err != nil {
			return nil, err
		}
	} else {
		if err := checkSpecs(in.specs); err != nil {
			return nil, err
		}
		set, err := p.definitions(ctx)
		if err != nil {
			return nil, err
		}
		stored, err := p.cfg.Store.ListResources(ctx, paved.ResourceFilter{App: in.env.App, Env: in.env.Name})
		if err != nil {
			return nil, err
		}
		st, err := p.graphState(in.env, stored, matchedBy(set, dc))
		if err != nil {
			return nil, err
		}
		res, err := p.cfg.Engine.Run(ctx, engine.Request{
			Sources: sources(in.specs), Definitions: nil, Matcher: set, Context: dc, State: st,
			Drivers: p.dryDrivers(stored), Patches: p.cfg.PatchTemplates[dc.EnvType],
		})
		if err != nil {
			return nil, err
		}
		pl.objects = res.Objects
		pl.plan.Resources = planResources(res, stored)
	}
	var before []paved.Object
	if last != nil {
		if before, err = p.openObjects(last.ID, last.Objects); err != nil {
			return nil, err
		}
	}
	pl.plan.Objects = diffObjects(before, pl.objects)
	p.compareLive(ctx, in.env, dc, before, pl.plan)
	return pl, nil
}

// checkSpecs bounds a deployment's Score files.
func checkSpecs(specs map[string]string) error {
	if len(specs) == 0 {
		return paved.Errorf(paved.EINVALID, "specs: no Score files; give at least one")
	}
	if len(specs) > MaxSpecs {
		return paved.Errorf(paved.EINVALID, "specs: %d Score files; at most %d in one deployment", len(specs), MaxSpecs)
	}
	return nil
}

func sources(specs map[string]string) []engine.Source {
	var out []engine.Source
	for _, name := range slices.Sorted(maps.Keys(specs)) {
		out = append(out, engine.Source{Path: name, Data: []byte(specs[name])})
	}
	return out
}

// evaluate runs every gate on the plan; findings are collected from all of
// them, so a denial lists every reason at once.
func (p *Platform) evaluate(ctx context.Context, in *intent, pl *planned) ([]paved.Finding, error) {
	gin := &paved.GateInput{Plan: pl.plan, Author: in.author, App: in.app, Env: in.env, Specs: in.specs, Previous: pl.last}
	if err := p.estimate(ctx, in, pl, gin); err != nil {
		return nil, err
	}
	if len(p.cfg.Gates) == 0 {
		return nil, nil
	}
	gin.Objects, gin.Definitions = redactObjects(pl.objects), p.planDefinitions(ctx, pl.plan)
	gin.Settings = p.guardrailSettings()
	var out []paved.Finding
	for _, g := range p.cfg.Gates {
		fs, err := g.Evaluate(ctx, gin)
		if err != nil {
			return nil, &paved.Error{Code: paved.ErrorCode(err), Message: fmt.Sprintf("gate %s: %s", g.Name(), paved.ErrorMessage(err)), Err: err}
		}
		for _, f := range fs {
			if f.Gate == "" {
				f.Gate = g.Name()
			}
			out = append(out, f)
		}
	}
	out, err := p.waive(ctx, in.env, out)
	if err != nil {
		return nil, err
	}
	for _, g := range p.cfg.Gates {
		p.cfg.Observer.GateDecided(g.Name(), decision(g.Name(), out))
	}
	return out, nil
}

// decision is a gate's verdict on a plan: its most severe finding after
// waivers.
func decision(gate string, fs []paved.Finding) string {
	d := "allow"
	for _, f := range fs {
		switch {
		case f.Gate != gate:
		case f.Level == paved.FindingDeny:
			return "deny"
		case f.Level == paved.FindingWarn:
			d = "warn"
		}
	}
	return d
}

// deniedBy lists the denials among findings.
func deniedBy(fs []paved.Finding) []string {
	var out []string
	for _, f := range fs {
		if f.Level == paved.FindingDeny {
			msg := f.Gate
			if f.Rule != "" {
				msg += "/" + f.Rule
			}
			if f.Owner != "" {
				msg += " (" + string(f.Owner) + ")"
			}
			out = append(out, msg+": "+f.Message)
		}
	}
	return out
}

// summary says what a plan does in one line: "3 to create, 1 to update".
func summary(pl *paved.Plan) string {
	n := pl.Counts()
	var parts []string
	for _, a := range []paved.PlanAction{paved.PlanCreate, paved.PlanUpdate, paved.PlanReprovision, paved.PlanDelete, paved.PlanOrphan} {
		if n[a] > 0 {
			parts = append(parts, fmt.Sprintf("%d to %s", n[a], a))
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("no change (%d resources, %d objects)", len(pl.Resources), len(pl.Objects))
	}
	return strings.Join(parts, ", ")
}

// planDefinitions reads the definitions a plan's resources use, without
// their inputs, for gates: built-in ones and stored versions. One that
// cannot be read is left out (the gate sees no metadata for it).
func (p *Platform) planDefinitions(ctx context.Context, pl *paved.Plan) map[string]paved.ResourceDefinition {
	out := map[string]paved.ResourceDefinition{}
	for _, r := range pl.Resources {
		ref := r.Definition
		if _, done := out[ref.String()]; done {
			continue
		}
		var d *paved.ResourceDefinition
		if ref.Version == 0 {
			for i := range p.cfg.Engine.Builtin {
				if p.cfg.Engine.Builtin[i].ID == ref.ID {
					d = &p.cfg.Engine.Builtin[i]
				}
			}
		} else if sd, err := p.cfg.Store.GetDefinition(ctx, ref.ID, ref.Version); err == nil {
			d = sd
		}
		if d != nil {
			c := *d
			c.Inputs = nil
			out[ref.String()] = c
		}
	}
	return out
}
