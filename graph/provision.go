package graph

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"paved.dev/paved"
	"paved.dev/paved/definition"
	"paved.dev/paved/score"
)

// ProvisionOptions are what provisioning needs besides the graph.
type ProvisionOptions struct {
	Drivers definition.Drivers
	State   *State
	// Workloads describes the deployment's workloads to the drivers.
	Workloads map[string]paved.WorkloadInfo
	// Log receives progress messages.
	Log func(msg string)
	// Concurrency bounds drivers running at once; 0 means a default.
	Concurrency int
	// Provisioned, when set, is called with each node as soon as its
	// driver provisioned it (from several goroutines at once), so that
	// what a driver made is recorded before anything else can fail; an
	// error from it fails the node.
	Provisioned func(ctx context.Context, n *Node) error
}

// Provision runs every resource through its definition's driver, in
// dependency order and in parallel within a level, and records the new driver
// states in opts.State. On an error, the nodes provisioned so far keep their
// outputs (Node.Outputs is nil for the others). Resources that are no longer in the graph keep their
// state entries; the caller decides when to deprovision and forget them.
func (g *Graph) Provision(ctx context.Context, opts ProvisionOptions) error {
	if opts.State == nil {
		return fmt.Errorf("graph: Provision needs a state")
	}
	if opts.State.Resources == nil {
		opts.State.Resources = map[paved.ResourceUID]ResourceState{}
	}
	workers := opts.Concurrency
	if workers <= 0 {
		workers = max(4, 2*runtime.GOMAXPROCS(0))
	}
	log := opts.Log
	if log == nil {
		log = func(string) {}
	}
	for li, start := range g.levels {
		end := len(g.Nodes)
		if li+1 < len(g.levels) {
			end = g.levels[li+1]
		}
		level := g.Nodes[start:end]
		errs := make([]error, len(level))
		sem := make(chan struct{}, workers)
		var wg sync.WaitGroup
		for i, n := range level {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				errs[i] = g.provision(ctx, n, opts, log)
			}()
		}
		wg.Wait()
		// What was provisioned is recorded even when a sibling failed, so
		// that what a driver created outside the cluster is not forgotten.
		for i, n := range level {
			if errs[i] == nil {
				opts.State.Resources[n.UID] = ResourceState{Definition: n.Definition.ID, Driver: n.Definition.Driver, State: n.State}
			}
		}
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func (g *Graph) provision(ctx context.Context, n *Node, opts ProvisionOptions, log func(string)) error {
	where := fmt.Sprintf("resource %s (definition %s, driver %s)", n.UID, n.Definition.ID, n.Definition.Driver)
	drv := opts.Drivers[n.Definition.Driver]
	if drv == nil {
		return paved.Errorf(paved.EINVALID, "%s: unknown driver %q", where, n.Definition.Driver)
	}
	params, err := g.expandParams(n)
	if err != nil {
		return paved.Errorf(paved.EINVALID, "%s: params: %w", where, err)
	}
	var prev map[string]any
	// A state is handed back only to the driver that made it: a new
	// version of a definition that names another driver starts afresh.
	if rs, ok := opts.State.Resources[n.UID]; ok && rs.Definition == n.Definition.ID && (rs.Driver == "" || rs.Driver == n.Definition.Driver) {
		prev = rs.State
	}
	seed := opts.State.Seed
	req := &paved.ResourceRequest{
		UID: n.UID, Name: n.Name, SourceWorkload: n.SourceWorkload,
		Params: params, Metadata: n.Metadata, Definition: n.Definition,
		Context: g.Context, State: prev, Workloads: opts.Workloads,
		Secret: func(name string, length int) string { return DeriveSecret(seed, n.UID, name, length) },
		Log:    func(msg string) { log(string(n.UID) + ": " + msg) },
	}
	res, err := drv.Provision(ctx, req)
	if err != nil {
		// A driver's own errors say what to fix; anything else is internal
		// and stays hidden from users (it is logged by the caller).
		if code := paved.ErrorCode(err); code != paved.EINTERNAL {
			return &paved.Error{Code: code, Message: where + ": " + paved.ErrorMessage(err), Err: err}
		}
		return fmt.Errorf("%s: %w", where, err)
	}
	for k := range res.Outputs {
		if _, ok := n.Definition.Output(k); !ok {
			return paved.Errorf(paved.EINVALID, "%s: the driver returned output %q that the definition does not declare; add it to the definition's outputs (with secret: true if it is one)", where, k)
		}
	}
	n.Outputs, n.State = res.Outputs, res.State
	if n.Outputs == nil {
		n.Outputs = map[string]any{}
	}
	n.Manifests = res.Manifests
	if opts.Provisioned != nil {
		if err := opts.Provisioned(ctx, n); err != nil {
			return fmt.Errorf("%s: recording it: %w", where, err)
		}
	}
	return nil
}

// expandParams substitutes the placeholders in a resource's params with the
// outputs of the resources it depends on. A string that is one placeholder
// alone takes the output's own type (a port stays a number).
func (g *Graph) expandParams(n *Node) (map[string]any, error) {
	if len(n.Params) == 0 {
		return nil, nil
	}
	v, err := g.expandValue(n.SourceWorkload, n.Params, "")
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

func (g *Graph) expandValue(workload string, v any, path string) (any, error) {
	switch t := v.(type) {
	case string:
		if parts, ok := single(t); ok && parts[0] == "resources" {
			val, _, err := g.Lookup(workload, parts)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", strings.TrimPrefix(path, "."), err)
			}
			return val, nil
		}
		s, _, err := g.Expand(workload, t)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", strings.TrimPrefix(path, "."), err)
		}
		return s, nil
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			x, err := g.expandValue(workload, e, path+"."+k)
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			x, err := g.expandValue(workload, e, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	return v, nil
}

// single reports whether s is exactly one placeholder, and its parts.
func single(s string) ([]string, bool) {
	if !strings.HasPrefix(s, "${") || !strings.HasSuffix(s, "}") || strings.Count(s, "${") != 1 || strings.Count(s, "}") != 1 {
		return nil, false
	}
	return score.SplitRef(s[2 : len(s)-1]), true
}

// ProvisionedNodes returns the nodes sorted by UID, for stable listings.
func (g *Graph) ProvisionedNodes() []*Node {
	out := slices.Clone(g.Nodes)
	slices.SortFunc(out, func(a, b *Node) int { return strings.Compare(string(a.UID), string(b.UID)) })
	return out
}
