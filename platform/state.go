package platform

import (
	"paved.dev/paved"
	"paved.dev/paved/definition"
	"paved.dev/paved/graph"
)

// graphState rebuilds an environment's engine state from its stored
// resources: for each UID, the record of the definition and driver pick
// names (a definition switch leaves two), so that a driver gets back the
// state it made, and never another driver's. The secret seed derives from
// the key and the environment.
func (p *Platform) graphState(env *paved.Environment, stored []paved.StoredResource, pick func(paved.ResourceUID) *paved.ResourceDefinition) (*graph.State, error) {
	st := &graph.State{Version: graph.StateVersion, Seed: p.seed(env), Resources: map[paved.ResourceUID]graph.ResourceState{}}
	chosen := map[paved.ResourceUID]*paved.StoredResource{}
	for i := range stored {
		r := &stored[i]
		want := pick(r.UID)
		switch prev := chosen[r.UID]; {
		case want != nil && (want.ID != r.DefinitionID || want.Driver != r.Driver):
		case want == nil && prev != nil && prev.Status == paved.ResourceActive:
		default:
			chosen[r.UID] = r
		}
	}
	for _, r := range chosen {
		sr, err := p.openResource(r)
		if err != nil {
			return nil, err
		}
		st.Resources[r.UID] = graph.ResourceState{Definition: r.DefinitionID, Driver: r.Driver, State: sr.State}
	}
	return st, nil
}

// matchedBy picks, for a stored UID, the definition the set would match for
// it in the environment (the UID spells out type, class and id).
func matchedBy(set *definition.Set, dc paved.DeployContext) func(paved.ResourceUID) *paved.ResourceDefinition {
	return func(uid paved.ResourceUID) *paved.ResourceDefinition {
		d, err := set.Match(definition.Want{Type: uid.Type(), Class: uid.Class(), ResID: uid.ID(), Context: dc})
		if err != nil {
			return nil
		}
		return d
	}
}

// pinned matches each resource to the definition version its plan pinned,
// so that what runs is what was planned even if definitions changed since.
type pinned struct {
	defs map[paved.ResourceUID]*paved.ResourceDefinition
}

func (m pinned) Match(w definition.Want) (*paved.ResourceDefinition, error) {
	uid := paved.NewResourceUID("", "", w.Type, w.Class, w.ResID)
	if d := m.defs[uid]; d != nil {
		return d, nil
	}
	return nil, paved.Errorf(paved.EINVALID, "resource %s is not in this deployment's plan; the specs and the plan disagree: deploy again to plan anew", uid)
}

func (m pinned) pick(uid paved.ResourceUID) *paved.ResourceDefinition { return m.defs[uid] }
