package kubernetes

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"

	"paved.dev/paved"
)

// Labels and annotations paved puts on what it applies. The inventory label
// plays the part of kubectl's applyset.kubernetes.io/part-of: it marks an
// object as belonging to one app's environment of one paved installation,
// and pruning and Delete touch nothing without it.
const (
	LabelManagedBy    = "app.kubernetes.io/managed-by"
	LabelInventory    = "paved.dev/inventory"
	LabelInstallation = "paved.dev/installation"
	LabelApp          = "paved.dev/app"
	LabelEnv          = "paved.dev/env"

	AnnotationApp        = "paved.dev/app"
	AnnotationEnv        = "paved.dev/env"
	AnnotationDeployment = "paved.dev/deployment"

	managedByPaved = "paved"
)

// InventoryID is the value of the inventory label for an app's environment
// in one paved installation: a hash, because the names need not fit a label
// value. The installation "" gives the value of paved versions that had no
// installation id, so that their objects stay recognizable (see ownerOf).
func InventoryID(installation, app, env string) string {
	key := app + "\x00" + env
	if installation != "" {
		key = installation + "\x00" + key
	}
	sum := sha256.Sum256([]byte(key))
	return "paved-" + hex.EncodeToString(sum[:16])
}

// FieldManagerFor is the server-side apply field manager of an app's
// environment in an installation: "paved/<installation>/<app>/<env>", or
// "paved/<app>/<env>" without one. Two installations with the same app and
// env names must not share a manager: server-side apply lets a manager
// change its own fields freely, so one would silently take the other's
// objects instead of getting a conflict.
func FieldManagerFor(installation string, dc paved.DeployContext) string {
	if installation == "" {
		return FieldManager + "/" + dc.App + "/" + dc.Env
	}
	return FieldManager + "/" + installation + "/" + dc.App + "/" + dc.Env
}

// WithInstallation names this paved installation. Its id goes into the
// inventory label, an installation label and the field manager of every
// object, so that installations sharing a cluster, even with the same app
// and env names, never prune, delete, adopt or overwrite each other's
// objects. It must be a valid label value (at most 63 characters: letters,
// digits, '-', '_', '.') and stay the same for the installation's life:
// objects under another id are another installation's. "" (the default) is
// the behaviour of paved versions without installation ids.
func WithInstallation(id string) Option { return func(o *options) { o.installation = id } }

func checkInstallation(o options) error {
	if o.installation == "" {
		return nil
	}
	if errs := validation.IsValidLabelValue(o.installation); len(errs) > 0 {
		return paved.Errorf(paved.EINVALID, "kubernetes target %q: installation id %q is not a valid label value (%s): use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
			o.name, o.installation, strings.Join(errs, "; "))
	}
	return nil
}

// owner is whose a live object is, by its inventory label.
type owner int

const (
	// notOurs: no label, or another installation's or environment's.
	notOurs owner = iota
	// ours: this installation's label for the environment.
	ours
	// legacy: the label paved wrote for the environment before it had
	// installation ids; this installation adopts such objects (see legacy.go).
	legacy
)

func (t *Target) inventoryID(dc paved.DeployContext) string {
	return InventoryID(t.opts.installation, dc.App, dc.Env)
}

func (t *Target) fieldManager(dc paved.DeployContext) string {
	return FieldManagerFor(t.opts.installation, dc)
}

// ownerOf reads the inventory label of a live object.
func (t *Target) ownerOf(obj *unstructured.Unstructured, dc paved.DeployContext) owner {
	label, ok := obj.GetLabels()[LabelInventory]
	switch {
	case !ok:
		return notOurs
	case label == t.inventoryID(dc):
		return ours
	case t.adoptsLegacy() && label == InventoryID("", dc.App, dc.Env):
		return legacy
	}
	return notOurs
}

// owned reports whether a live object is this installation's for dc,
// counting legacy objects it adopts.
func (t *Target) owned(obj *unstructured.Unstructured, dc paved.DeployContext) bool {
	return t.ownerOf(obj, dc) != notOurs
}

// foreign reports whether a live object carries an inventory label that is
// not this installation's for dc: another environment's or installation's.
func (t *Target) foreign(obj *unstructured.Unstructured, dc paved.DeployContext) bool {
	_, labelled := obj.GetLabels()[LabelInventory]
	return labelled && !t.owned(obj, dc)
}

// labelDescription names the label an object must carry to be dc's, for
// log lines.
func (t *Target) labelDescription(dc paved.DeployContext) string {
	if t.opts.installation == "" {
		return fmt.Sprintf("paved's inventory label for app %s env %s", dc.App, dc.Env)
	}
	return fmt.Sprintf("paved's inventory label for app %s env %s of installation %s", dc.App, dc.Env, t.opts.installation)
}

// stamp adds paved's inventory label and annotations to an object that is
// about to be applied. Because the apply is server-side under one field
// manager, they are owned by paved like every other field it sets.
func (t *Target) stamp(obj *unstructured.Unstructured, dc paved.DeployContext, deploymentID string) {
	labels := obj.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[LabelManagedBy] = managedByPaved
	labels[LabelInventory] = t.inventoryID(dc)
	if t.opts.installation != "" {
		labels[LabelInstallation] = t.opts.installation
	}
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
