package kubernetes

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"paved.dev/paved"
)

// Drift is how a live object differs from what paved last applied.
type Drift struct {
	Ref paved.ObjectRef `json:"ref"`
	// Missing is set when the object is gone from the cluster, or when the
	// live object of that name is another environment's or installation's
	// (Reason says so): this installation's object is not there then either.
	Missing bool         `json:"missing,omitempty"`
	Reason  string       `json:"reason,omitempty"`
	Fields  []FieldDrift `json:"fields,omitempty"`
}

// FieldDrift is one field paved applied that paved no longer owns: someone
// changed or removed it.
type FieldDrift struct {
	Path    string `json:"path"`
	Applied any    `json:"applied"`
	// Live is the value in the cluster, nil when removed or not found.
	Live any `json:"live,omitempty"`
	// Manager is the field manager that owns the field now, "" when removed.
	Manager string `json:"manager,omitempty"`
}

// Drift compares the objects paved last applied for an environment with
// what is live and returns the objects that differ: missing ones, and those
// with fields paved applied but no longer owns. Server-side apply moves a
// field's ownership to whoever changes it (kubectl edit, scale, a forced
// apply) and drops it when the field is removed, so ownership tells drift
// without second-guessing the server's defaulting and normalizing of values.
// Fields others added and paved never set are not drift.
func (t *Target) Drift(ctx context.Context, dc paved.DeployContext, objects []paved.Object) ([]Drift, error) {
	if err := t.validContext(dc); err != nil {
		return nil, err
	}
	items, err := t.toItems(ctx, objects, dc, "", true)
	if err != nil {
		return nil, err
	}
	drifts := make([]*Drift, len(items))
	errs := parallel(len(items), t.opts.concurrency, func(i int) error {
		it := items[i]
		if it.mapping == nil {
			// Its kind is no longer served (the CRD went): so is the object.
			drifts[i] = &Drift{Ref: it.ref(), Missing: true}
			return nil
		}
		live, err := t.resource(it).Get(ctx, it.obj.GetName(), metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			drifts[i] = &Drift{Ref: it.ref(), Missing: true}
			return nil
		}
		if err != nil {
			return t.apiError("read "+it.ref().String(), err)
		}
		if t.foreign(live, dc) {
			// Another installation's or environment's object has the name;
			// its fields are none of this environment's business.
			drifts[i] = &Drift{Ref: it.ref(), Missing: true, Reason: "the live object carries another environment's or paved installation's inventory label"}
			return nil
		}
		applied, manager := it.obj, t.fieldManager(dc)
		if t.ownerOf(live, dc) == legacy {
			// Not adopted yet: its fields are still the old manager's, who
			// set no installation label.
			applied, manager = it.obj.DeepCopy(), legacyManager(dc)
			labels := applied.GetLabels()
			delete(labels, LabelInstallation)
			applied.SetLabels(labels)
		}
		if fields := fieldDrift(applied, live, manager); len(fields) > 0 {
			drifts[i] = &Drift{Ref: it.ref(), Fields: fields}
		}
		return nil
	})
	if err := combine(errs); err != nil {
		return nil, err
	}
	var out []Drift
	for _, d := range drifts {
		if d != nil {
			out = append(out, *d)
		}
	}
	return out, nil
}

// fieldDrift lists the fields of applied that paved's apply entry in live's
// managedFields does not hold.
func fieldDrift(applied, live *unstructured.Unstructured, manager string) []FieldDrift {
	var mine map[string]any
	others := map[string]map[string]any{}
	for _, mf := range live.GetManagedFields() {
		if mf.FieldsV1 == nil || mf.Subresource != "" && mf.Subresource != "scale" {
			continue
		}
		var set map[string]any
		if err := json.Unmarshal(mf.FieldsV1.GetRawBytes(), &set); err != nil {
			continue
		}
		if mf.Manager == manager && mf.Operation == metav1.ManagedFieldsOperationApply && mf.Subresource == "" {
			mine = set
			continue
		}
		name := mf.Manager
		if mf.Subresource != "" {
			name += " (" + mf.Subresource + ")"
		}
		others[name] = set
	}
	var missing [][]step
	top := map[string]any{}
	for k, v := range applied.Object {
		switch k {
		case "apiVersion", "kind", "status":
		case "metadata":
			// Identity is not a managed field; what else is there is.
			md, _ := v.(map[string]any)
			if rest := omit(md, "name", "namespace", "generateName"); len(rest) > 0 {
				top[k] = rest
			}
		default:
			top[k] = v
		}
	}
	unowned(top, mine, nil, &missing)

	out := make([]FieldDrift, 0, len(missing))
	for _, path := range missing {
		fd := FieldDrift{Path: pathString(path), Applied: path[len(path)-1].value}
		fd.Live, _ = valueAt(live.Object, path)
		for _, name := range sortedKeys(others) {
			if owns(others[name], path) {
				fd.Manager = name
				break
			}
		}
		out = append(out, fd)
	}
	slices.SortFunc(out, func(a, b FieldDrift) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// step is one step down an object: a map field, or a list element.
type step struct {
	field string
	elem  bool
	value any // the applied value at this step
}

// unowned walks the applied value v alongside the field set (FieldsV1 JSON:
// "f:<field>", "k:<key json>" for keyed list items, "v:<value json>" for
// set items) and appends the path of every applied field the set lacks. A
// field present with no children is owned whole: a leaf, or an atomic map
// or list such as a label selector or container args. A nil set owns
// nothing, so every leaf under it is reported.
func unowned(v any, set map[string]any, path []step, out *[][]step) {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			child := v[k]
			if child == nil {
				continue // null in an apply means "not mine"
			}
			p := append(slices.Clip(path), step{field: k, value: child})
			sub, present := set["f:"+k].(map[string]any)
			switch {
			case present && len(sub) == 0:
				// owned whole
			case present:
				unowned(child, sub, p, out)
			case isNonEmptyMap(child):
				unowned(child, nil, p, out)
			default:
				*out = append(*out, p)
			}
		}
	case []any:
		for _, e := range v {
			p := append(slices.Clip(path), step{elem: true, value: e})
			sub, ok := findElem(set, e)
			if !ok {
				*out = append(*out, p)
				continue
			}
			unowned(e, sub, p, out)
		}
	}
}

