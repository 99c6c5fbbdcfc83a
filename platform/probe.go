package platform

import (
	"context"
	"errors"
	"slices"
	"time"

	"paved.dev/paved"
)

// allowProbe rate-limits probes of one target or definition: they make
// paved connect with admin credentials, so each runs at most once every
// ProbeEvery.
func (p *Platform) allowProbe(key string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if last, ok := p.probed[key]; ok && now.Sub(last) < p.cfg.ProbeEvery {
		wait := p.cfg.ProbeEvery - now.Sub(last)
		return paved.Errorf(paved.ETOOMANY, "%s was probed %v ago; probe it again in %v", key, now.Sub(last).Round(time.Second), wait.Round(time.Second))
	}
	p.probed[key] = now
	return nil
}

// probeResult turns a probe's error into a result.
func probeResult(kind, name string, err error, ok string, at time.Time) *paved.ProbeResult {
	r := &paved.ProbeResult{Name: name, Kind: kind, Status: paved.ProbeOK, Message: ok, CheckedAt: at}
	switch {
	case errors.Is(err, paved.ErrProbeLimited):
		r.Status, r.Message = paved.ProbeLimited, paved.ErrorMessage(err)
	case err != nil:
		r.Status, r.Message = paved.ProbeFailed, paved.ErrorMessage(err)
	}
	return r
}

// ProbeTarget checks that paved reaches a target with the rights it needs
// (admin, rate limited) and records the result in the audit log, where the
// Integration phase reads "connected".
func (p *Platform) ProbeTarget(ctx context.Context, name string) (*paved.ProbeResult, error) {
	if _, err := requireAdmin(ctx, "probing a target"); err != nil {
		return nil, err
	}
	t, err := p.target(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := p.allowProbe("target " + name); err != nil {
		return nil, err
	}
	var r *paved.ProbeResult
	if pr, ok := t.(paved.TargetProber); ok {
		r = probeResult("target", name, pr.Probe(ctx), "reachable, authenticated, and allowed to do what paved needs", p.now())
	} else {
		r = &paved.ProbeResult{Name: name, Kind: "target", Status: paved.ProbeNotChecked, CheckedAt: p.now(),
			Message: "not checked: this target has no probe"}
	}
	p.recordProbe(ctx, r)
	return r, nil
}

// ProbeDefinitions checks that definitions' drivers reach what they need
// with the rights they need (admin, rate limited per definition), and
// records each result.
func (p *Platform) ProbeDefinitions(ctx context.Context, ids []string) ([]paved.ProbeResult, error) {
	if _, err := requireAdmin(ctx, "probing definitions"); err != nil {
		return nil, err
	}
	defs, err := p.storedDefinitions(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if !slices.ContainsFunc(defs, func(d paved.ResourceDefinition) bool { return d.ID == id }) {
			return nil, paved.Errorf(paved.ENOTFOUND, "definition %s not found", id)
		}
	}
	var out []paved.ProbeResult
	for _, d := range defs {
		if len(ids) > 0 && !slices.Contains(ids, d.ID) {
			continue
		}
		if err := p.allowProbe("definition " + d.ID); err != nil {
			return out, err
		}
		var r *paved.ProbeResult
		if pr, ok := p.cfg.Engine.Drivers[d.Driver].(paved.Prober); ok {
			r = probeResult("definition", d.ID, pr.Probe(ctx, d.Inputs), "the "+d.Driver+" driver's probe passed: it reaches what it provisions on, with the rights it needs", p.now())
		} else {
			r = &paved.ProbeResult{Name: d.ID, Kind: "definition", Status: paved.ProbeNotChecked, CheckedAt: p.now(),
				Message: "not checked: the " + d.Driver + " driver reaches nothing outside the cluster"}
		}
		p.recordProbe(ctx, r)
		out = append(out, *r)
	}
	return out, nil
}

// recordProbe writes a probe's result to the audit log.
func (p *Platform) recordProbe(ctx context.Context, r *paved.ProbeResult) {
	var err error
	if r.Status != paved.ProbeOK {
		// The audit result reads "failed: ...", "limited: ..." or
		// "not_checked: ...".
		err = &paved.Error{Code: string(r.Status), Message: r.Message}
	}
	p.audit(ctx, r.Kind+".probe", r.Name, err)
}
