package kubernetes

import (
	"context"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"paved.dev/paved"
)

// Apply makes the app's environment hold exactly req.Objects: it makes and
// labels the namespace, server-side applies the objects stage by stage
// (without force, so another field manager's fields are a conflict, not
// overwritten), prunes what req.Previous has and req.Objects has not when it
// carries this environment's inventory label, and waits for workloads to
// roll out.
//
// A failed rollout is not an error: it is reported in the statuses, because
// the objects were applied and their inventory must be kept. When applying
// fails part way, the result is returned with the error and its inventory
// holds Previous plus what was applied, so that nothing created is ever
// forgotten by the next prune or Delete.
func (t *Target) Apply(ctx context.Context, req *paved.ApplyRequest) (*paved.ApplyResult, error) {
	dc := req.Context
	if err := t.validContext(dc); err != nil {
		return nil, err
	}
	log := &syncLog{fn: req.Log}
	items, err := t.toItems(ctx, req.Objects, dc, req.DeploymentID, false)
	if err != nil {
		return nil, err
	}
	if req.Intent != nil {
		refs := make([]paved.ObjectRef, len(items))
		for i, it := range items {
			refs[i] = it.ref()
		}
		if err := req.Intent(refs); err != nil {
			return nil, err
		}
	}

	// The deployment's own namespace is made first, with any rendered
	// fields of it, and never pruned.
	var ownNS *unstructured.Unstructured
	rest := items[:0:0]
	var nsItem *item
	for _, it := range items {
		if it.gk.Group == "" && it.gk.Kind == "Namespace" && it.obj.GetName() == dc.Namespace {
			nsItem = it
			continue
		}
		rest = append(rest, it)
	}
	var rendered *unstructured.Unstructured
	if nsItem != nil {
		rendered = nsItem.obj
	}
	ownNS, err = t.ensureNamespace(ctx, dc, req.DeploymentID, rendered, log)
	if err != nil {
		return nil, err
	}

	// Only what this installation's own last deployment lists may be
	// adopted from a paved version without installation ids.
	adoptable := map[objKey]bool{}
	if t.adoptsLegacy() {
		for _, r := range req.Previous {
			adoptable[keyOf(r)] = true
		}
	}

	result := &paved.ApplyResult{}
	applied := map[objKey]*unstructured.Unstructured{}
	if nsItem != nil {
		applied[keyOf(nsItem.ref())] = ownNS
	}
	for stage := range numStages {
		var batch []*item
		for _, it := range rest {
			if it.stage == stage {
				batch = append(batch, it)
			}
		}
		if stage == stageCluster+1 {
			// CRDs went in with the cluster stage; their kinds are served now.
			if err := t.mapLate(ctx, rest, dc); err != nil {
				return t.partial(req.Previous, items, applied), err
			}
		}
		lives := make([]*unstructured.Unstructured, len(batch))
		errs := parallel(len(batch), t.opts.concurrency, func(i int) error {
			live, err := t.applyOne(ctx, batch[i], dc, adoptable[keyOf(batch[i].ref())], log)
			if err != nil {
				return err
			}
			lives[i] = live
			log.printf("applied %s", batch[i].ref())
			return nil
		})
		for i, live := range lives {
			if live != nil {
				applied[keyOf(batch[i].ref())] = live
			}
		}
		if err := combine(errs); err != nil {
			return t.partial(req.Previous, items, applied), err
		}
	}

	for _, it := range items {
		result.Inventory = append(result.Inventory, it.ref())
	}
	pruned, err := t.prune(ctx, dc, req.Previous, items, log)
	if err != nil {
		return t.partial(req.Previous, items, applied), err
	}
	result.Statuses = t.waitRollouts(ctx, items, applied, log)
	// Statuses are what the cluster showed; whether a workload rolled out
	// was watched only when the target waits.
	result.Observed = t.opts.waitTimeout > 0
	result.Statuses = append(result.Statuses, pruned...)
	return result, nil
}

// applyOne server-side applies one object as the environment's field
// manager. When adoptable and the apply conflicts with the field manager of
// a paved version without installation ids on an object carrying that
// version's label, it adopts the object (legacy.go) and applies again.
func (t *Target) applyOne(ctx context.Context, it *item, dc paved.DeployContext, adoptable bool, log *syncLog) (*unstructured.Unstructured, error) {
	data, err := it.obj.MarshalJSON()
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s: %s: %w", t, it.ref(), err)
	}
	ri := t.resource(it)
	apply := func() (*unstructured.Unstructured, error) {
		// Server-side apply refuses fields its schema lacks by itself (see
		// apiError); the separate field validation pass would repeat that
		// work on every object, a good part of what an apply costs the server.
		return ri.Patch(ctx, it.obj.GetName(), types.ApplyPatchType, data,
			metav1.PatchOptions{FieldManager: t.fieldManager(dc), FieldValidation: metav1.FieldValidationIgnore})
	}
	live, err := apply()
	if err != nil && adoptable && slices.Contains(conflictManagers(err), legacyManager(dc)) {
		adopted, aerr := t.adoptLive(ctx, ri, it.obj.GetName(), dc, log)
		if aerr != nil {
			return nil, aerr
		}
		if adopted {
			live, err = apply()
		}
	}
	if err != nil {
		return nil, t.apiError("apply "+it.ref().String(), err)
	}
	return live, nil
}

func (t *Target) resource(it *item) dynamic.ResourceInterface {
	r := t.dyn.Resource(it.mapping.Resource)
	if ns := it.obj.GetNamespace(); ns != "" {
		return r.Namespace(ns)
	}
	return r
}

// partial is the result of an apply that failed part way: what may now
// exist in the cluster, the previous inventory and what was applied.
func (t *Target) partial(previous []paved.ObjectRef, items []*item, applied map[objKey]*unstructured.Unstructured) *paved.ApplyResult {
	res := &paved.ApplyResult{Inventory: slices.Clone(previous)}
	seen := map[objKey]bool{}
	for _, r := range previous {
		seen[keyOf(r)] = true
	}
	for _, it := range items {
		k := keyOf(it.ref())
		if applied[k] == nil {
			continue
		}
		res.Statuses = append(res.Statuses, paved.ObjectStatus{Ref: it.ref(), State: paved.ObjectApplied})
		if !seen[k] {
			res.Inventory = append(res.Inventory, it.ref())
		}
	}
	return res
}

func (t *Target) validContext(dc paved.DeployContext) error {
	if dc.App == "" || dc.Env == "" || dc.Namespace == "" {
		return paved.Errorf(paved.EINVALID, "%s: the deploy context needs an app, an env and a namespace (got app %q, env %q, namespace %q)", t, dc.App, dc.Env, dc.Namespace)
	}
	return nil
}
