package gitops

import (
	"bytes"
	"context"
	"maps"
	"slices"

	"paved.dev/paved"
)

var _ paved.DriftReader = (*Target)(nil)

// Drift compares what an environment's last deployment wrote with what the
// branch holds now in <env>/<app>: a file gone is "missing", a file whose
// bytes differ is "changed", and an object file paved did not write there is
// "extra" (someone committed it by hand; the next deployment removes it).
func (t *Target) Drift(_ context.Context, dc paved.DeployContext, objects []paved.Object) ([]paved.Drift, error) {
	want, _, err := render(objects, t.cfg.SecretsMode)
	if err != nil {
		return nil, err
	}
	have, err := t.Files(dc)
	if err != nil {
		return nil, err
	}
	if t.sealer != nil {
		// Sealed against what is committed, a SealedSecret whose values did
		// not change comes out byte for byte as committed.
		if _, err := t.sealer.sealFiles(want, func(name string) ([]byte, error) { return have[name], nil }); err != nil {
			return nil, err
		}
	}
	var out []paved.Drift
	wanted := map[string]bool{}
	for _, f := range want {
		wanted[f.name] = true
		got, ok := have[f.name]
		switch {
		case !ok:
			out = append(out, paved.Drift{Ref: f.ref, State: paved.DriftMissing, Fields: []string{f.name + " is not in the repository"}})
		case !bytes.Equal(got, f.data):
			out = append(out, paved.Drift{Ref: f.ref, State: paved.DriftChanged, Fields: []string{f.name + " differs from what paved wrote"}})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(have)) {
		if wanted[name] || name == kustomizationFileName {
			continue
		}
		ref, err := decodeRef(have[name])
		if err != nil {
			ref = paved.ObjectRef{Name: name}
		}
		out = append(out, paved.Drift{Ref: ref, State: paved.DriftExtra, Fields: []string{name + " was not written by paved"}})
	}
	return out, nil
}
