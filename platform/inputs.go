package platform

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"

	"paved.dev/paved"
)

// secretInputs names a definition's inputs that its driver says are secret.
func (p *Platform) secretInputs(d *paved.ResourceDefinition) []string {
	if si, ok := p.cfg.Engine.Drivers[d.Driver].(paved.SecretInputer); ok {
		return si.SecretInputs()
	}
	return nil
}

func inputAD(d *paved.ResourceDefinition, key string) string { return "definition/" + d.ID + "/" + key }

// sealInputs returns d with its secret inputs sealed, for the store.
func (p *Platform) sealInputs(d paved.ResourceDefinition) (paved.ResourceDefinition, error) {
	keys := p.secretInputs(&d)
	if len(keys) == 0 || d.Inputs == nil {
		return d, nil
	}
	d.Inputs = maps.Clone(d.Inputs)
	for _, k := range keys {
		v, ok := d.Inputs[k]
		if !ok {
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return d, fmt.Errorf("definition %s: driver_inputs.%s: %w", d.ID, k, err)
		}
		d.Inputs[k] = p.cfg.Sealer.SealString(string(b), inputAD(&d, k))
	}
	return d, nil
}

// openInputs reverses sealInputs.
func (p *Platform) openInputs(d paved.ResourceDefinition) (paved.ResourceDefinition, error) {
	keys := p.secretInputs(&d)
	if len(keys) == 0 || d.Inputs == nil {
		return d, nil
	}
	d.Inputs = maps.Clone(d.Inputs)
	for _, k := range keys {
		s, ok := d.Inputs[k].(string)
		if !ok || !p.cfg.Sealer.IsSealed(s) {
			continue
		}
		plain, err := p.cfg.Sealer.OpenString(s, inputAD(&d, k))
		if err != nil {
			return d, fmt.Errorf("definition %s: driver_inputs.%s: %w", d.ID, k, err)
		}
		var v any
		if err := json.Unmarshal([]byte(plain), &v); err != nil {
			return d, err
		}
		d.Inputs[k] = v
	}
	return d, nil
}

// redactInputs hides secret inputs for API output.
func (p *Platform) redactInputs(d paved.ResourceDefinition) paved.ResourceDefinition {
	keys := p.secretInputs(&d)
	if len(keys) == 0 || d.Inputs == nil {
		return d
	}
	d.Inputs = maps.Clone(d.Inputs)
	for _, k := range keys {
		if _, ok := d.Inputs[k]; ok {
			d.Inputs[k] = paved.Redacted
		}
	}
	return d
}

// storedDefinitions returns the store's definitions with secret inputs
// opened, for the engine.
func (p *Platform) storedDefinitions(ctx context.Context) ([]paved.ResourceDefinition, error) {
	defs, err := p.liveDefinitions(ctx)
	if err != nil {
		return nil, err
	}
	for i := range defs {
		if defs[i], err = p.openInputs(defs[i]); err != nil {
			return nil, err
		}
	}
	return defs, nil
}
