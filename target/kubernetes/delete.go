package kubernetes

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"paved.dev/paved"
)

// Delete removes everything in the inventory that carries the environment's
// inventory label, then the namespace if paved created it for this
// environment (labelled managed-by paved with this inventory). Without
// controllers in the cluster the namespace then stays Terminating; with them
// it goes, with anything left in it.
func (t *Target) Delete(ctx context.Context, dc paved.DeployContext, inventory []paved.ObjectRef, message string) error {
	if err := t.validContext(dc); err != nil {
		return err
	}
	log := &syncLog{fn: func(msg string) { t.opts.logger.Info(msg, "target", t.name, "app", dc.App, "env", dc.Env) }}
	if message != "" {
		log.printf("deleting environment: %s", message)
	}
	var refs []paved.ObjectRef
	for _, r := range inventory {
		if !isNamespace(r, dc.Namespace) {
			refs = append(refs, r)
		}
	}
	if _, err := t.deleteRefs(ctx, dc, refs, log); err != nil {
		return err
	}
	ns, err := t.dyn.Resource(namespaces()).Get(ctx, dc.Namespace, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		return t.apiError("read namespace "+dc.Namespace, err)
	case ns.GetLabels()[LabelManagedBy] != managedByPaved || !t.owned(ns, dc):
		log.printf("keeping namespace %s: paved did not create it for this environment", dc.Namespace)
		return nil
	case ns.GetDeletionTimestamp() != nil:
		return nil
	}
	_, err = t.deleteOwned(ctx, dc, paved.ObjectRef{APIVersion: "v1", Kind: "Namespace", Name: dc.Namespace}, log)
	return err
}
