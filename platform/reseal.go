package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"paved.dev/paved"
)

// resealPage is how many rows a rotation reads at a time.
const resealPage = 200

// ResealCount is what a rotation did with one kind of sealed values.
type ResealCount struct {
	// Rows read, and of them Resealed: written again, sealed with the new
	// key; the others held nothing sealed with the old key (sealed with
	// the new one already, in a resumed rotation, or nothing sealed: a
	// definition without secret inputs, a deployment without Secrets).
	Rows, Resealed int
}

// Reseal seals again, with to, every value of the store that from sealed:
// resources' secret outputs and driver state, registered targets'
// kubeconfigs, definitions' secret inputs (every version), and the Secret
// values of deployments' snapshots. Each row is rewritten on its own,
// atomically, with a compare and swap (paved.ResealStore.Reseal), so an
// interrupted rotation leaves every row sealed with one key or the other,
// and running it again finishes it: a value that to opens is left alone.
// to must hold only the new key, so that opening with it proves what a
// value is sealed with; from is nil to only check that to opens everything
// (a value it does not open is then an error naming its row).
func Reseal(ctx context.Context, st paved.ResealStore, from, to paved.Sealer) (map[paved.SealedKind]ResealCount, error) {
	out := map[paved.SealedKind]ResealCount{}
	for _, kind := range paved.SealedKinds {
		var c ResealCount
		err := eachSealed(ctx, st, kind, func(r paved.SealedRow) error {
			data, changed, err := resealRow(r, from, to)
			if err != nil {
				return fmt.Errorf("%s %s: %w", kind, strings.Join(r.Key, "/"), err)
			}
			c.Rows++
			if changed {
				if err := st.Reseal(ctx, paved.SealedRow{Kind: kind, Key: r.Key, Data: data}, r.Data); err != nil {
					return err
				}
				c.Resealed++
			}
			return nil
		})
		out[kind] = c
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// eachSealed calls fn for every row of kind, a page at a time.
func eachSealed(ctx context.Context, st paved.ResealStore, kind paved.SealedKind, fn func(paved.SealedRow) error) error {
	var after []string
	for {
		rows, err := st.SealedRows(ctx, kind, after, resealPage)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		if len(rows) < resealPage {
			return nil
		}
		after = rows[len(rows)-1].Key
	}
}

// resealRow returns a row's column sealed with to, and whether it changed.
func resealRow(r paved.SealedRow, from, to paved.Sealer) ([]byte, bool, error) {
	switch r.Kind {
	case paved.SealedResources:
		if len(r.Key) != 3 {
			return nil, false, fmt.Errorf("a resource's key is app, env, uid, not %v", r.Key)
		}
		return resealBlob(r.Data, resourceAD(r.Key[0], r.Key[1], paved.ResourceUID(r.Key[2])), from, to)
	case paved.SealedTargets:
		return resealBlob(r.Data, targetAD(r.Key[0]), from, to)
	case paved.SealedDefinitions:
		return resealDefinition(r.Key[0], r.Data, from, to)
	case paved.SealedDeployments:
		return resealObjects(r.Key[0], r.Data, from, to)
	}
	return nil, false, fmt.Errorf("no sealed values of kind %q", r.Kind)
}

func resealBlob(b, ad []byte, from, to paved.Sealer) ([]byte, bool, error) {
	if _, err := to.Open(b, ad); err == nil {
		return b, false, nil
	}
	if from == nil {
		return nil, false, fmt.Errorf("not sealed with the new key")
	}
	pt, err := from.Open(b, ad)
	if err != nil {
		return nil, false, fmt.Errorf("opens with neither key: %w", err)
	}
	return to.Seal(pt, ad), true, nil
}

func resealString(v, ad string, from, to paved.Sealer) (string, bool, error) {
	if _, err := to.OpenString(v, ad); err == nil {
		return v, false, nil
	}
	if from == nil {
		return "", false, fmt.Errorf("not sealed with the new key")
	}
	pt, err := from.OpenString(v, ad)
	if err != nil {
		return "", false, fmt.Errorf("opens with neither key: %w", err)
	}
	return to.SealString(pt, ad), true, nil
}

// decodeJSON reads a JSON column keeping numbers as written.
func decodeJSON(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

// resealDefinition reseals a definition version's secret inputs: the
// sealed strings among its driver_inputs (sealInputs).
func resealDefinition(id string, body []byte, from, to paved.Sealer) ([]byte, bool, error) {
	var m map[string]any
	if err := decodeJSON(body, &m); err != nil {
		return nil, false, fmt.Errorf("decoding the body: %w", err)
	}
	inputs, _ := m["driver_inputs"].(map[string]any)
	d := paved.ResourceDefinition{ID: id}
	changed := false
	for k, v := range inputs {
		s, ok := v.(string)
		if !ok || !to.IsSealed(s) {
			continue
		}
		ns, c, err := resealString(s, inputAD(&d, k), from, to)
		if err != nil {
			return nil, false, fmt.Errorf("driver_inputs.%s: %w", k, err)
		}
		inputs[k], changed = ns, changed || c
	}
	if !changed {
		return body, false, nil
	}
	b, err := json.Marshal(m)
	return b, true, err
}

// resealObjects reseals the Secret values of a deployment's snapshot.
func resealObjects(deployment string, data []byte, from, to paved.Sealer) ([]byte, bool, error) {
	var objs []paved.Object
	if err := decodeJSON(data, &objs); err != nil {
		return nil, false, fmt.Errorf("decoding the objects: %w", err)
	}
	changed := false
	out, err := mapSecretValues(objs, func(ref paved.ObjectRef, field, key, v string) (string, error) {
		if !to.IsSealed(v) {
			return v, nil
		}
		ns, c, err := resealString(v, secretAD(deployment, ref, field, key), from, to)
		changed = changed || c
		return ns, err
	})
	if err != nil || !changed {
		return data, false, err
	}
	b, err := json.Marshal(out)
	return b, true, err
}

// SealedCount is what CheckSealed found of one kind of sealed values.
type SealedCount struct {
	// Rows read, and of them Other: rows holding a value that s does not
	// open (sealed with another key, or damaged).
	Rows, Other int
}

// CheckSealed reads every sealed value of the store and counts, per kind,
// the rows holding one that s does not open. With s holding one key, it
// tells whether everything is sealed with that key.
func CheckSealed(ctx context.Context, st paved.ResealStore, s paved.Sealer) (map[paved.SealedKind]SealedCount, error) {
	out := map[paved.SealedKind]SealedCount{}
	for _, kind := range paved.SealedKinds {
		var c SealedCount
		err := eachSealed(ctx, st, kind, func(r paved.SealedRow) error {
			c.Rows++
			if _, _, err := resealRow(r, nil, s); err != nil {
				c.Other++
			}
			return nil
		})
		out[kind] = c
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
