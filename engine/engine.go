// Package engine runs paved's core pipeline: load Score workloads, build the
// resource graph with the definitions in force, provision the resources
// through their drivers, and render Kubernetes objects. The CLI's render
// command and the server's deployments both call it.
package engine

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"paved.dev/paved"
	"paved.dev/paved/definition"
	"paved.dev/paved/graph"
	"paved.dev/paved/render"
	"paved.dev/paved/score"
	"paved.dev/paved/scorek8s"
)

// Engine holds what is costly to build once: the compiled Score schema, the
// drivers and the parsed built-in definitions. It knows no driver by name:
// the composition root registers them and hands them over.
type Engine struct {
	Loader  *score.Loader
	Drivers definition.Drivers
	Builtin []paved.ResourceDefinition
}

// New returns an engine over the given drivers (a registry's) with the
// built-in definitions; those that name a driver the engine lacks are left
// out.
func New(drivers definition.Drivers) (*Engine, error) {
	l, err := score.NewLoader()
	if err != nil {
		return nil, err
	}
	builtin, err := definition.Defaults()
	if err != nil {
		return nil, fmt.Errorf("built-in definitions: %w", err)
	}
	usable := builtin[:0:0]
	for _, d := range builtin {
		if _, ok := drivers[d.Driver]; ok {
			usable = append(usable, d)
		}
	}
	return &Engine{Loader: l, Drivers: drivers, Builtin: usable}, nil
}

// Source is one Score spec to load.
type Source struct {
	// Path names the spec in errors; with Data nil the file is read from it.
	Path string
	Data []byte
	// BaseDir resolves side files; "" refuses them (specs sent to a server).
	BaseDir string
}

// Request is one run of the pipeline.
type Request struct {
	Sources     []Source
	Workloads   []*score.Workload // already loaded specs, used as they are
	Options     score.Options
	Definitions []paved.ResourceDefinition
	// NoBuiltin leaves the built-in definitions out.
	NoBuiltin bool
	Context   paved.DeployContext
	State     *graph.State
	Log       func(msg string)
	// Drivers replaces the engine's drivers for this run (a plan runs
	// drivers that create things outside the cluster in a dry mode).
	Drivers definition.Drivers
	// Matcher, when set, decides each resource's definition instead of the
	// definitions' criteria: a deployment runs the definitions its plan
	// pinned.
	Matcher definition.Matcher
	// Patches are score-k8s patch templates applied, in order, to the
	// rendered objects (render.Patch).
	Patches []*scorek8s.PatchTemplate
	// Provisioned, when set, records each resource as soon as it is
	// provisioned (see graph.ProvisionOptions).
	Provisioned func(ctx context.Context, n *graph.Node) error
}

// Result is what a run produced.
type Result struct {
	Workloads []*score.Workload
	Graph     *graph.Graph
	Objects   []paved.Object
	State     *graph.State
}

// Load reads the sources in parallel, keeping their order.
func (e *Engine) Load(sources []Source, opts score.Options) ([]*score.Workload, error) {
	out := make([]*score.Workload, len(sources))
	errs := make([]error, len(sources))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, s := range sources {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if s.Data == nil {
				out[i], errs[i] = e.Loader.LoadFile(s.Path, opts)
			} else {
				out[i], errs[i] = e.Loader.Load(s.Path, s.Data, s.BaseDir, opts)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Run loads, resolves, provisions and renders. When provisioning fails part
// way, it returns the error and a Result without objects whose Graph has the
// outputs of the resources provisioned before the failure.
func (e *Engine) Run(ctx context.Context, req Request) (*Result, error) {
	if req.Context.Namespace == "" && req.Context.App != "" && req.Context.Env != "" {
		req.Context.Namespace = paved.Namespace(req.Context.App, req.Context.Env)
	}
	if err := ValidateContext(req.Context); err != nil {
		return nil, err
	}
	workloads, err := e.Load(req.Sources, req.Options)
	if err != nil {
		return nil, err
	}
	workloads = append(workloads, req.Workloads...)
	if len(workloads) == 0 {
		return nil, paved.Errorf(paved.EINVALID, "no workloads: give at least one Score file")
	}
	var builtin []paved.ResourceDefinition
	if !req.NoBuiltin {
		builtin = e.Builtin
	}
	drivers := e.Drivers
	if req.Drivers != nil {
		drivers = req.Drivers
	}
	var m definition.Matcher = req.Matcher
	if m == nil {
		set, err := definition.NewSet(drivers, builtin, req.Definitions)
		if err != nil {
			return nil, err
		}
		m = set
	}
	g, err := graph.Build(workloads, m, req.Context)
	if err != nil {
		return nil, err
	}
	st := req.State
	if st == nil {
		st = graph.NewState()
	}
	err = g.Provision(ctx, graph.ProvisionOptions{
		Drivers:     drivers,
		State:       st,
		Workloads:   render.WorkloadInfos(workloads),
		Log:         req.Log,
		Provisioned: req.Provisioned,
	})
	if err != nil {
		// The partial graph tells the caller what was provisioned.
		return &Result{Workloads: workloads, Graph: g, State: st}, err
	}
	objs, err := render.Render(g, workloads)
	if err != nil {
		return nil, err
	}
	if objs, err = render.Patch(objs, g, workloads, req.Patches); err != nil {
		return nil, err
	}
	return &Result{Workloads: workloads, Graph: g, Objects: objs, State: st}, nil
}
