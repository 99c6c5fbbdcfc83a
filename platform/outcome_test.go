package platform

import (
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

func TestOutcome(t *testing.T) {
	ref := func(kind, name string) paved.ObjectRef {
		return paved.ObjectRef{APIVersion: "apps/v1", Kind: kind, Namespace: "shop-dev", Name: name}
	}
	tests := []struct {
		name     string
		res      paved.ApplyResult
		rollout  paved.RolloutState
		health   paved.HealthStatus
		errWant  string
		reasonIn string
	}{
		{"every workload ready", paved.ApplyResult{Observed: true, Statuses: []paved.ObjectStatus{
			{Ref: ref("Deployment", "web"), State: paved.ObjectReady}, {Ref: ref("Service", "web"), State: paved.ObjectApplied}}},
			paved.RolloutComplete, paved.HealthHealthy, "", "1 workload(s) rolled out"},
		{"nothing to wait for", paved.ApplyResult{Observed: true, Statuses: []paved.ObjectStatus{{Ref: ref("ConfigMap", "c"), State: paved.ObjectApplied}}},
			paved.RolloutApplied, paved.HealthHealthy, "", "no workload to wait for"},
		{"a workload still progressing when the wait ends", paved.ApplyResult{Observed: true, Statuses: []paved.ObjectStatus{
			{Ref: ref("Deployment", "web"), State: paved.ObjectReady},
			{Ref: ref("Deployment", "api"), State: paved.ObjectProgressing, Reason: "not rolled out after 2m0s: 1 of 2 replicas updated"}}},
			"", paved.HealthProgressing, "1 workload(s) did not roll out in time: Deployment/shop-dev/api (not rolled out after 2m0s", "Deployment/shop-dev/api"},
		{"a workload failed", paved.ApplyResult{Observed: true, Statuses: []paved.ObjectStatus{
			{Ref: ref("Deployment", "api"), State: paved.ObjectFailed, Reason: "ProgressDeadlineExceeded"}}},
			"", paved.HealthDegraded, "1 object(s) failed to roll out: Deployment/shop-dev/api (ProgressDeadlineExceeded)", "ProgressDeadlineExceeded"},
		{"a target that did not wait", paved.ApplyResult{Observed: false, Statuses: []paved.ObjectStatus{
			{Ref: ref("Deployment", "api"), State: paved.ObjectProgressing}}},
			paved.RolloutApplied, paved.HealthProgressing, "", "without waiting"},
		{"a target that did not wait, workloads already ready", paved.ApplyResult{Observed: false, Statuses: []paved.ObjectStatus{
			{Ref: ref("Deployment", "api"), State: paved.ObjectReady}}},
			paved.RolloutApplied, paved.HealthUnknown, "", "without watching their rollouts"},
		{"a Git repository", paved.ApplyResult{Observed: false, Committed: true, Revision: "abc123", Statuses: []paved.ObjectStatus{
			{Ref: ref("Deployment", "api"), State: paved.ObjectCommitted}, {Ref: paved.ObjectRef{APIVersion: "v1", Kind: "Secret", Name: "s"}, State: paved.ObjectSealed}}},
			paved.RolloutCommitted, paved.HealthUnknown, "", "committed to revision abc123; paved cannot see"},
	}
	p := &Platform{cfg: Config{Now: testNow}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs []string
			rollout, h, err := p.outcome(&paved.Deployment{ID: "d1"}, &tt.res, func(m string) { logs = append(logs, m) })
			if tt.errWant == "" && err != nil || tt.errWant != "" && (err == nil || !strings.Contains(err.Error(), tt.errWant)) {
				t.Fatalf("error %v, want %q", err, tt.errWant)
			}
			if rollout != tt.rollout || h.Status != tt.health || h.Deployment != "d1" || !strings.Contains(h.Reason, tt.reasonIn) {
				t.Errorf("got %q, health %+v; want %q, %s with %q", rollout, h, tt.rollout, tt.health, tt.reasonIn)
			}
			if len(logs) != 1 || !strings.HasPrefix(logs[0], "target reports: ") {
				t.Errorf("events %q, want one summary", logs)
			}
		})
	}
}

func testNow() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }
