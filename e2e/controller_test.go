package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
)

// controller plays the workload controllers that the test cluster lacks
// (it runs an apiserver and etcd only): it marks every Deployment and
// StatefulSet of a namespace rolled out, as their controllers would once
// the pods are ready. stop ends it.
func controller(t *testing.T, dyn dynamic.Interface, ns string) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			for _, kind := range []string{"Deployment", "StatefulSet"} {
				ri := dyn.Resource(gvrs[kind]).Namespace(ns)
				list, err := ri.List(ctx, metav1.ListOptions{})
				if err != nil {
					continue
				}
				for i := range list.Items {
					rollOut(ctx, ri, &list.Items[i])
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return func() { cancel(); <-done }
}

// rollOut writes the status of a workload whose every replica is updated,
// ready and available at its current generation.
func rollOut(ctx context.Context, ri dynamic.ResourceInterface, obj *unstructured.Unstructured) {
	gen := obj.GetGeneration()
	if observed, _, _ := unstructured.NestedInt64(obj.Object, "status", "observedGeneration"); observed == gen {
		return
	}
	replicas, found, _ := unstructured.NestedInt64(obj.Object, "spec", "replicas")
	if !found {
		replicas = 1
	}
	status := map[string]any{"observedGeneration": gen, "replicas": replicas, "updatedReplicas": replicas,
		"readyReplicas": replicas, "availableReplicas": replicas}
	if obj.GetKind() == "StatefulSet" {
		rev := fmt.Sprintf("%s-%d", obj.GetName(), gen)
		status["currentReplicas"], status["currentRevision"], status["updateRevision"] = replicas, rev, rev
		delete(status, "availableReplicas")
	}
	obj.Object["status"] = status
	_, _ = ri.UpdateStatus(ctx, obj, metav1.UpdateOptions{})
}