func isNonEmptyMap(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) > 0
}

// owns reports whether set holds the field at path, itself or as part of
// a field owned whole.
func owns(set map[string]any, path []step) bool {
	for _, s := range path {
		if len(set) == 0 || s.elem && atomicList(set) {
			return set != nil
		}
		var ok bool
		if s.elem {
			set, ok = findElem(set, s.value)
		} else {
			set, ok = set["f:"+s.field].(map[string]any)
		}
		if !ok {
			return false
		}
	}
	return true
}

// atomicList reports a list whose items the field set does not name: the
// list is replaced whole and owned as one field.
func atomicList(set map[string]any) bool {
	for k := range set {
		if strings.HasPrefix(k, "k:") || strings.HasPrefix(k, "v:") || strings.HasPrefix(k, "i:") {
			return false
		}
	}
	return true
}

// findElem finds a list element in a field set: a scalar by its value, a
// map by the key fields of a "k:" entry, all of which it must have.
func findElem(set map[string]any, e any) (map[string]any, bool) {
	if m, isMap := e.(map[string]any); isMap {
		for k, sub := range set {
			if !strings.HasPrefix(k, "k:") {
				continue
			}
			var key map[string]any
			if json.Unmarshal([]byte(k[2:]), &key) != nil {
				continue
			}
			if keyMatches(key, m) {
				s, _ := sub.(map[string]any)
				return s, true
			}
		}
		return nil, false
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, false
	}
	sub, ok := set["v:"+string(b)].(map[string]any)
	return sub, ok
}

// keyMatches reports whether a list element has the key of a field set
// entry. A key field the element leaves out was defaulted by the server
// (a port's protocol: TCP), so it matches whatever the key says; the fields
// the element has must be equal.
func keyMatches(key, elem map[string]any) bool {
	matched := 0
	for f, want := range key {
		got, ok := elem[f]
		if !ok {
			continue
		}
		if !sameJSON(got, want) {
			return false
		}
		matched++
	}
	return matched > 0
}

// sameJSON compares values after a JSON round trip, so that int64 from an
// object and float64 from a field-set key are equal when they print alike.
func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// valueAt returns the live value at path; list elements are matched by
// their "name" when they have one, which covers containers, ports and env.
func valueAt(obj any, path []step) (any, bool) {
	cur := obj
	for _, s := range path {
		switch c := cur.(type) {
		case map[string]any:
			if s.elem {
				return nil, false
			}
			v, ok := c[s.field]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			if !s.elem {
				return nil, false
			}
			want, _ := s.value.(map[string]any)
			name, hasName := want["name"]
			if !hasName {
				return nil, false
			}
			found := false
			for _, e := range c {
				if m, ok := e.(map[string]any); ok && sameJSON(m["name"], name) {
					cur, found = m, true
					break
				}
			}
			if !found {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return cur, true
}

func pathString(path []step) string {
	var b strings.Builder
	for _, s := range path {
		if !s.elem {
			b.WriteString("." + s.field)
			continue
		}
		if m, ok := s.value.(map[string]any); ok {
			if n, ok := m["name"]; ok {
				b.WriteString("[name=")
				b.WriteString(jsonString(n))
				b.WriteString("]")
				continue
			}
		}
		b.WriteString("[" + jsonString(s.value) + "]")
	}
	return b.String()
}

func jsonString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func omit(m map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if !slices.Contains(keys, k) {
			out[k] = v
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
