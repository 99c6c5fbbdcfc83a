package platform

import (
	"encoding/json"
	"fmt"
	"time"

	"paved.dev/paved"
)

// secretFields are the fields of a Secret object that hold values.
var secretFields = []string{"stringData", "data"}

// mapSecretValues returns a copy of objs in which every value of a Secret
// object went through f; other objects are shared, not copied.
func mapSecretValues(objs []paved.Object, f func(o paved.ObjectRef, field, key, v string) (string, error)) ([]paved.Object, error) {
	out := make([]paved.Object, len(objs))
	for i, o := range objs {
		if !o.IsSecret() {
			out[i] = o
			continue
		}
		ref := o.Ref()
		c := make(paved.Object, len(o))
		for k, v := range o {
			c[k] = v
		}
		for _, field := range secretFields {
			m, ok := o[field].(map[string]any)
			if !ok {
				continue
			}
			nm := make(map[string]any, len(m))
			for k, v := range m {
				s, err := f(ref, field, k, fmt.Sprint(v))
				if err != nil {
					return nil, fmt.Errorf("%s %s.%s: %w", ref, field, k, err)
				}
				nm[k] = s
			}
			c[field] = nm
		}
		out[i] = c
	}
	return out, nil
}

func secretAD(deployment string, ref paved.ObjectRef, field, key string) string {
	return deployment + "/" + ref.Namespace + "/" + ref.Name + "/" + field + "/" + key
}

// sealObjects seals the values of Secret objects for a deployment
// snapshot. It cannot fail: sealing a value never does.
func (p *Platform) sealObjects(deployment string, objs []paved.Object) []paved.Object {
	out, _ := mapSecretValues(objs, func(ref paved.ObjectRef, field, key, v string) (string, error) {
		return p.cfg.Sealer.SealString(v, secretAD(deployment, ref, field, key)), nil
	})
	return out
}

// openObjects reverses sealObjects.
func (p *Platform) openObjects(deployment string, objs []paved.Object) ([]paved.Object, error) {
	return mapSecretValues(objs, func(ref paved.ObjectRef, field, key, v string) (string, error) {
		if !p.cfg.Sealer.IsSealed(v) {
			return v, nil
		}
		return p.cfg.Sealer.OpenString(v, secretAD(deployment, ref, field, key))
	})
}

// redactObjects hides Secret values for API output.
func redactObjects(objs []paved.Object) []paved.Object {
	out, _ := mapSecretValues(objs, func(paved.ObjectRef, string, string, string) (string, error) {
		return paved.Redacted, nil
	})
	return out
}

// sealedResource is what a resource keeps sealed: its driver state and its
// secret outputs.
type sealedResource struct {
	State   map[string]any `json:"state,omitempty"`
	Secrets map[string]any `json:"secrets,omitempty"`
}

func resourceAD(app, env string, uid paved.ResourceUID) []byte {
	return []byte("resource/" + app + "/" + env + "/" + string(uid))
}

func (p *Platform) sealResource(app, env string, uid paved.ResourceUID, sr sealedResource) ([]byte, error) {
	b, err := json.Marshal(sr)
	if err != nil {
		return nil, err
	}
	return p.cfg.Sealer.Seal(b, resourceAD(app, env, uid)), nil
}

// seed is the secret seed of an environment incarnation, from which the
// engine derives generated secrets.
func (p *Platform) seed(env *paved.Environment) []byte {
	return p.cfg.Sealer.Derive("seed/" + env.App + "/" + env.Name + "/" + env.CreatedAt.UTC().Format(time.RFC3339Nano))
}

func (p *Platform) openResource(r *paved.StoredResource) (sealedResource, error) {
	var sr sealedResource
	if len(r.Sealed) == 0 {
		return sr, nil
	}
	b, err := p.cfg.Sealer.Open(r.Sealed, resourceAD(r.App, r.Env, r.UID))
	if err != nil {
		return sr, fmt.Errorf("resource %s: %w", r.UID, err)
	}
	return sr, json.Unmarshal(b, &sr)
}
