package kubernetes

import (
	"context"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"paved.dev/paved"
)

// prune deletes what previous has and items have not, routes first and
// namespaces last, each only if it carries this environment's inventory
// label. The deployment's own namespace is never pruned: Delete decides
// about it.
func (t *Target) prune(ctx context.Context, dc paved.DeployContext, previous []paved.ObjectRef, items []*item, log *syncLog) ([]paved.ObjectStatus, error) {
	keep := map[objKey]bool{}
	for _, it := range items {
		keep[keyOf(it.ref())] = true
	}
	var gone []paved.ObjectRef
	for _, r := range previous {
		if !keep[keyOf(r)] && !isNamespace(r, dc.Namespace) {
			gone = append(gone, r)
		}
	}
	deleted, err := t.deleteRefs(ctx, dc, gone, log)
	statuses := make([]paved.ObjectStatus, 0, len(deleted))
	for _, r := range deleted {
		statuses = append(statuses, paved.ObjectStatus{Ref: r, State: paved.ObjectPruned})
	}
	return statuses, err
}

// deleteRefs deletes the objects named by refs that carry dc's inventory
// label, in reverse stage order, and returns those it deleted. Objects
// already gone are skipped; objects without the label are left alone and
// logged, because paved did not create them.
func (t *Target) deleteRefs(ctx context.Context, dc paved.DeployContext, refs []paved.ObjectRef, log *syncLog) ([]paved.ObjectRef, error) {
	var deleted []paved.ObjectRef
	for stage := numStages - 1; stage >= 0; stage-- {
		var batch []paved.ObjectRef
		for _, r := range refs {
			if stageOf(keyOfGK(r)) == stage {
				batch = append(batch, r)
			}
		}
		slices.SortFunc(batch, compareRefs)
		done := make([]bool, len(batch))
		errs := parallel(len(batch), t.opts.concurrency, func(i int) error {
			var err error
			done[i], err = t.deleteOwned(ctx, dc, batch[i], log)
			return err
		})
		for i, ok := range done {
			if ok {
				deleted = append(deleted, batch[i])
			}
		}
		if err := combine(errs); err != nil {
			return deleted, err
		}
	}
	return deleted, nil
}

// deleteOwned deletes one object if it carries dc's inventory label of this
// installation (or the legacy one it adopts: refs come from its own
// inventory). The
// delete is conditional on the UID read, so an object recreated meanwhile by
// someone else is not removed.
func (t *Target) deleteOwned(ctx context.Context, dc paved.DeployContext, r paved.ObjectRef, log *syncLog) (bool, error) {
	ri, err := t.resourceFor(ctx, r)
	if meta.IsNoMatchError(err) {
		log.printf("not deleting %s: the cluster no longer serves its kind", r)
		return false, nil
	}
	if err != nil {
		return false, t.apiError("discover "+r.APIVersion+" "+r.Kind, err)
	}
	live, err := ri.Get(ctx, r.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, t.apiError("read "+r.String(), err)
	}
	if !t.owned(live, dc) {
		log.printf("not deleting %s: it does not carry %s", r, t.labelDescription(dc))
		return false, nil
	}
	uid := live.GetUID()
	background := metav1.DeletePropagationBackground
	err = ri.Delete(ctx, r.Name, metav1.DeleteOptions{
		Preconditions:     &metav1.Preconditions{UID: &uid},
		PropagationPolicy: &background,
	})
	switch {
	case apierrors.IsNotFound(err), apierrors.IsConflict(err):
		return false, nil
	case err != nil:
		return false, t.apiError("delete "+r.String(), err)
	}
	log.printf("deleted %s", r)
	return true, nil
}

func (t *Target) resourceFor(ctx context.Context, r paved.ObjectRef) (dynamic.ResourceInterface, error) {
	gv, err := schema.ParseGroupVersion(r.APIVersion)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s: %s: bad apiVersion: %w", t, r, err)
	}
	m, err := t.mapper.RESTMapping(ctx, gv.WithKind(r.Kind).GroupKind(), gv.Version)
	if err != nil {
		return nil, err
	}
	res := t.dyn.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return res.Namespace(r.Namespace), nil
	}
	return res, nil
}

func keyOfGK(r paved.ObjectRef) schema.GroupKind {
	k := keyOf(r)
	return schema.GroupKind{Group: k.group, Kind: k.kind}
}

func isNamespace(r paved.ObjectRef, name string) bool {
	return keyOfGK(r) == schema.GroupKind{Kind: "Namespace"} && r.Name == name
}
