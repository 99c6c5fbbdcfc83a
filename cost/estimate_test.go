package cost

import (
	"strings"
	"testing"

	"paved.dev/paved"
)

var prices = &paved.PriceList{Currency: "USD", VCPUHour: 0.04, MemoryGiBHour: 0.005, StorageGiBMonth: 0.10,
	DefaultCPU: 0.25, DefaultMemory: 0.5,
	Resources: []paved.ResourcePrice{{Type: "postgres", Monthly: 15}, {Type: "postgres", Class: "large", Monthly: 60}, {Definition: "pg-shared", Monthly: 5}}}

func deployment(replicas any, resources map[string]any) paved.Object {
	c := map[string]any{"name": "main", "image": "x:1"}
	if resources != nil {
		c["resources"] = resources
	}
	spec := map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{c}}}}
	if replicas != nil {
		spec["replicas"] = replicas
	}
	return paved.Object{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "web"}, "spec": spec}
}

// TestEstimate against figures computed by hand.
func TestEstimate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		objects []paved.Object
		res     []paved.PlannedResource
		monthly float64
		note    string
	}{
		// 2 × (0.5 × 0.04 + 1 × 0.005) × 730 = 2 × 0.025 × 730 = 36.50
		{"requests", []paved.Object{deployment(2, map[string]any{"requests": map[string]any{"cpu": "500m", "memory": "1Gi"}})}, nil, 36.50, ""},
		// limits where requests are missing: 1 × (2 × 0.04 + 4 × 0.005) × 730 = 0.1 × 730 = 73.00
		{"limits", []paved.Object{deployment(nil, map[string]any{"limits": map[string]any{"cpu": "2", "memory": "4096Mi"}})}, nil, 73.00, ""},
		// defaults: 1 × (0.25 × 0.04 + 0.5 × 0.005) × 730 = 0.0125 × 730 = 9.125 → 9.13
		{"defaults", []paved.Object{deployment(nil, nil)}, nil, 9.13, "1 container(s) without CPU or memory requests or limits"},
		// resources: type 15, type+class 60, definition 5, unpriced 0
		{"resources", nil, []paved.PlannedResource{
			{UID: "postgres.default#api.db", Definition: paved.DefinitionRef{ID: "default-postgres"}},
			{UID: "postgres.large#api.big", Definition: paved.DefinitionRef{ID: "pg-big"}},
			{UID: "postgres.default#web.db", Definition: paved.DefinitionRef{ID: "pg-shared"}},
			{UID: "redis.default#web.cache", Definition: paved.DefinitionRef{ID: "default-redis"}},
			{UID: "postgres.default#old.db", Action: paved.PlanOrphan, Definition: paved.DefinitionRef{ID: "default-postgres"}},
		}, 80, "1 resource(s) with no price"},
		// a StatefulSet of 3 with 10 GiB each: 3 × 10 × 0.10 = 3.00 storage, plus 3 × (0.25 × 0.04 + 0.5 × 0.005) × 730 = 27.375 → 27.38
		{"storage", []paved.Object{{"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": map[string]any{"name": "db"}, "spec": map[string]any{
			"replicas": 3, "template": map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"name": "pg"}}}},
			"volumeClaimTemplates": []any{map[string]any{"spec": map[string]any{"resources": map[string]any{"requests": map[string]any{"storage": "10Gi"}}}}},
		}}}, nil, 30.38, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := Estimate(prices, tc.objects, tc.res)
			if e.Monthly != tc.monthly || !e.Estimate || e.Currency != "USD" {
				t.Errorf("monthly %v, want %v: %+v", e.Monthly, tc.monthly, e.Items)
			}
			if tc.note != "" && !strings.Contains(strings.Join(e.Notes, "; "), tc.note) {
				t.Errorf("notes %q lack %q", e.Notes, tc.note)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		pl   paved.PriceList
		want string
	}{
		{paved.PriceList{VCPUHour: 1}, "currency"},
		{paved.PriceList{Currency: "USD", VCPUHour: -1}, "vcpu_hour: -1"},
		{paved.PriceList{Currency: "USD"}, "every price is missing"},
		{paved.PriceList{Currency: "USD", Resources: []paved.ResourcePrice{{Monthly: 3}}}, "resources[0]"},
		{paved.PriceList{Currency: "USD", Resources: []paved.ResourcePrice{{Type: "redis", Monthly: -2}}}, "resources[0].monthly"},
	} {
		if err := Check(&tc.pl); paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.pl, err, tc.want)
		}
	}
	if err := Check(prices); err != nil {
		t.Errorf("a good price list: %v", err)
	}
}
