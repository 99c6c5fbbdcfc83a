// Package cost estimates what a deployment costs by the month from a
// price list: its containers' CPU and memory (requests, else limits, else
// the list's defaults) times replicas, its volumes' storage, and its
// resources' monthly prices. Estimates, never bills.
package cost

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	"paved.dev/paved"
)

const gib = 1 << 30

// Check refuses a price list with a missing or negative price, naming the
// field.
func Check(pl *paved.PriceList) error {
	if strings.TrimSpace(pl.Currency) == "" {
		return paved.Errorf(paved.EINVALID, "currency: missing; give the currency of the prices, such as USD")
	}
	for name, v := range map[string]float64{"vcpu_hour": pl.VCPUHour, "memory_gib_hour": pl.MemoryGiBHour, "storage_gib_month": pl.StorageGiBMonth,
		"default_cpu": pl.DefaultCPU, "default_memory_gib": pl.DefaultMemory} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return paved.Errorf(paved.EINVALID, "%s: %v is not a price; give zero or more", name, v)
		}
	}
	if pl.VCPUHour == 0 && pl.MemoryGiBHour == 0 && len(pl.Resources) == 0 {
		return paved.Errorf(paved.EINVALID, "vcpu_hour, memory_gib_hour, resources: every price is missing; give at least one")
	}
	for i, r := range pl.Resources {
		switch {
		case r.Type == "" && r.Definition == "":
			return paved.Errorf(paved.EINVALID, "resources[%d]: give the type (and class) or the definition it prices", i)
		case r.Monthly < 0 || math.IsNaN(r.Monthly) || math.IsInf(r.Monthly, 0):
			return paved.Errorf(paved.EINVALID, "resources[%d].monthly: %v is not a price; give zero or more", i, r.Monthly)
		}
	}
	return nil
}

// Estimate is what objects and resources cost by the month.
func Estimate(pl *paved.PriceList, objects []paved.Object, resources []paved.PlannedResource) *paved.CostEstimate {
	e := &paved.CostEstimate{Currency: pl.Currency, Estimate: true, Items: []paved.CostItem{}}
	defaults, daemonSets := 0, 0
	for _, o := range objects {
		kind, _ := o["kind"].(string)
		spec, _ := o["spec"].(map[string]any)
		ref := o.Ref()
		switch kind {
		case "Deployment", "StatefulSet", "DaemonSet":
			replicas := 1.0
			if r, ok := number(spec["replicas"]); ok {
				replicas = r
			}
			if kind == "DaemonSet" {
				daemonSets++ // one pod per node, and the nodes are not known
			}
			tpl, _ := spec["template"].(map[string]any)
			pod, _ := tpl["spec"].(map[string]any)
			cpu, mem, n := podSize(pl, pod)
			defaults += n
			monthly := replicas * (cpu*pl.VCPUHour + mem*pl.MemoryGiBHour) * paved.HoursPerMonth
			add(e, fmt.Sprintf("%s/%s: %g × (%.3g vCPU, %.3g GiB)", kind, ref.Name, replicas, cpu, mem), monthly)
			if kind == "StatefulSet" {
				for _, c := range list(spec["volumeClaimTemplates"]) {
					if size := claimGiB(c); size > 0 {
						add(e, fmt.Sprintf("%s/%s: %g × %.3g GiB of storage", kind, ref.Name, replicas, size), replicas*size*pl.StorageGiBMonth)
					}
				}
			}
		case "PersistentVolumeClaim":
			if size := claimGiB(map[string]any(o)); size > 0 {
				add(e, fmt.Sprintf("PersistentVolumeClaim/%s: %.3g GiB of storage", ref.Name, size), size*pl.StorageGiBMonth)
			}
		}
	}
	unpriced := 0
	for _, r := range resources {
		if r.Action == paved.PlanOrphan {
			continue
		}
		p, ok := price(pl, r)
		if !ok {
			unpriced++
			continue
		}
		add(e, fmt.Sprintf("resource %s (%s)", r.UID, r.Definition.ID), p)
	}
	if defaults > 0 {
		e.Notes = append(e.Notes, fmt.Sprintf("%d container(s) without CPU or memory requests or limits counted at the defaults (%g vCPU, %g GiB) for what they lack", defaults, pl.DefaultCPU, pl.DefaultMemory))
	}
	if daemonSets > 0 {
		e.Notes = append(e.Notes, fmt.Sprintf("%d DaemonSet(s) counted as one pod each: the number of nodes is not known", daemonSets))
	}
	if unpriced > 0 {
		e.Notes = append(e.Notes, fmt.Sprintf("%d resource(s) with no price in the price list counted as 0", unpriced))
	}
	e.Monthly = round(e.Monthly)
	return e
}

// add puts a line on an estimate, rounded to cents.
func add(e *paved.CostEstimate, what string, monthly float64) {
	monthly = round(monthly)
	e.Items = append(e.Items, paved.CostItem{What: what, Monthly: monthly})
	e.Monthly += monthly
}

// price is a resource's monthly price: by definition, else by type and
// class, else by type.
func price(pl *paved.PriceList, r paved.PlannedResource) (float64, bool) {
	head, _, _ := strings.Cut(string(r.UID), "#")
	typ, class, _ := strings.Cut(head, ".")
	best, rank := 0.0, 0
	for _, p := range pl.Resources {
		switch {
		case p.Definition != "" && p.Definition == r.Definition.ID && rank < 3:
			best, rank = p.Monthly, 3
		case p.Definition == "" && p.Type == typ && p.Class != "" && p.Class == class && rank < 2:
			best, rank = p.Monthly, 2
		case p.Definition == "" && p.Type == typ && p.Class == "" && rank < 1:
			best, rank = p.Monthly, 1
		}
	}
	return best, rank > 0
}

// podSize is a pod's CPU (vCPU) and memory (GiB), and how many containers
// were counted at the list's defaults.
func podSize(pl *paved.PriceList, pod map[string]any) (cpu, mem float64, defaults int) {
	for _, c := range list(pod["containers"]) {
		res, _ := c["resources"].(map[string]any)
		req, _ := res["requests"].(map[string]any)
		lim, _ := res["limits"].(map[string]any)
		cc, okc := quantity(req["cpu"], lim["cpu"])
		mm, okm := quantity(req["memory"], lim["memory"])
		if !okc {
			cc = pl.DefaultCPU
		}
		if okm {
			mm /= gib
		} else {
			mm = pl.DefaultMemory
		}
		if !okc || !okm {
			defaults++
		}
		cpu += cc
		mem += mm
	}
	return cpu, mem, defaults
}

// quantity reads the first Kubernetes quantity given ("250m", "1Gi").
func quantity(vs ...any) (float64, bool) {
	for _, v := range vs {
		s, ok := v.(string)
		if !ok {
			if n, ok := number(v); ok {
				return n, true
			}
			continue
		}
		q, err := resource.ParseQuantity(s)
		if err == nil {
			return q.AsApproximateFloat64(), true
		}
	}
	return 0, false
}

func claimGiB(c map[string]any) float64 {
	spec, _ := c["spec"].(map[string]any)
	res, _ := spec["resources"].(map[string]any)
	req, _ := res["requests"].(map[string]any)
	b, ok := quantity(req["storage"])
	if !ok {
		return 0
	}
	return b / gib
}

func list(v any) []map[string]any {
	var out []map[string]any
	xs, _ := v.([]any)
	for _, x := range xs {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

func round(v float64) float64 { return math.Round(v*100) / 100 }
