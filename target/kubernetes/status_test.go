package kubernetes

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"paved.dev/paved"
)

// No controllers run in the test cluster, so each case plays the workload
// controller: it writes the status subresource while Apply waits.
func TestApplyWaitsForRollout(t *testing.T) {
	t.Parallel()
	deploy := deployment("web", 2)
	sts := paved.Object{"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": map[string]any{"name": "db"},
		"spec": map[string]any{"serviceName": "db", "replicas": 1,
			"selector": map[string]any{"matchLabels": map[string]any{"app": "db"}},
			"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": "db"}},
				"spec": map[string]any{"containers": []any{map[string]any{"name": "pg", "image": "postgres:17"}}}}}}
	tests := []struct {
		name   string
		obj    paved.Object
		wait   time.Duration
		status map[string]any // nil: the controller never answers
		state  paved.ObjectState
		reason string
	}{
		{"deployment ready", deploy, 20 * time.Second, map[string]any{
			"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 2, "availableReplicas": 2,
		}, paved.ObjectReady, "2 of 2 replicas available"},
		{"deployment past its progress deadline", deploy, 20 * time.Second, map[string]any{
			"observedGeneration": 1, "replicas": 2, "updatedReplicas": 1,
			"conditions": []any{map[string]any{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
				"message": `ReplicaSet "web-5d4f" has timed out progressing.`, "lastUpdateTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z"}},
		}, paved.ObjectFailed, `ProgressDeadlineExceeded: ReplicaSet "web-5d4f" has timed out progressing.`},
		{"deployment half available", deploy, 2 * time.Second, map[string]any{
			"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 1, "availableReplicas": 1,
		}, paved.ObjectProgressing, "not rolled out after 2s: 1 of 2 updated replicas available"},
		{"deployment never observed", deploy, 300 * time.Millisecond, nil,
			paved.ObjectProgressing, "not rolled out after 300ms: waiting for the controller to observe generation 1"},
		{"statefulset ready", sts, 20 * time.Second, map[string]any{
			"observedGeneration": 1, "replicas": 1, "readyReplicas": 1, "updatedReplicas": 1,
			"currentRevision": "db-1", "updateRevision": "db-1",
		}, paved.ObjectReady, "1 of 1 pods ready"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, WithWaitTimeout(tt.wait))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			written := make(chan error, 1)
			if tt.status != nil {
				go func() { written <- e.writeStatus(ctx, tt.obj.Ref().Kind, tt.obj.Ref().Name, tt.status) }()
			}
			res := e.mustApply(t, []paved.Object{tt.obj}, nil)
			if tt.status != nil {
				if err := <-written; err != nil {
					t.Fatalf("write status: %v", err)
				}
			}
			var got paved.ObjectStatus
			for _, s := range res.Statuses {
				if s.Ref.Kind == tt.obj.Ref().Kind {
					got = s
				}
			}
			if got.State != tt.state || got.Reason != tt.reason {
				t.Errorf("status = %s (%s), want %s (%s)", got.State, got.Reason, tt.state, tt.reason)
			}
			if !containsLog(e.logs, "waiting up to "+tt.wait.String()) {
				t.Errorf("log does not say that apply waits: %q", e.logs)
			}
		})
	}
}

// writeStatus waits for the workload to exist and writes its status as its
// controller would.
func (e *env) writeStatus(ctx context.Context, kind, name string, status map[string]any) error {
	gvr := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: strings.ToLower(kind) + "s"}
	ri := e.dyn.Resource(gvr).Namespace(e.dc.Namespace)
	for {
		if _, err := ri.Get(ctx, name, metav1.GetOptions{}); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": kind,
		"metadata": map[string]any{"name": name, "namespace": e.dc.Namespace},
		"status":   status,
	}}
	_, err := ri.ApplyStatus(ctx, name, obj, metav1.ApplyOptions{FieldManager: "test-controller", Force: true})
	return err
}

func containsLog(logs []string, s string) bool {
	for _, l := range logs {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}
