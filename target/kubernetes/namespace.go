package kubernetes

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"paved.dev/paved"
)

// namespaces is the REST resource of namespaces, which every cluster serves.
func namespaces() schema.GroupVersionResource {
	return schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
}

// ensureNamespace makes dc.Namespace exist and labels it for the app and env.
// A namespace paved creates also gets the managed-by and inventory labels,
// which is what later allows Delete to remove it; a namespace that existed
// before is only labelled, and one labelled for another app's environment is
// left as it is. rendered is the Namespace object of that name among the
// objects to apply, if any; its fields are applied in the same request so
// that one field manager does not fight itself over two partial configs.
func (t *Target) ensureNamespace(ctx context.Context, dc paved.DeployContext, deploymentID string, rendered *unstructured.Unstructured, log *syncLog) (*unstructured.Unstructured, error) {
	nsClient := t.dyn.Resource(namespaces())
	live, err := nsClient.Get(ctx, dc.Namespace, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		live = nil
	case err != nil:
		return nil, t.apiError("read namespace "+dc.Namespace, err)
	case live.GetDeletionTimestamp() != nil:
		return nil, paved.Errorf(paved.EUNAVAILABLE, "%s: namespace %s is being deleted; deploy again once it is gone, or to another namespace", t, dc.Namespace)
	}

	obj := &unstructured.Unstructured{Object: map[string]any{}}
	if rendered != nil {
		obj = rendered.DeepCopy()
	}
	obj.SetAPIVersion("v1")
	obj.SetKind("Namespace")
	obj.SetName(dc.Namespace)
	obj.SetNamespace("")
	labels := obj.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}

	own := notOurs
	if live != nil {
		own = t.ownerOf(live, dc)
	}
	if own == legacy {
		// The namespace is the environment's by its name, not by an
		// inventory, so it is adopted without one.
		if _, err := t.adopt(ctx, nsClient, live, dc, log); err != nil {
			return nil, err
		}
	}
	switch {
	case live == nil || own != notOurs:
		t.stamp(obj, dc, deploymentID)
		labels = obj.GetLabels()
	case otherEnv(live, dc):
		if rendered == nil {
			log.printf("namespace %s is labelled for app %s env %s; leaving it as it is", dc.Namespace, live.GetLabels()[LabelApp], live.GetLabels()[LabelEnv])
			return live, nil
		}
		// Apply the rendered fields but do not relabel it.
		delete(labels, LabelManagedBy)
		delete(labels, LabelInventory)
		delete(labels, LabelInstallation)
		obj.SetLabels(labels)
		return t.applyNamespace(ctx, obj, t.fieldManager(dc))
	default:
		// Not this installation's: label it for the app, never mark it as
		// created.
		delete(labels, LabelManagedBy)
		delete(labels, LabelInventory)
		delete(labels, LabelInstallation)
	}
	labels[LabelApp] = dc.App
	labels[LabelEnv] = dc.Env
	obj.SetLabels(labels)
	applied, err := t.applyNamespace(ctx, obj, t.fieldManager(dc))
	if err == nil && live == nil {
		log.printf("created namespace %s", dc.Namespace)
	}
	return applied, err
}

func (t *Target) applyNamespace(ctx context.Context, obj *unstructured.Unstructured, manager string) (*unstructured.Unstructured, error) {
	applied, err := t.dyn.Resource(namespaces()).Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: manager})
	if err != nil {
		return nil, t.apiError("apply Namespace/"+obj.GetName(), err)
	}
	return applied, nil
}

// otherEnv reports whether a namespace is labelled for another app or env.
func otherEnv(ns *unstructured.Unstructured, dc paved.DeployContext) bool {
	l := ns.GetLabels()
	app, hasApp := l[LabelApp]
	env, hasEnv := l[LabelEnv]
	return (hasApp && app != dc.App) || (hasEnv && env != dc.Env)
}
