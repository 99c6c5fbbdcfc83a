package render

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"paved.dev/paved"
	"paved.dev/paved/graph"
	"paved.dev/paved/score"
)

// Render returns every object of a deployment, in apply order: the
// namespace, each workload's objects and the resources' manifests.
func Render(g *graph.Graph, workloads []*score.Workload) ([]paved.Object, error) {
	dc := g.Context
	common := commonLabels(dc)
	ns := paved.Object{
		"apiVersion": "v1",
		"kind":       "Namespace",
		"metadata":   map[string]any{"name": dc.Namespace},
	}
	setLabels(ns, common)
	if dc.Team != "" {
		setLabels(ns, map[string]string{LabelTeam: dc.Team})
	}

	// Workloads render in parallel; each writes only its own slot.
	perWorkload := make([][]paved.Object, len(workloads))
	errs := make([]error, len(workloads))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, w := range workloads {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			objs, err := renderWorkload(g, w)
			if err != nil {
				errs[i] = paved.Errorf(paved.EINVALID, "%s: %w", w.Path, err)
				return
			}
			perWorkload[i] = objs
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	objs := []paved.Object{ns}
	for _, o := range perWorkload {
		objs = append(objs, o...)
	}
	for _, n := range g.Nodes {
		for _, m := range n.Manifests {
			o := paved.Object(deepCopy(m).(map[string]any))
			md := meta(o)
			if kind, _ := o["kind"].(string); !ClusterScoped(kind) {
				md["namespace"] = dc.Namespace
			}
			if _, ok := md["annotations"]; !ok {
				md["annotations"] = map[string]any{AnnotationResource: string(n.UID)}
			}
			objs = append(objs, o)
		}
	}
	for _, o := range objs {
		setLabels(o, common)
	}
	Sort(objs)
	return unique(objs, g, nil)
}

// commonLabels are the labels of every object of an environment.
func commonLabels(dc paved.DeployContext) map[string]string {
	return map[string]string{
		"app.kubernetes.io/part-of":    dc.App,
		"app.kubernetes.io/managed-by": "paved",
		LabelApp:                       dc.App,
		LabelEnv:                       dc.Env,
	}
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// WorkloadInfos describes the workloads for the drivers: service name and
// ports.
func WorkloadInfos(workloads []*score.Workload) map[string]paved.WorkloadInfo {
	out := make(map[string]paved.WorkloadInfo, len(workloads))
	for _, w := range workloads {
		info := paved.WorkloadInfo{Name: w.Name, ServiceName: w.Name, Metadata: map[string]any(w.Spec.Metadata)}
		if w.Spec.Service != nil {
			for _, name := range sortedKeys(w.Spec.Service.Ports) {
				p := w.Spec.Service.Ports[name]
				info.Ports = append(info.Ports, servicePort(name, p.Port, p.TargetPort, (*string)(p.Protocol)))
			}
		}
		out[w.Name] = info
	}
	return out
}

func servicePort(name string, port int, target *int, proto *string) paved.Port {
	p := paved.Port{Name: name, Port: port, TargetPort: port, Protocol: "TCP"}
	if target != nil {
		p.TargetPort = *target
	}
	if proto != nil && *proto != "" {
		p.Protocol = strings.ToUpper(*proto)
	}
	return p
}

// errList joins errors of one workload, sorted for a stable message.
func errList(errs []string) error {
	slices.Sort(errs)
	return fmt.Errorf("%s", strings.Join(errs, "\n"))
}
