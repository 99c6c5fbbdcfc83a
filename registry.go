package paved

import (
	"fmt"
	"maps"
	"slices"
)

// Registry holds the modules of one paved process: drivers by id and
// target factories by type. The composition root (the server, or the CLI's
// offline commands) fills it once; the engine and the platform only ask it.
type Registry struct {
	drivers map[string]Driver
	targets map[string]TargetFactory
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{drivers: map[string]Driver{}, targets: map[string]TargetFactory{}}
}

// RegisterDriver adds a driver under an id; an id is registered once.
func (r *Registry) RegisterDriver(id string, d Driver) error {
	if id == "" || d == nil {
		return fmt.Errorf("registry: a driver needs an id and an implementation")
	}
	if _, dup := r.drivers[id]; dup {
		return fmt.Errorf("registry: driver %q is registered twice", id)
	}
	r.drivers[id] = d
	return nil
}

// Driver returns the driver registered under id.
func (r *Registry) Driver(id string) (Driver, bool) {
	d, ok := r.drivers[id]
	return d, ok
}

// Drivers returns a copy of the drivers by id.
func (r *Registry) Drivers() map[string]Driver { return maps.Clone(r.drivers) }

// RegisterTargetType adds the factory of registered targets of a type.
func (r *Registry) RegisterTargetType(typ string, f TargetFactory) error {
	if typ == "" || f == nil {
		return fmt.Errorf("registry: a target type needs a name and a factory")
	}
	if _, dup := r.targets[typ]; dup {
		return fmt.Errorf("registry: target type %q is registered twice", typ)
	}
	r.targets[typ] = f
	return nil
}

// TargetTypes lists the registered target types, sorted.
func (r *Registry) TargetTypes() []string { return slices.Sorted(maps.Keys(r.targets)) }

// NewTarget builds a registered target with the factory of its type.
func (r *Registry) NewTarget(info *TargetInfo) (Target, error) {
	f, ok := r.targets[info.Type]
	if !ok {
		return nil, Errorf(EINVALID, "type: no target type %q on this server (it has %v)", info.Type, r.TargetTypes())
	}
	return f(info)
}
