package paved

// PlanAction is what a deployment will do to a resource or an object.
type PlanAction string

// Plan actions.
const (
	PlanCreate    PlanAction = "create"    // new
	PlanUpdate    PlanAction = "update"    // changed, or drifted on the target
	PlanUnchanged PlanAction = "unchanged" // as it is
	PlanDelete    PlanAction = "delete"    // an object pruned from the target
	// PlanReprovision: a resource whose matching definition changed; the
	// new definition provisions it and the old resource is kept, orphaned.
	PlanReprovision PlanAction = "reprovision"
	// PlanOrphan: a resource no longer declared, kept with its data and
	// listed as orphaned; never removed silently.
	PlanOrphan PlanAction = "orphan"
)

// Plan is what a deployment does, as data: computed once when it is
// submitted, shown by `paved plan`, evaluated by the gates, stored with the
// deployment, and executed as it is (the definitions it pins are the ones
// that provision).
type Plan struct {
	App     string         `json:"app"`
	Env     string         `json:"env"`
	EnvType EnvType        `json:"env_type"`
	Target  string         `json:"target"`
	Kind    DeploymentKind `json:"kind"`
	// Base is the last successful deployment compared with, "" for none.
	Base string `json:"base,omitempty"`
	// Live says whether objects were compared with what the target holds
	// now (drift included), or only with the base's snapshot; LiveNote says
	// why not.
	Live      bool              `json:"live"`
	LiveNote  string            `json:"live_note,omitempty"`
	Resources []PlannedResource `json:"resources"`
	Objects   []PlannedObject   `json:"objects"`
	// Findings are what the gates (policies, cost) said of this plan.
	Findings []Finding `json:"findings,omitempty"`
	// Cost is the estimate of what the environment costs by the month once
	// deployed (its whole set of workloads and resources), when the
	// platform has a price list; CostBefore is the previous deployment's.
	Cost       *CostEstimate `json:"cost,omitempty"`
	CostBefore *float64      `json:"cost_before,omitempty"`
}

// PlannedResource is one resource of a plan.
type PlannedResource struct {
	UID    ResourceUID `json:"uid"`
	Action PlanAction  `json:"action"`
	// Definition provisions it (for orphans: the one that did).
	Definition DefinitionRef `json:"definition"`
	// Was is the definition that provisioned it before: the other
	// definition of a reprovision, the earlier version of an update.
	Was *DefinitionRef `json:"was,omitempty"`
	// Reason says why, in words: "re-provisioned by definition X (was Y)".
	Reason    string        `json:"reason,omitempty"`
	DependsOn []ResourceUID `json:"depends_on,omitempty"`
}

// PlannedObject is one object of a plan.
type PlannedObject struct {
	Ref    ObjectRef  `json:"ref"`
	Action PlanAction `json:"action"`
	// Diff shows the changed lines against the base (Secret values never).
	Diff string `json:"diff,omitempty"`
	// Drift lists how the live object differs from the base snapshot.
	Drift []string `json:"drift,omitempty"`
}

// Counts tallies the plan's actions, resources and objects together.
func (p *Plan) Counts() map[PlanAction]int {
	n := map[PlanAction]int{}
	for _, r := range p.Resources {
		n[r.Action]++
	}
	for _, o := range p.Objects {
		n[o.Action]++
	}
	return n
}

// Pinned returns the definition the plan pins for a resource.
func (p *Plan) Pinned(uid ResourceUID) (DefinitionRef, bool) {
	for _, r := range p.Resources {
		if r.UID == uid && r.Action != PlanOrphan {
			return r.Definition, true
		}
	}
	return DefinitionRef{}, false
}
