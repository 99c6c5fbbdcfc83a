package platform

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"paved.dev/paved"
	"paved.dev/paved/engine"
)

// TargetFactory builds a target from its registration (a cluster from a
// kubeconfig); the server wiring provides it, so that the platform knows no
// adapter.
type TargetFactory func(info *paved.TargetInfo) (paved.Target, error)

var (
	_ paved.TargetService     = (*Platform)(nil)
	_ paved.DefinitionChecker = (*Platform)(nil)
)

// target returns a target by name: a configured one, or a registered one
// built on first use.
func (p *Platform) target(ctx context.Context, name string) (paved.Target, error) {
	if t := p.cfg.Targets[name]; t != nil {
		return t, nil
	}
	p.mu.Lock()
	t := p.built[name]
	p.mu.Unlock()
	if t != nil {
		return t, nil
	}
	if p.cfg.TargetFactory == nil {
		return nil, paved.Errorf(paved.ENOTFOUND, "target %q is not configured on this server", name)
	}
	info, err := p.cfg.Store.GetTarget(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := p.openTarget(info); err != nil {
		return nil, err
	}
	t, err = p.cfg.TargetFactory(info)
	if err != nil {
		return nil, paved.Errorf(paved.EUNAVAILABLE, "target %s: %w", name, err)
	}
	p.mu.Lock()
	p.built[name] = t
	p.mu.Unlock()
	return t, nil
}

func targetAD(name string) []byte { return []byte("target/" + name) }

func (p *Platform) openTarget(info *paved.TargetInfo) error {
	if len(info.Sealed) == 0 {
		return nil
	}
	b, err := p.cfg.Sealer.Open(info.Sealed, targetAD(info.Name))
	if err != nil {
		return fmt.Errorf("target %s: %w", info.Name, err)
	}
	info.Kubeconfig = string(b)
	return nil
}

// RegisterTarget registers a cluster (admin). The kubeconfig is checked by
// building the target, then sealed.
func (p *Platform) RegisterTarget(ctx context.Context, t *paved.TargetInfo) (out *paved.TargetInfo, err error) {
	defer func() { p.audit(ctx, "target.register", t.Name, err) }()
	if _, err := requireAdmin(ctx, "registering a target"); err != nil {
		return nil, err
	}
	if err := engine.CheckName("target name", t.Name); err != nil {
		return nil, err
	}
	if p.cfg.Targets[t.Name] != nil {
		return nil, paved.Errorf(paved.ECONFLICT, "target %s is configured on the server and cannot be registered", t.Name)
	}
	if t.Type == "" {
		t.Type = paved.TargetKubernetes
	}
	switch {
	case t.Type != paved.TargetKubernetes:
		return nil, paved.Errorf(paved.EINVALID, "type: only %s targets are registered; the %s target is configured on the server", paved.TargetKubernetes, paved.TargetGitOps)
	case t.Kubeconfig == "" && !t.InCluster:
		return nil, paved.Errorf(paved.EINVALID, "kubeconfig: give a kubeconfig, or in_cluster for the cluster paved runs in")
	case t.Kubeconfig != "" && t.InCluster:
		return nil, paved.Errorf(paved.EINVALID, "kubeconfig and in_cluster: give one of them")
	case p.cfg.TargetFactory == nil:
		return nil, paved.Errorf(paved.EUNAVAILABLE, "this server cannot build registered targets")
	}
	built, err := p.cfg.TargetFactory(t)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "target %s: %w", t.Name, err)
	}
	if s, ok := built.(fmt.Stringer); ok {
		t.Server = s.String()
	}
	stored := *t
	stored.Kubeconfig = ""
	if t.Kubeconfig != "" {
		stored.Sealed = p.cfg.Sealer.Seal([]byte(t.Kubeconfig), targetAD(t.Name))
	}
	stored.CreatedAt = p.now()
	if err := p.cfg.Store.PutTarget(ctx, &stored); err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.built[t.Name] = built
	p.mu.Unlock()
	stored.Sealed = nil
	return &stored, nil
}

