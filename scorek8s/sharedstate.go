package scorek8s

import (
	"fmt"
	"maps"
)

// SharedStateKey is the key of a resource's driver state under which the
// driver keeps the shared_state its program last returned for that resource.
//
// score-k8s keeps one shared_state for all resources of a project: each
// program receives it and returns a JSON merge patch for it. paved's domain
// keeps state per resource only (ResourceRequest.State in,
// ResourceResult.State out), so here each resource has its own copy: a
// resource sees the shared state as it was last returned for *it*, never
// what another resource's provisioner returned.
const SharedStateKey = "paved:shared_state"

// SplitState parts a resource's driver state into the program's
// resource_state and the shared state kept for it. Both are objects, never
// null, as score-k8s gives them (it starts every resource and the project
// with empty ones). The request's map is not changed.
func SplitState(state map[string]any) (own, shared map[string]any) {
	own = maps.Clone(state)
	if own == nil {
		own = map[string]any{}
	}
	shared, _ = own[SharedStateKey].(map[string]any)
	delete(own, SharedStateKey)
	if shared == nil {
		shared = map[string]any{}
	}
	return own, shared
}

// JoinState is the driver state to keep: the program's resource_state (an
// absent one means empty, as in score-k8s) with the shared state beside it.
func JoinState(own, shared map[string]any) (map[string]any, error) {
	if _, ok := own[SharedStateKey]; ok {
		return nil, fmt.Errorf("resource_state holds the key %q, which paved keeps for shared_state: rename it", SharedStateKey)
	}
	out := maps.Clone(own)
	if out == nil {
		out = map[string]any{}
	}
	if len(shared) > 0 {
		out[SharedStateKey] = shared
	}
	return out, nil
}

// MergePatch applies patch to doc as a JSON merge patch (RFC 7386), the way
// score-k8s applies a program's shared_state: null deletes a key, an object
// merges into an object, anything else replaces. Neither map is changed.
func MergePatch(doc, patch map[string]any) map[string]any {
	out := maps.Clone(doc)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range patch {
		switch pv := v.(type) {
		case nil:
			delete(out, k)
		case map[string]any:
			dv, _ := out[k].(map[string]any)
			out[k] = MergePatch(dv, pv)
		default:
			out[k] = v
		}
	}
	return out
}
