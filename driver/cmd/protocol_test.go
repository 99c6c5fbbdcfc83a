package cmd

import (
	"context"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/scorek8s"
)

// TestInputFields: the input holds score-k8s' fields under their names, plus
// paved's, and nothing else; a service carries score-k8s' "ServiceName".
func TestInputFields(t *testing.T) {
	t.Parallel()
	// The JSON names of score-k8s' provisioners.Input
	// (internal/provisioners/core.go), and paved's additions.
	scoreK8sInputFields := []string{"resource_guid", "resource_uid", "resource_type", "resource_class", "resource_id", "resource_params", "resource_metadata",
		"source_workload", "workload_metadata", "workload_services", "namespace", "resource_state", "shared_state"}
	pavedInputFields := []string{"mode", "app", "env", "env_type"}
	var logs []string
	req := request(t, map[string]any{"program": "x"}, &logs)
	own, shared := scorek8s.SplitState(nil)
	b, err := json.Marshal(newInput(req, ModeProvision, own, shared))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(maps.Keys(doc))
	want := slices.Sorted(slices.Values(append(slices.Clone(scoreK8sInputFields), pavedInputFields...)))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("input fields = %q, want %q", got, want)
	}
	for k, want := range map[string]any{
		// score-k8s starts every resource's state and the shared state as {}.
		"resource_state":    map[string]any{},
		"shared_state":      map[string]any{},
		"workload_metadata": map[string]any{"name": "web"},
		"workload_services": map[string]any{"web": map[string]any{
			"ServiceName": "web", "service_name": "web",
			"ports": map[string]any{
				"http": map[string]any{"name": "http", "port": float64(80), "target_port": float64(8080), "protocol": "TCP"},
				"80":   map[string]any{"name": "http", "port": float64(80), "target_port": float64(8080), "protocol": "TCP"},
			},
		}},
	} {
		if !reflect.DeepEqual(doc[k], want) {
			t.Errorf("%s = %v, want %v", k, doc[k], want)
		}
	}
}

// TestWorkloadServiceDefaults: score-k8s' defaults for a port that gives no
// target port or protocol.
func TestWorkloadServiceDefaults(t *testing.T) {
	t.Parallel()
	got := scorek8s.WorkloadServices(map[string]paved.WorkloadInfo{"db": {Name: "db", ServiceName: "db-svc", Ports: []paved.Port{{Name: "pg", Port: 5432}}}})
	p := scorek8s.ServicePort{Name: "pg", Port: 5432, TargetPort: 5432, Protocol: "TCP"}
	want := map[string]scorek8s.NetworkService{"db": {ServiceName: "db-svc", ServiceNameSnake: "db-svc", Ports: map[string]scorek8s.ServicePort{"pg": p, "5432": p}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("workload services = %+v, want %+v", got, want)
	}
}

// TestScoreK8sProgramRunsUnchanged runs a program written for score-k8s
// alone: its outputs, its secret reference, its state and its shared state
// work as they would there.
func TestScoreK8sProgramRunsUnchanged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var logs []string
	req := request(t, map[string]any{"uri": "cmd://./testdata/scorek8s.sh#s3"}, &logs)
	req.Definition.Outputs = []paved.OutputSpec{{Name: "host"}, {Name: "id"}, {Name: "password", Secret: true}}
	d := New(nil)

	for run := 1; run <= 2; run++ {
		res, err := d.Provision(ctx, req)
		if err != nil {
			t.Fatalf("run %d: Provision: %v", run, err)
		}
		want := map[string]any{"host": "web.shop-dev.svc", "id": "web.bucket", "password": "s3cr3t-pw"}
		if !reflect.DeepEqual(res.Outputs, want) {
			t.Errorf("run %d: outputs = %v, want %v", run, res.Outputs, want)
		}
		wantState := map[string]any{"runs": float64(run), scorek8s.SharedStateKey: map[string]any{"total": float64(run)}}
		if !reflect.DeepEqual(res.State, wantState) {
			t.Errorf("run %d: state = %v, want %v", run, res.State, wantState)
		}
		if len(res.Manifests) != 1 || res.Manifests[0]["kind"] != "Secret" {
			t.Errorf("run %d: manifests = %v, want the program's Secret", run, res.Manifests)
		}
		req.State = res.State
	}
	if want := "cmd: scorek8s.sh#s3: provisioning web.bucket in shop-dev (run 2)"; len(logs) != 2 || logs[1] != want {
		t.Errorf("logs = %q, want the second %q", logs, want)
	}
}
