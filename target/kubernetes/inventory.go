package kubernetes

import (
	"crypto/sha256"
	"encoding/hex"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"paved.dev/paved"
)

// Labels and annotations paved puts on what it applies. The inventory label
// plays the part of kubectl's applyset.kubernetes.io/part-of: it marks an
// object as belonging to one app's environment, and pruning and Delete touch
// nothing without it.
const (
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelInventory = "paved.dev/inventory"
	LabelApp       = "paved.dev/app"
	LabelEnv       = "paved.dev/env"

	AnnotationApp        = "paved.dev/app"
	AnnotationEnv        = "paved.dev/env"
	AnnotationDeployment = "paved.dev/deployment"

	managedByPaved = "paved"
)

// InventoryID is the value of the inventory label for an app's environment:
// a hash, because app and env names need not fit a label value.
func InventoryID(app, env string) string {
	sum := sha256.Sum256([]byte(app + "\x00" + env))
	return "paved-" + hex.EncodeToString(sum[:16])
}

// belongs reports whether a live object carries the inventory label of dc.
func belongs(obj *unstructured.Unstructured, dc paved.DeployContext) bool {
	return obj.GetLabels()[LabelInventory] == InventoryID(dc.App, dc.Env)
}

// stamp adds paved's inventory label and annotations to an object that is
// about to be applied. Because the apply is server-side under one field
// manager, they are owned by paved like every other field it sets.
func stamp(obj *unstructured.Unstructured, dc paved.DeployContext, deploymentID string) {
	labels := obj.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[LabelManagedBy] = managedByPaved
	labels[LabelInventory] = InventoryID(dc.App, dc.Env)
	obj.SetLabels(labels)

	ann := obj.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[AnnotationApp] = dc.App
	ann[AnnotationEnv] = dc.Env
	if deploymentID != "" {
		ann[AnnotationDeployment] = deploymentID
	}
	obj.SetAnnotations(ann)
}
