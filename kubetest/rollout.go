package kubetest

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// workloads are the kinds RollOut marks rolled out.
var workloads = []schema.GroupVersionResource{
	{Group: "apps", Version: "v1", Resource: "deployments"},
	{Group: "apps", Version: "v1", Resource: "statefulsets"},
}

// RollOut plays the workload controllers that the cluster lacks (it runs
// an apiserver and etcd only): until stop is called, it marks every
// Deployment and StatefulSet of namespace ns ("": of every namespace)
// rolled out at its current generation, every 50 ms, as their controllers
// would once the pods are ready.
func (c *Cluster) RollOut(ns string) (stop func(), err error) {
	dyn, err := dynamic.NewForConfig(c.Config())
	if err != nil {
		return nil, fmt.Errorf("kubetest: roll out workloads of %s: %w", ns, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			for _, gvr := range workloads {
				list, err := dyn.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{})
				if err != nil {
					continue
				}
				for i := range list.Items {
					obj := &list.Items[i]
					rollOut(ctx, dyn.Resource(gvr).Namespace(obj.GetNamespace()), obj)
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return func() { cancel(); <-done }, nil
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
