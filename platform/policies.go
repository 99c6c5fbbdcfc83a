package platform

import (
	"context"
	"fmt"
	"slices"

	"paved.dev/paved"
)

// policyOwners are the roles that own policies.
var policyOwners = []paved.Role{paved.RoleSecurity, paved.RoleData, paved.RoleFinance, paved.RoleAdmin}

// ApplyPolicies stores new versions of policies. A policy is owned by a
// stakeholder role (security, data, finance) or admin: only a user of that
// role, or an admin, creates or changes it, and its owner stays. A module
// that does not compile is refused with its line and column; one that has
// not changed keeps its version. Every change is audited.
func (p *Platform) ApplyPolicies(ctx context.Context, ps []paved.Policy) (out []paved.Policy, err error) {
	u, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	stored, err := p.cfg.Store.ListPolicies(ctx)
	if err != nil {
		return nil, err
	}
	// The built-in packs are owned too: a stored policy of a pack's id
	// replaces it, which only the pack's owner or an admin may do.
	byID := map[string]paved.Policy{}
	for _, b := range p.cfg.BuiltinPolicies {
		byID[b.ID] = b
	}
	for _, s := range stored {
		byID[s.ID] = s
	}
	for i := range ps {
		// No owner given: a policy keeps the one it has; a new one is the
		// caller's role's.
		if ps[i].Owner == "" {
			if old, ok := byID[ps[i].ID]; ok {
				ps[i].Owner = old.Owner
			} else {
				ps[i].Owner = u.Role
			}
		}
		if err := p.checkPolicy(ctx, u, ps[i], byID); err != nil {
			p.audit(ctx, "policies.apply", ps[i].ID, err)
			return out, err
		}
	}
	for _, np := range ps {
		if old, ok := byID[np.ID]; ok && old.Owner == np.Owner && old.Kind == np.Kind && old.Module == np.Module && old.Description == np.Description {
			out = append(out, old)
			continue
		}
		np.Version, np.UpdatedBy, np.CreatedAt = 0, u.Name, p.now()
		v, err := p.cfg.Store.PutPolicy(ctx, &np)
		p.audit(ctx, "policies.apply", fmt.Sprintf("%s v%d owner=%s", np.ID, v, np.Owner), err)
		if err != nil {
			return out, err
		}
		np.Version = v
		out = append(out, np)
	}
	return out, nil
}

func (p *Platform) checkPolicy(ctx context.Context, u *paved.User, np paved.Policy, stored map[string]paved.Policy) error {
	if err := paved.ValidateName("policy id", np.ID); err != nil {
		return err
	}
	old, ok := stored[np.ID]
	if err := checkOwner(u, "policy", "policies", np.ID, np.Owner, old.Owner, ok); err != nil {
		return err
	}
	if p.cfg.CheckPolicy != nil {
		if err := p.cfg.CheckPolicy(ctx, np); err != nil {
			return err
		}
	}
	return nil
}

// checkOwner says whether u may store a version of what (a policy, a
// scorecard; whats in the plural) owned by owner: a stakeholder or an
// admin, of the owner's role, and only an admin hands it to another
// owner (was, when it exists).
func checkOwner(u *paved.User, what, whats, id string, owner, was paved.Role, exists bool) error {
	if !slices.Contains(policyOwners, u.Role) {
		return paved.Errorf(paved.EFORBIDDEN, "changing %s needs a stakeholder role (security, data, finance) or admin; %s is %s", whats, u.Name, u.Role)
	}
	if !slices.Contains(policyOwners, owner) {
		return paved.Errorf(paved.EINVALID, "%s %s: owner: %q is not one of security, data, finance, admin", what, id, owner)
	}
	if u.Role != paved.RoleAdmin && u.Role != owner {
		return paved.Errorf(paved.EFORBIDDEN, "%s %s is owned by %s: only a %s user or an admin changes it; %s is %s", what, id, owner, owner, u.Name, u.Role)
	}
	if exists && was != owner && u.Role != paved.RoleAdmin {
		return paved.Errorf(paved.EFORBIDDEN, "%s %s is owned by %s; only an admin hands it to %s", what, id, was, owner)
	}
	return nil
}

// ListPolicies lists the policies in force: the stored ones' latest
// versions and the built-in packs no stored policy replaces.
func (p *Platform) ListPolicies(ctx context.Context) ([]paved.Policy, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	stored, err := p.cfg.Store.ListPolicies(ctx)
	if err != nil {
		return nil, err
	}
	return paved.PoliciesInForce(stored, p.cfg.BuiltinPolicies), nil
}

// PolicyHistory lists every stored version of a policy.
func (p *Platform) PolicyHistory(ctx context.Context, id string) ([]paved.Policy, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.cfg.Store.PolicyHistory(ctx, id)
}

// guardrailSettings are the settings the built-in packs read as
// input.settings.
func (p *Platform) guardrailSettings() map[string]any {
	regs := make([]any, 0, len(p.cfg.AllowedRegistries))
	for _, r := range p.cfg.AllowedRegistries {
		regs = append(regs, r)
	}
	regions := map[string]any{}
	for class, rs := range p.cfg.DataRegions {
		l := make([]any, 0, len(rs))
		for _, r := range rs {
			l = append(l, r)
		}
		regions[class] = l
	}
	return map[string]any{"allowed_registries": regs, "regions": regions}
}
