package platform

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"

	"paved.dev/paved"
)

// builtTarget is a target made from a registration.
type builtTarget struct {
	target      paved.Target
	fingerprint string
}

// fingerprint identifies a registration's contents: a target registered
// again (on any server sharing the store) is built again.
func fingerprint(info *paved.TargetInfo) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%t\x00", info.Type, info.Context, info.InCluster)
	h.Write(info.Sealed)
	return hex.EncodeToString(h.Sum(nil))
}

// target returns a target by name: a configured one, or a registered one,
// read from the store on every use (so that one registered again or
// removed through another server is never used stale) and built by the
// registry's factory of its type when its registration changed.
func (p *Platform) target(ctx context.Context, name string) (paved.Target, error) {
	if t := p.cfg.Targets[name]; t != nil {
		return t, nil
	}
	info, err := p.cfg.Store.GetTarget(ctx, name)
	if paved.ErrorCode(err) == paved.ENOTFOUND {
		p.mu.Lock()
		delete(p.built, name)
		p.mu.Unlock()
		return nil, paved.Errorf(paved.ENOTFOUND, "target %q is neither configured on this server nor registered (paved targets list)", name)
	}
	if err != nil {
		return nil, err
	}
	fp := fingerprint(info)
	p.mu.Lock()
	b, ok := p.built[name]
	p.mu.Unlock()
	if ok && b.fingerprint == fp {
		return b.target, nil
	}
	if err := p.openTarget(info); err != nil {
		return nil, err
	}
	t, err := p.cfg.Registry.NewTarget(info)
	if err != nil {
		return nil, paved.Errorf(paved.EUNAVAILABLE, "target %s: %s", name, paved.ErrorMessage(err))
	}
	p.mu.Lock()
	p.built[name] = builtTarget{target: t, fingerprint: fp}
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
	if err := paved.ValidateName("target name", t.Name); err != nil {
		return nil, err
	}
	if p.cfg.Targets[t.Name] != nil {
		return nil, paved.Errorf(paved.ECONFLICT, "target %s is configured on the server and cannot be registered", t.Name)
	}
	if t.Type == "" {
		t.Type = paved.TargetKubernetes
	}
	switch {
	case !slices.Contains(p.cfg.Registry.TargetTypes(), t.Type):
		return nil, paved.Errorf(paved.EINVALID, "type: targets of type %q cannot be registered on this server (it registers %v; the %s target is configured on the server)", t.Type, p.cfg.Registry.TargetTypes(), paved.TargetGitOps)
	case t.Kubeconfig == "" && !t.InCluster:
		return nil, paved.Errorf(paved.EINVALID, "kubeconfig: give a kubeconfig, or in_cluster for the cluster paved runs in")
	case t.Kubeconfig != "" && t.InCluster:
		return nil, paved.Errorf(paved.EINVALID, "kubeconfig and in_cluster: give one of them")
	}
	built, err := p.cfg.Registry.NewTarget(t)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "target %s: %s", t.Name, paved.ErrorMessage(err))
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
	p.built[t.Name] = builtTarget{target: built, fingerprint: fingerprint(&stored)}
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
		out = append(out, paved.TargetInfo{Name: name, Type: p.targetType(name), Configured: true})
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
	if t := p.cfg.TargetTypes[name]; t != "" {
		return t
	}
	return paved.TargetGitOps
}

// RemoveTarget forgets a registered target (admin). It is refused while an
// environment deploys to it (delete those first, with --force if the
// cluster is gone), and for targets configured on the server.
func (p *Platform) RemoveTarget(ctx context.Context, name string) (err error) {
	defer func() { p.audit(ctx, "target.remove", name, err) }()
	if _, err := requireAdmin(ctx, "removing a target"); err != nil {
		return err
	}
	if p.cfg.Targets[name] != nil {
		return paved.Errorf(paved.ECONFLICT, "target %s is configured on the server (its flags or config file); remove it there and restart the server", name)
	}
	if _, err := p.cfg.Store.GetTarget(ctx, name); err != nil {
		return err
	}
	envs, err := p.cfg.Store.ListEnvironments(ctx, paved.EnvironmentFilter{Target: name})
	if err != nil {
		return err
	}
	if len(envs) > 0 {
		names := make([]string, 0, len(envs))
		for _, e := range envs {
			names = append(names, e.App+"/"+e.Name)
		}
		if len(names) > 5 {
			names = append(names[:5], fmt.Sprintf("and %d more", len(envs)-5))
		}
		return paved.Errorf(paved.ECONFLICT, "target %s is used by environments %s; delete them first (paved env delete ENV --app APP, with --force if the cluster is gone)", name, strings.Join(names, ", "))
	}
	if err := p.cfg.Store.DeleteTarget(ctx, name); err != nil {
		return err
	}
	p.mu.Lock()
	delete(p.built, name)
	p.mu.Unlock()
	return nil
}
