package portal

import (
	"html/template"

	"paved.dev/paved"
)

// resourceGraph draws what a deployment's plan resolved: each workload
// points at the resources it declares, each resource at those it depends
// on (its placeholders name them).
func resourceGraph(d *paved.Deployment, specs []workload) template.HTML {
	if d.Plan == nil {
		return ""
	}
	var nodes []GraphNode
	workloads := map[string]*GraphNode{}
	for _, r := range d.Plan.Resources {
		if r.Action == paved.PlanOrphan {
			continue
		}
		n := GraphNode{ID: string(r.UID), Label: string(r.UID), Kind: "resource", Sublabel: r.Definition.String()}
		for _, dep := range r.DependsOn {
			n.DependsOn = append(n.DependsOn, string(dep))
		}
		nodes = append(nodes, n)
		if w := workloadOfUID(r.UID); w != "" {
			if workloads[w] == nil {
				workloads[w] = &GraphNode{ID: "workload:" + w, Label: w, Kind: "workload", Sublabel: "workload"}
			}
			workloads[w].DependsOn = append(workloads[w].DependsOn, string(r.UID))
		}
	}
	for _, w := range specs {
		if workloads[w.Name] == nil {
			workloads[w.Name] = &GraphNode{ID: "workload:" + w.Name, Label: w.Name, Kind: "workload", Sublabel: "workload"}
		}
	}
	for _, name := range sortedKeys(workloads) {
		nodes = append(nodes, *workloads[name])
	}
	return GraphSVG("Resource graph of "+d.App+"/"+d.Env+" as of "+d.ID, nodes)
}
