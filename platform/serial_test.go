package platform

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"paved.dev/paved"
)

// TestDeleteWaitsForTheRunningDeployment: deleting an environment while a
// deployment of it runs waits for that deployment, then removes everything:
// nothing the deployment wrote survives in the target.
func TestDeleteWaitsForTheRunningDeployment(t *testing.T) {
	f := newFixture(t)
	slow := filepath.Join(f.dir, "slow.sh")
	must(t, os.WriteFile(slow, []byte("#!/bin/sh\ncat >/dev/null\nsleep 1\necho '{\"resource_outputs\": {\"host\": \"h\", \"port\": 6379, \"username\": \"u\", \"password\": \"p\"}}'\n"), 0o755))
	_, err := f.p.ApplyDefinitions(f.admin, []paved.ResourceDefinition{{ID: "slow-redis", Type: "redis", Driver: "cmd", Inputs: map[string]any{"program": slow},
		Outputs: []paved.OutputSpec{{Name: "host"}, {Name: "port"}, {Name: "username"}, {Name: "password", Secret: true}}}})
	must(t, err)
	d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()})
	must(t, err)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		got, _ := f.p.GetDeployment(f.dev, d.ID)
		if got.Status == paved.DeploymentRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the deployment did not start: %s", got.Status)
		}
	}
	if _, err := f.p.DeleteEnvironment(f.dev, "shop", "dev", paved.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	got, _ := f.p.GetDeployment(f.dev, d.ID)
	if got.Status == paved.DeploymentRunning || got.Status == paved.DeploymentQueued {
		t.Fatalf("the environment was deleted while its deployment was %s", got.Status)
	}
	if _, err := os.Stat(filepath.Join(f.gitPath, "dev", "shop")); err == nil {
		t.Errorf("the deployment's objects survived the environment's deletion in Git")
	}
	if rs, _ := f.store.ListResources(f.admin, paved.ResourceFilter{App: "shop", Env: "dev"}); len(rs) != 0 {
		t.Errorf("%d resources survived the environment's deletion", len(rs))
	}
}
