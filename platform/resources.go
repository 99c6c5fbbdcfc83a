package platform

import (
	"context"
	"maps"

	"paved.dev/paved"
)

// ListResources lists an environment's resources, secret outputs redacted.
func (p *Platform) ListResources(ctx context.Context, app, env string) ([]paved.Resource, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	if _, err := p.cfg.Store.GetEnvironment(ctx, app, env); err != nil {
		return nil, err
	}
	stored, err := p.cfg.Store.ListResources(ctx, app, env)
	if err != nil {
		return nil, err
	}
	out := make([]paved.Resource, len(stored))
	for i, r := range stored {
		outputs := maps.Clone(r.Outputs)
		if outputs == nil {
			outputs = map[string]any{}
		}
		for _, k := range r.SecretNames {
			outputs[k] = paved.Redacted
		}
		out[i] = paved.Resource{UID: r.UID, App: r.App, Env: r.Env, DefinitionID: r.DefinitionID, Driver: r.Driver, Outputs: outputs, Secrets: r.SecretNames}
	}
	return out, nil
}

// Outputs returns one resource's outputs; secret ones in clear only when
// asked for and the caller may change the app (admins, its team's
// developers). Every reveal is audited.
func (p *Platform) Outputs(ctx context.Context, app, env string, uid paved.ResourceUID, reveal bool) (out map[string]any, err error) {
	if reveal {
		defer func() { p.audit(ctx, "resource.reveal", app+"/"+env+" "+string(uid), err) }()
		if _, _, err := p.requireTeam(ctx, app, "revealing secret outputs"); err != nil {
			return nil, err
		}
	} else if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	stored, err := p.cfg.Store.ListResources(ctx, app, env)
	if err != nil {
		return nil, err
	}
	for i := range stored {
		r := &stored[i]
		if r.UID != uid {
			continue
		}
		out = maps.Clone(r.Outputs)
		if out == nil {
			out = map[string]any{}
		}
		if !reveal {
			for _, k := range r.SecretNames {
				out[k] = paved.Redacted
			}
			return out, nil
		}
		sr, err := p.openResource(r)
		if err != nil {
			return nil, err
		}
		maps.Copy(out, sr.Secrets)
		return out, nil
	}
	return nil, paved.Errorf(paved.ENOTFOUND, "resource %s not found in %s/%s", uid, app, env)
}
