package kubernetes

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"paved.dev/paved"
)

// rollout reads the rollout state of a workload from its status the way
// kubectl rollout status does. Kinds without a rollout are "applied".
func rollout(obj *unstructured.Unstructured) (state paved.ObjectState, reason string) {
	if obj.GroupVersionKind().Group != "apps" {
		return paved.ObjectApplied, ""
	}
	switch obj.GetKind() {
	case "Deployment":
		return deploymentRollout(obj)
	case "StatefulSet":
		return statefulSetRollout(obj)
	case "DaemonSet":
		return daemonSetRollout(obj)
	}
	return paved.ObjectApplied, ""
}

func deploymentRollout(obj *unstructured.Unstructured) (paved.ObjectState, string) {
	if paused, _, _ := unstructured.NestedBool(obj.Object, "spec", "paused"); paused {
		return paved.ObjectApplied, "rollout paused"
	}
	if s, r, waiting := awaitObserved(obj); waiting {
		return s, r
	}
	var replicaFailure string
	for _, c := range conditions(obj) {
		if c["type"] == "Progressing" && c["reason"] == "ProgressDeadlineExceeded" {
			return paved.ObjectFailed, "ProgressDeadlineExceeded: " + c["message"]
		}
		if c["type"] == "ReplicaFailure" && c["status"] == "True" {
			replicaFailure = fmt.Sprintf(" (%s: %s)", c["reason"], c["message"])
		}
	}
	want := int64Field(obj, 1, "spec", "replicas")
	updated := int64Field(obj, 0, "status", "updatedReplicas")
	total := int64Field(obj, 0, "status", "replicas")
	available := int64Field(obj, 0, "status", "availableReplicas")
	switch {
	case updated < want:
		return paved.ObjectProgressing, fmt.Sprintf("%d of %d replicas updated%s", updated, want, replicaFailure)
	case total > updated:
		return paved.ObjectProgressing, fmt.Sprintf("%d old replicas pending termination%s", total-updated, replicaFailure)
	case available < updated:
		return paved.ObjectProgressing, fmt.Sprintf("%d of %d updated replicas available%s", available, updated, replicaFailure)
	}
	return paved.ObjectReady, fmt.Sprintf("%d of %d replicas available", available, want)
}

func statefulSetRollout(obj *unstructured.Unstructured) (paved.ObjectState, string) {
	strategy, _, _ := unstructured.NestedString(obj.Object, "spec", "updateStrategy", "type")
	if strategy == "OnDelete" {
		return paved.ObjectApplied, "update strategy OnDelete: pods change only when deleted"
	}
	if s, r, waiting := awaitObserved(obj); waiting {
		return s, r
	}
	want := int64Field(obj, 1, "spec", "replicas")
	ready := int64Field(obj, 0, "status", "readyReplicas")
	if ready < want {
		return paved.ObjectProgressing, fmt.Sprintf("%d of %d pods ready", ready, want)
	}
	if partition := int64Field(obj, 0, "spec", "updateStrategy", "rollingUpdate", "partition"); partition > 0 {
		updated := int64Field(obj, 0, "status", "updatedReplicas")
		if updated < want-partition {
			return paved.ObjectProgressing, fmt.Sprintf("%d of %d pods above partition %d updated", updated, want-partition, partition)
		}
		return paved.ObjectReady, fmt.Sprintf("partitioned rollout complete: %d pods updated", updated)
	}
	current, _, _ := unstructured.NestedString(obj.Object, "status", "currentRevision")
	update, _, _ := unstructured.NestedString(obj.Object, "status", "updateRevision")
	if current != update {
		updated := int64Field(obj, 0, "status", "updatedReplicas")
		return paved.ObjectProgressing, fmt.Sprintf("rolling update: %d of %d pods at revision %s", updated, want, update)
	}
	return paved.ObjectReady, fmt.Sprintf("%d of %d pods ready", ready, want)
}

func daemonSetRollout(obj *unstructured.Unstructured) (paved.ObjectState, string) {
	strategy, _, _ := unstructured.NestedString(obj.Object, "spec", "updateStrategy", "type")
	if strategy == "OnDelete" {
		return paved.ObjectApplied, "update strategy OnDelete: pods change only when deleted"
	}
	if s, r, waiting := awaitObserved(obj); waiting {
		return s, r
	}
	desired := int64Field(obj, 0, "status", "desiredNumberScheduled")
	updated := int64Field(obj, 0, "status", "updatedNumberScheduled")
	available := int64Field(obj, 0, "status", "numberAvailable")
	switch {
	case updated < desired:
		return paved.ObjectProgressing, fmt.Sprintf("%d of %d pods updated", updated, desired)
	case available < desired:
		return paved.ObjectProgressing, fmt.Sprintf("%d of %d updated pods available", available, desired)
	}
	return paved.ObjectReady, fmt.Sprintf("%d of %d pods available", available, desired)
}

// awaitObserved reports a workload whose controller has not yet seen its
// latest spec: nothing else in its status is current until it has.
func awaitObserved(obj *unstructured.Unstructured) (paved.ObjectState, string, bool) {
	observed := int64Field(obj, 0, "status", "observedGeneration")
	if observed < obj.GetGeneration() {
		return paved.ObjectProgressing, fmt.Sprintf("waiting for the controller to observe generation %d", obj.GetGeneration()), true
	}
	return "", "", false
}

func int64Field(obj *unstructured.Unstructured, def int64, path ...string) int64 {
	v, found, err := unstructured.NestedInt64(obj.Object, path...)
	if !found || err != nil {
		return def
	}
	return v
}

// conditions returns status.conditions with their string fields.
func conditions(obj *unstructured.Unstructured) []map[string]string {
	list, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	out := make([]map[string]string, 0, len(list))
	for _, c := range list {
		m, ok := c.(map[string]any)
		if !ok {
			continue
		}
		s := map[string]string{}
		for _, k := range []string{"type", "status", "reason", "message"} {
			s[k], _ = m[k].(string)
		}
		out = append(out, s)
	}
	return out
}
