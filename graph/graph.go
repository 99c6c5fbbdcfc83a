package graph

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"paved.dev/paved"
	"paved.dev/paved/definition"
	"paved.dev/paved/score"
)

// Node is one resource of the graph.
type Node struct {
	UID paved.ResourceUID
	// Name is the resource's name in SourceWorkload, the first workload (by
	// name) that declares it.
	Name           string
	SourceWorkload string
	Params         map[string]any
	Metadata       map[string]any
	Definition     *paved.ResourceDefinition
	// Deps are the resources whose outputs Params use, sorted.
	Deps []paved.ResourceUID

	// Set by Provision.
	Outputs   map[string]any
	State     map[string]any
	Manifests []map[string]any
}

// Graph is the resources of a deployment in provisioning order.
type Graph struct {
	// Nodes lists every resource, dependencies first, ties by UID.
	Nodes   []*Node
	Context paved.DeployContext
	byUID   map[paved.ResourceUID]*Node
	// refs maps a workload's resource names to nodes.
	refs      map[string]map[string]*Node
	workloads map[string]*score.Workload
	// levels holds the index in Nodes where each dependency level starts:
	// the nodes of one level do not depend on each other.
	levels []int
}

// Node returns the resource with the given identity.
func (g *Graph) Node(uid paved.ResourceUID) *Node { return g.byUID[uid] }

// Resource returns the node behind a workload's resource name.
func (g *Graph) Resource(workload, name string) *Node { return g.refs[workload][name] }

// Build collects the workloads' resources, matches definitions, checks every
// placeholder against the declared outputs and orders the graph.
func Build(workloads []*score.Workload, defs definition.Matcher, dc paved.DeployContext) (*Graph, error) {
	g := &Graph{
		Context:   dc,
		byUID:     map[paved.ResourceUID]*Node{},
		refs:      map[string]map[string]*Node{},
		workloads: map[string]*score.Workload{},
	}
	sorted := slices.Clone(workloads)
	slices.SortFunc(sorted, func(a, b *score.Workload) int { return strings.Compare(a.Name, b.Name) })
	for i, w := range sorted {
		if i > 0 && sorted[i-1].Name == w.Name {
			return nil, paved.Errorf(paved.EINVALID, "%s: workload %q is also defined in %s; workload names must be unique in an app", w.Path, w.Name, sorted[i-1].Path)
		}
		g.workloads[w.Name] = w
		g.refs[w.Name] = map[string]*Node{}
		for _, rname := range slices.Sorted(maps.Keys(w.Spec.Resources)) {
			if err := g.add(w, rname); err != nil {
				return nil, err
			}
		}
	}
	if err := g.checkSharedIDs(); err != nil {
		return nil, err
	}
	for _, n := range g.byUID {
		def, err := defs.Match(definition.Want{Type: n.UID.Type(), Class: n.UID.Class(), ResID: n.UID.ID(), Context: dc})
		if err != nil {
			return nil, fmt.Errorf("%s: resources.%s: %w", g.workloads[n.SourceWorkload].Path, n.Name, err)
		}
		n.Definition = def
	}
	if err := g.link(sorted); err != nil {
		return nil, err
	}
	if err := g.order(); err != nil {
		return nil, err
	}
	return g, nil
}

// checkSharedIDs refuses a shared id written like a private resource's
// identity ("api.db"): it would be the same resource as workload api's db,
// and let one workload read another's outputs.
func (g *Graph) checkSharedIDs() error {
	for _, w := range g.workloads {
		for _, rname := range slices.Sorted(maps.Keys(w.Spec.Resources)) {
			r := w.Spec.Resources[rname]
			if r.Id == nil {
				continue
			}
			if owner, res, ok := strings.Cut(*r.Id, "."); ok {
				if other, exists := g.workloads[owner]; exists {
					if _, declared := other.Spec.Resources[res]; declared || owner != w.Name {
						return paved.Errorf(paved.EINVALID, "%s: resources.%s.id: %q reads as resource %s of workload %s; a shared id must not start with a workload's name and a dot", w.Path, rname, *r.Id, res, owner)
					}
				}
			}
		}
	}
	return nil
}

