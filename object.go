package paved

// ObjectRef names one Kubernetes object.
type ObjectRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

func (r ObjectRef) String() string {
	if r.Namespace == "" {
		return r.Kind + "/" + r.Name
	}
	return r.Kind + "/" + r.Namespace + "/" + r.Name
}

// Object is one rendered Kubernetes object as a JSON-shaped tree.
type Object map[string]any

// Ref returns the object's identity.
func (o Object) Ref() ObjectRef {
	r := ObjectRef{}
	r.APIVersion, _ = o["apiVersion"].(string)
	r.Kind, _ = o["kind"].(string)
	if md, ok := o["metadata"].(map[string]any); ok {
		r.Name, _ = md["name"].(string)
		r.Namespace, _ = md["namespace"].(string)
	}
	return r
}

// IsSecret reports whether the object is a core Secret, whose values paved
// seals at rest and redacts in output.
func (o Object) IsSecret() bool {
	r := o.Ref()
	return r.Kind == "Secret" && r.APIVersion == "v1"
}

// ObjectState is what a target reports of one object after apply.
type ObjectState string

// Object states.
const (
	// ObjectApplied: accepted by the target; nothing to wait for.
	ObjectApplied ObjectState = "applied"
	// ObjectCommitted: written to a Git repository; whether a cluster has
	// synced it is not known to paved.
	ObjectCommitted ObjectState = "committed"
	// ObjectSealed: a Secret written encrypted (a SealedSecret).
	ObjectSealed ObjectState = "sealed"
	// ObjectSkipped: deliberately not written (a Secret kept out of Git).
	ObjectSkipped ObjectState = "skipped"
	// ObjectProgressing: a workload still rolling out.
	ObjectProgressing ObjectState = "progressing"
	// ObjectReady: a workload rolled out.
	ObjectReady ObjectState = "ready"
	// ObjectFailed: a workload that will not roll out; Reason says why.
	ObjectFailed ObjectState = "failed"
	// ObjectPruned: deleted because it left the deployment.
	ObjectPruned ObjectState = "pruned"
)

// ObjectStatus is what a target reports of one object.
type ObjectStatus struct {
	Ref    ObjectRef   `json:"ref"`
	State  ObjectState `json:"state"`
	Reason string      `json:"reason,omitempty"`
}

// DriftState says how a live object differs from what was applied.
type DriftState string

// Drift states.
const (
	DriftMissing DriftState = "missing" // applied, now gone
	DriftChanged DriftState = "changed" // fields paved manages changed
	DriftExtra   DriftState = "extra"   // on the target, but not applied by paved
)

// Drift is one difference between what an environment's last deployment
// applied and what its target holds now.
type Drift struct {
	Ref   ObjectRef  `json:"ref"`
	State DriftState `json:"state"`
	// Fields lists the changed fields paved manages, with their values
	// (never a Secret's).
	Fields []string `json:"fields,omitempty"`
	// Reason says why, when the fields do not (an object of the same name
	// that another environment or installation owns).
	Reason string `json:"reason,omitempty"`
}