// ListTargets lists the configured and registered targets.
func (p *Platform) ListTargets(ctx context.Context) ([]paved.TargetInfo, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	var out []paved.TargetInfo
	for _, name := range slices.Sorted(maps.Keys(p.cfg.Targets)) {
		out = append(out, paved.TargetInfo{Name: name, Type: p.targetType(name)})
	}
	stored, err := p.cfg.Store.ListTargets(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range stored {
		t.Sealed, t.Kubeconfig = nil, ""
		out = append(out, t)
	}
	return out, nil
}

func (p *Platform) targetType(name string) string {
	if name == p.cfg.DefaultTarget {
		return paved.TargetGitOps
	}
	return paved.TargetKubernetes
}

// CheckTarget checks a target's health and records the result in the audit
// log, where the Integration phase reads "connected".
func (p *Platform) CheckTarget(ctx context.Context, name string) (*paved.Health, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	t, err := p.target(ctx, name)
	if err != nil {
		return nil, err
	}
	h := &paved.Health{Name: name, Kind: "target", OK: true, Message: "reachable", CheckedAt: p.now()}
	if c, ok := t.(paved.TargetChecker); ok {
		if err := c.Check(ctx); err != nil {
			h.OK, h.Message = false, paved.ErrorMessage(err)
		} else {
			h.Message = "reachable, authenticated, can create namespaces and apply objects"
		}
	}
	p.recordHealth(ctx, h)
	return h, nil
}

func (p *Platform) recordHealth(ctx context.Context, h *paved.Health) {
	var err error
	if !h.OK {
		err = paved.Errorf(paved.EUNAVAILABLE, "%s", h.Message)
	}
	p.audit(ctx, h.Kind+".check", h.Name, err)
}

// EnvironmentStatus compares the last successful deployment of an
// environment with what its target holds.
func (p *Platform) EnvironmentStatus(ctx context.Context, app, envName string) (*paved.EnvironmentStatus, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	env, err := p.cfg.Store.GetEnvironment(ctx, app, envName)
	if err != nil {
		return nil, err
	}
	st := &paved.EnvironmentStatus{App: app, Env: envName, Target: env.Target, InSync: true, Drift: []paved.Drift{}}
	last, err := p.lastSuccessful(ctx, env)
	if paved.ErrorCode(err) == paved.ENOTFOUND {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	st.Deployment = last.ID
	t, err := p.target(ctx, env.Target)
	if err != nil {
		return nil, err
	}
	dc, ok := t.(paved.DriftChecker)
	if !ok {
		return nil, paved.Errorf(paved.EINVALID, "target %s cannot report what it holds", env.Target)
	}
	objs, err := p.openObjects(last.ID, last.Objects)
	if err != nil {
		return nil, err
	}
	drift, err := dc.Drift(ctx, p.deployContext(ctx, env), objs)
	if err != nil {
		return nil, err
	}
	if len(drift) > 0 {
		st.Drift, st.InSync = drift, false
	}
	return st, nil
}

// CheckDefinitions checks that definitions' drivers reach what they need
// with the rights they need, and records each result.
func (p *Platform) CheckDefinitions(ctx context.Context, ids []string) ([]paved.Health, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	defs, err := p.storedDefinitions(ctx)
	if err != nil {
		return nil, err
	}
	var out []paved.Health
	for _, id := range ids {
		if !slices.ContainsFunc(defs, func(d paved.ResourceDefinition) bool { return d.ID == id }) {
			return nil, paved.Errorf(paved.ENOTFOUND, "definition %s not found", id)
		}
	}
	for _, d := range defs {
		if len(ids) > 0 && !slices.Contains(ids, d.ID) {
			continue
		}
		h := paved.Health{Name: d.ID, Kind: "definition", OK: true, CheckedAt: p.now(), Message: "driver " + d.Driver + " reaches nothing outside the cluster"}
		if c, ok := p.cfg.Engine.Drivers[d.Driver].(paved.Checker); ok {
			if err := c.Check(ctx, d.Inputs); err != nil {
				h.OK, h.Message = false, paved.ErrorMessage(err)
			} else {
				h.Message = "connected, with the rights the " + d.Driver + " driver needs"
			}
		}
		p.recordHealth(ctx, &h)
		out = append(out, h)
	}
	return out, nil
}
