package platform

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"paved.dev/paved"
)

// MaxWaiver is the longest a waiver may last.
const MaxWaiver = 30 * 24 * time.Hour

// RequestWaiver asks for a time-boxed exception to one policy rule for one
// app and environment (admins, or developers of the app's team). It needs
// the approval of the role that owns the rule's policy.
func (p *Platform) RequestWaiver(ctx context.Context, req *paved.WaiverRequest) (w *paved.Waiver, err error) {
	defer func() { p.audit(ctx, "waiver.request", fmt.Sprintf("%s %s/%s", req.Rule, req.App, req.Env), err) }()
	u, _, err := p.requireTeam(ctx, req.App, "asking for a waiver")
	if err != nil {
		return nil, err
	}
	if _, err := p.cfg.Store.GetEnvironment(ctx, req.App, req.Env); err != nil {
		return nil, err
	}
	policyID, rule, ok := strings.Cut(req.Rule, "/")
	if !ok || policyID == "" || rule == "" {
		return nil, paved.Errorf(paved.EINVALID, "rule: %q is not a rule; give it as a finding names it, POLICY/RULE (security/sec-limits)", req.Rule)
	}
	ps, err := p.ListPolicies(ctx)
	if err != nil {
		return nil, err
	}
	var owner paved.Role
	for _, pol := range ps {
		if pol.ID == policyID {
			owner = pol.Owner
		}
	}
	if owner == "" {
		return nil, paved.Errorf(paved.EINVALID, "rule: there is no policy %q (paved policies list)", policyID)
	}
	reason := strings.TrimSpace(req.Reason)
	switch ttl := time.Duration(req.TTL); {
	case reason == "":
		return nil, paved.Errorf(paved.EINVALID, "reason: say why the rule should not apply here")
	case len(reason) > 1000:
		return nil, paved.Errorf(paved.EINVALID, "reason: %d characters; at most 1000", len(reason))
	case ttl <= 0 || ttl > MaxWaiver:
		return nil, paved.Errorf(paved.EINVALID, "ttl: a waiver lasts from 1s to %v; got %v", MaxWaiver, ttl)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	now := p.now()
	w = &paved.Waiver{ID: "w-" + hex.EncodeToString(b), Rule: req.Rule, App: req.App, Env: req.Env, Reason: reason,
		Status: paved.WaiverRequested, RequestedBy: u.Name, RequestedAt: now, Owner: owner, ExpiresAt: now.Add(time.Duration(req.TTL))}
	if err := p.cfg.Store.CreateWaiver(ctx, w); err != nil {
		return nil, err
	}
	return w, nil
}

// DecideWaiver approves or rejects a requested waiver: the role that owns
// the rule's policy, or an admin.
func (p *Platform) DecideWaiver(ctx context.Context, id string, approve bool) (w *paved.Waiver, err error) {
	action, status := "waiver.reject", paved.WaiverRejected
	if approve {
		action, status = "waiver.approve", paved.WaiverApproved
	}
	defer func() { p.audit(ctx, action, id, err) }()
	u, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	w, err = p.cfg.Store.GetWaiver(ctx, id)
	if err != nil {
		return nil, err
	}
	// The rule's owner now decides, should the policy have changed hands.
	if ps, err := p.ListPolicies(ctx); err == nil {
		policyID, _, _ := strings.Cut(w.Rule, "/")
		for _, pol := range ps {
			if pol.ID == policyID {
				w.Owner = pol.Owner
			}
		}
	}
	if approve && w.RequestedBy == u.Name {
		return nil, paved.Errorf(paved.EFORBIDDEN, "waiver %s was asked for by %s: someone else decides it", id, u.Name)
	}
	if u.Role != paved.RoleAdmin && u.Role != w.Owner {
		return nil, paved.Errorf(paved.EFORBIDDEN, "waiver %s of rule %s is %s's to decide; %s is %s", id, w.Rule, w.Owner, u.Name, u.Role)
	}
	return p.cfg.Store.DecideWaiver(ctx, id, status, u.Name, p.now())
}

// ListWaivers lists waivers, newest first.
func (p *Platform) ListWaivers(ctx context.Context, f paved.WaiverFilter) ([]paved.Waiver, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.cfg.Store.ListWaivers(ctx, f)
}

// waive applies an environment's active waivers to findings: a waived
// rule's denials become warnings, and every finding of a waived rule says
// who waived it, until when and why.
func (p *Platform) waive(ctx context.Context, env *paved.Environment, fs []paved.Finding) ([]paved.Finding, error) {
	if len(fs) == 0 {
		return fs, nil
	}
	ws, err := p.cfg.Store.ListWaivers(ctx, paved.WaiverFilter{App: env.App, Env: env.Name, Status: paved.WaiverApproved})
	if err != nil {
		return nil, err
	}
	now := p.now()
	for i := range fs {
		for _, w := range ws {
			if !w.Active(now) || fs[i].Rule != w.Rule {
				continue
			}
			if fs[i].Level == paved.FindingDeny {
				fs[i].Level = paved.FindingWarn
			}
			fs[i].Waived = w.ID
			fs[i].Message += fmt.Sprintf(" [waived by %s until %s, asked by %s: %s]", w.DecidedBy, w.ExpiresAt.UTC().Format(time.RFC3339), w.RequestedBy, w.Reason)
			break
		}
	}
	return fs, nil
}
