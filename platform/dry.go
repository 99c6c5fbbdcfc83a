package platform

import (
	"context"
	"maps"

	"paved.dev/paved"
	"paved.dev/paved/definition"
)

// dryDrivers returns the drivers for a plan: pure drivers as they are, and
// drivers that deprovision (they create real things) as dry stand-ins that
// answer with what each resource returned last time.
func (p *Platform) dryDrivers(stored []paved.StoredResource) definition.Drivers {
	known := map[resourceKey]map[string]any{}
	for i := range stored {
		r := &stored[i]
		out := maps.Clone(r.Outputs)
		if out == nil {
			out = map[string]any{}
		}
		if sr, err := p.openResource(r); err == nil {
			maps.Copy(out, sr.Secrets)
		} else {
			p.log.Warn("planning without a resource's secret outputs", "resource", r.UID, "err", err)
		}
		known[resourceKey{r.UID, r.DefinitionID, r.Driver}] = out
	}
	drivers := definition.Drivers{}
	for name, d := range p.cfg.Engine.Drivers {
		if _, creates := d.(paved.Deprovisioner); creates {
			drivers[name] = dryDriver{outputs: known, real: d}
		} else {
			drivers[name] = d
		}
	}
	return drivers
}

// resourceKey names a stored resource of an environment: its UID and the
// definition and driver that provisioned it.
type resourceKey struct {
	uid    paved.ResourceUID
	def    string
	driver string
}

// dryDriver stands in for a driver that creates things outside the cluster
// (a database on a shared server) while planning: it returns what the
// resource returned last time under the same definition, or marks its
// outputs as not known yet. It keeps the real driver's input checks and
// output declarations.
type dryDriver struct {
	outputs map[resourceKey]map[string]any
	real    paved.Driver
}

// notKnown marks an output that only provisioning tells.
const notKnown = "(known after provisioning)"

func (w dryDriver) Provision(_ context.Context, req *paved.ResourceRequest) (*paved.ResourceResult, error) {
	if out, ok := w.outputs[resourceKey{req.UID, req.Definition.ID, req.Definition.Driver}]; ok {
		return &paved.ResourceResult{Outputs: out, State: req.State}, nil
	}
	out := map[string]any{}
	for _, o := range req.Definition.Outputs {
		if o.Name != paved.AnyOutput {
			out[o.Name] = notKnown
		}
	}
	return &paved.ResourceResult{Outputs: out}, nil
}

func (w dryDriver) ValidateInputs(in map[string]any) error {
	if v, ok := w.real.(paved.InputValidator); ok {
		return v.ValidateInputs(in)
	}
	return nil
}

func (w dryDriver) DeclaredOutputs(in map[string]any) []paved.OutputSpec {
	if v, ok := w.real.(paved.OutputDeclarer); ok {
		return v.DeclaredOutputs(in)
	}
	return nil
}
