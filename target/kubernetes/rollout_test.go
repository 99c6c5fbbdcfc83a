package kubernetes

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"paved.dev/paved"
)

func TestRollout(t *testing.T) {
	obj := func(kind string, gen int64, spec, status map[string]any) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "apps/v1", "kind": kind,
			"metadata": map[string]any{"name": "x", "generation": gen},
			"spec":     spec, "status": status,
		}}
	}
	tests := []struct {
		name   string
		obj    *unstructured.Unstructured
		state  paved.ObjectState
		reason string
	}{
		{"configmap", &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap"}}, paved.ObjectApplied, ""},
		{"deployment new generation", obj("Deployment", 3, map[string]any{"replicas": int64(2)},
			map[string]any{"observedGeneration": int64(2)}), paved.ObjectProgressing, "waiting for the controller to observe generation 3"},
		{"deployment default one replica", obj("Deployment", 1, map[string]any{},
			map[string]any{"observedGeneration": int64(1), "replicas": int64(1), "updatedReplicas": int64(1), "availableReplicas": int64(1)}),
			paved.ObjectReady, "1 of 1 replicas available"},
		{"deployment old replicas left", obj("Deployment", 2, map[string]any{"replicas": int64(2)},
			map[string]any{"observedGeneration": int64(2), "replicas": int64(3), "updatedReplicas": int64(2), "availableReplicas": int64(2)}),
			paved.ObjectProgressing, "1 old replicas pending termination"},
		{"deployment quota exceeded", obj("Deployment", 1, map[string]any{"replicas": int64(2)},
			map[string]any{"observedGeneration": int64(1), "conditions": []any{map[string]any{
				"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate", "message": "exceeded quota"}}}),
			paved.ObjectProgressing, "0 of 2 replicas updated (FailedCreate: exceeded quota)"},
		{"deployment paused", obj("Deployment", 4, map[string]any{"paused": true}, nil), paved.ObjectApplied, "rollout paused"},
		{"statefulset on delete", obj("StatefulSet", 2, map[string]any{"updateStrategy": map[string]any{"type": "OnDelete"}}, nil),
			paved.ObjectApplied, "update strategy OnDelete: pods change only when deleted"},
		{"statefulset partition done", obj("StatefulSet", 2, map[string]any{"replicas": int64(3),
			"updateStrategy": map[string]any{"type": "RollingUpdate", "rollingUpdate": map[string]any{"partition": int64(2)}}},
			map[string]any{"observedGeneration": int64(2), "readyReplicas": int64(3), "updatedReplicas": int64(1)}),
			paved.ObjectReady, "partitioned rollout complete: 1 pods updated"},
		{"statefulset revision behind", obj("StatefulSet", 2, map[string]any{"replicas": int64(2)},
			map[string]any{"observedGeneration": int64(2), "readyReplicas": int64(2), "updatedReplicas": int64(1),
				"currentRevision": "a", "updateRevision": "b"}),
			paved.ObjectProgressing, "rolling update: 1 of 2 pods at revision b"},
		{"daemonset unavailable", obj("DaemonSet", 1, map[string]any{},
			map[string]any{"observedGeneration": int64(1), "desiredNumberScheduled": int64(3), "updatedNumberScheduled": int64(3), "numberAvailable": int64(2)}),
			paved.ObjectProgressing, "2 of 3 updated pods available"},
		{"daemonset ready", obj("DaemonSet", 1, map[string]any{},
			map[string]any{"observedGeneration": int64(1), "desiredNumberScheduled": int64(3), "updatedNumberScheduled": int64(3), "numberAvailable": int64(3)}),
			paved.ObjectReady, "3 of 3 pods available"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state, reason := rollout(tt.obj)
			if state != tt.state || reason != tt.reason {
				t.Errorf("rollout = %s (%s), want %s (%s)", state, reason, tt.state, tt.reason)
			}
		})
	}
}