func (g *Graph) add(w *score.Workload, rname string) error {
	r := w.Spec.Resources[rname]
	var class, id string
	if r.Class != nil {
		class = *r.Class
	}
	if r.Id != nil {
		id = *r.Id
	}
	uid := paved.NewResourceUID(w.Name, rname, r.Type, class, id)
	n, ok := g.byUID[uid]
	if !ok {
		n = &Node{UID: uid, Name: rname, SourceWorkload: w.Name, Params: r.Params, Metadata: r.Metadata}
		g.byUID[uid] = n
	} else {
		// A resource shared by id: every declaration must agree on params.
		if len(r.Params) > 0 && len(n.Params) > 0 && !reflect.DeepEqual(map[string]any(r.Params), n.Params) {
			return paved.Errorf(paved.EINVALID, "%s: resources.%s.params: resource %s is also declared by workload %s with other params; shared resources take their params from one place", w.Path, rname, uid, n.SourceWorkload)
		}
		if len(n.Params) == 0 {
			n.Params = r.Params
		}
		if len(n.Metadata) == 0 {
			n.Metadata = r.Metadata
		}
	}
	g.refs[w.Name][rname] = n
	return nil
}

// link records which resources each resource's params depend on and checks
// every placeholder of every workload against the declared outputs.
func (g *Graph) link(workloads []*score.Workload) error {
	for _, w := range workloads {
		var errs []string
		check := func(path, s string) {
			refs, err := score.Refs(s)
			if err != nil {
				errs = append(errs, path+": "+err.Error())
				return
			}
			for _, parts := range refs {
				if parts[0] != "resources" || len(parts) < 2 {
					continue
				}
				dep := g.refs[w.Name][parts[1]]
				inParams := strings.HasPrefix(path, "resources.")
				if len(parts) > 2 {
					o, ok := dep.Definition.Output(parts[2])
					if !ok {
						errs = append(errs, fmt.Sprintf("%s: unknown output %q of resource %s (%s); %s", path, parts[2], parts[1], dep.UID, outputsList(dep.Definition)))
					}
					if ok && o.Secret && inParams {
						errs = append(errs, fmt.Sprintf("%s: %s is a secret output; resource params may not use secret outputs, since a driver may write its params into objects that are not Secrets", path, score.JoinRef(parts)))
					}
				} else if inParams && hasSecret(dep.Definition) {
					errs = append(errs, fmt.Sprintf("%s: %s holds secret outputs; resource params may use only non-secret outputs, one by one", path, score.JoinRef(parts)))
				}
				if inParams {
					owner := g.refs[w.Name][strings.SplitN(path, ".", 3)[1]]
					if !slices.Contains(owner.Deps, dep.UID) {
						owner.Deps = append(owner.Deps, dep.UID)
					}
				}
			}
		}
		forEachString(w, check)
		if len(errs) > 0 {
			return paved.Errorf(paved.EINVALID, "%s: %s", w.Path, strings.Join(errs, "\n"))
		}
	}
	for _, n := range g.byUID {
		slices.Sort(n.Deps)
	}
	return nil
}

func hasSecret(d *paved.ResourceDefinition) bool {
	for _, o := range d.Outputs {
		if o.Secret {
			return true
		}
	}
	return false
}

func outputsList(d *paved.ResourceDefinition) string {
	if len(d.Outputs) == 0 {
		return fmt.Sprintf("definition %s declares no outputs", d.ID)
	}
	names := make([]string, len(d.Outputs))
	for i, o := range d.Outputs {
		names[i] = o.Name
	}
	return fmt.Sprintf("definition %s declares %s", d.ID, strings.Join(names, ", "))
}

// forEachString calls f with every string of a workload that may hold
// placeholders, and its spec path.
func forEachString(w *score.Workload, f func(path, s string)) {
	spec := &w.Spec
	for _, cname := range slices.Sorted(maps.Keys(spec.Containers)) {
		c := spec.Containers[cname]
		for _, k := range slices.Sorted(maps.Keys(c.Variables)) {
			f("containers."+cname+".variables."+k, c.Variables[k])
		}
		for _, k := range slices.Sorted(maps.Keys(c.Files)) {
			if fl := c.Files[k]; fl.Content != nil && (fl.NoExpand == nil || !*fl.NoExpand) {
				f("containers."+cname+".files."+k+".content", *fl.Content)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(c.Volumes)) {
			f("containers."+cname+".volumes."+k+".source", c.Volumes[k].Source)
		}
	}
	for _, rname := range slices.Sorted(maps.Keys(spec.Resources)) {
		walkStrings(map[string]any(spec.Resources[rname].Params), "resources."+rname+".params", f)
	}
}

func walkStrings(v any, path string, f func(path, s string)) {
	switch t := v.(type) {
	case string:
		f(path, t)
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			walkStrings(t[k], path+"."+k, f)
		}
	case []any:
		for i, e := range t {
			walkStrings(e, fmt.Sprintf("%s[%d]", path, i), f)
		}
	}
}
