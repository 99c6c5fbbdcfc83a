package kubernetes

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"paved.dev/paved"
)

// waitRollouts reports the state of every applied object and, when the
// target waits, polls progressing workloads until each is ready or failed or
// the wait timeout passes. It logs each change of a workload's state.
func (t *Target) waitRollouts(ctx context.Context, items []*item, applied map[objKey]*unstructured.Unstructured, log *syncLog) []paved.ObjectStatus {
	statuses := make([]paved.ObjectStatus, len(items))
	var pending []int
	for i, it := range items {
		state, reason := rollout(applied[keyOf(it.ref())])
		statuses[i] = paved.ObjectStatus{Ref: it.ref(), State: state, Reason: reason}
		if state == paved.ObjectProgressing {
			pending = append(pending, i)
		}
	}
	if t.opts.waitTimeout <= 0 || len(pending) == 0 {
		return statuses
	}
	log.printf("waiting up to %s for %d workload(s) to roll out", t.opts.waitTimeout, len(pending))
	wctx, cancel := context.WithTimeout(ctx, t.opts.waitTimeout)
	defer cancel()
	for len(pending) > 0 {
		select {
		case <-wctx.Done():
			why := fmt.Sprintf("not rolled out after %s", t.opts.waitTimeout)
			if ctx.Err() != nil {
				why = "stopped waiting (" + ctx.Err().Error() + ")"
			}
			for _, i := range pending {
				statuses[i].Reason = why + ": " + statuses[i].Reason
				log.printf("%s: %s", statuses[i].Ref, statuses[i].Reason)
			}
			return statuses
		case <-time.After(t.opts.pollInterval):
		}
		lives := make([]*unstructured.Unstructured, len(pending))
		errs := parallel(len(pending), t.opts.concurrency, func(j int) error {
			it := items[pending[j]]
			live, err := t.resource(it).Get(wctx, it.obj.GetName(), metav1.GetOptions{})
			lives[j] = live
			return err
		})
		var still []int
		for j, i := range pending {
			st := &statuses[i]
			switch err := errs[j]; {
			case apierrors.IsNotFound(err):
				st.State, st.Reason = paved.ObjectFailed, "deleted while waiting for its rollout"
			case err != nil:
				// Keep polling through blips until the timeout says otherwise.
				still = append(still, i)
				continue
			default:
				state, reason := rollout(lives[j])
				if state == st.State && reason == st.Reason {
					still = append(still, i)
					continue
				}
				st.State, st.Reason = state, reason
			}
			log.printf("%s: %s: %s", st.Ref, st.State, st.Reason)
			if st.State == paved.ObjectProgressing {
				still = append(still, i)
			}
		}
		pending = still
	}
	return statuses
}
