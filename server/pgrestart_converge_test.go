package server

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"paved.dev/paved"
	"paved.dev/paved/api"
)

// lastSuccessConverges waits until, for each environment, the remote holds
// the objects of its last successful deployment, with the api Deployment
// running that deployment's image, and the environment holds every
// resource that deployment's plan uses, active (resourcesOfLastSuccess);
// it returns how long that took. A deployment failed part way (by its
// runner, the sweep or the orphan check) is ended first and its
// environment brought back after, so the remote and the resources may lag
// the store for a moment; a mismatch that lasts 15 s fails the test. It
// returns 0 when the first look found them right.
func lastSuccessConverges(t *testing.T, c *api.Client, remote string, envs []string, when string) time.Duration {
	t.Helper()
	start := time.Now()
	for look := 1; ; look++ {
		mismatches := lastSuccessMismatches(t, c, remote, envs)
		switch {
		case len(mismatches) == 0 && look == 1:
			return 0
		case len(mismatches) == 0:
			return time.Since(start)
		}
		if time.Since(start) > 15*time.Second {
			for _, m := range mismatches {
				t.Errorf("%s, %v after the deployments ended: %s", when, time.Since(start).Round(time.Millisecond), m)
			}
			return time.Since(start)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// lastSuccessMismatches says where a fresh clone of the remote, or the
// environment's resources, differ from each environment's last successful
// deployment.
func lastSuccessMismatches(t *testing.T, c *api.Client, remote string, envs []string) []string {
	t.Helper()
	ctx := context.Background()
	clone := t.TempDir()
	_, err := git.PlainClone(clone, false, &git.CloneOptions{URL: remote, ReferenceName: plumbing.NewBranchReferenceName("main")})
	must(t, err)
	var out []string
	for _, e := range envs {
		ok, err := c.ListDeployments(ctx, paved.DeploymentFilter{App: "shop", Env: e, Statuses: []paved.DeploymentStatus{paved.DeploymentSucceeded}, Limit: 1000})
		must(t, err)
		if len(ok) == 0 {
			t.Fatalf("%s has no successful deployment", e)
		}
		last := slices.MaxFunc(ok, func(a, b paved.Deployment) int { return a.FinishedAt.Compare(*b.FinishedAt) })
		full, err := c.GetDeployment(ctx, last.ID)
		must(t, err)
		refs, images := repoHolds(t, clone, &paved.Environment{App: "shop", Name: e, Type: paved.EnvDevelopment, Namespace: "shop-" + e})
		if got, want := refStrings(refs), refStrings(full.Inventory); !slices.Equal(got, want) {
			out = append(out, fmt.Sprintf("the Git remote's %s holds %v,\nits last successful deployment (%s) %v", e, got, full.ID, want))
		}
		if want := specImages(t, full); !images.equal(want) {
			out = append(out, fmt.Sprintf("the Git remote's %s workloads run %v, its last successful deployment's (%s) %v", e, images, full.ID, want))
		}
		out = append(out, resourcesOfLastSuccess(t, c, full)...)
	}
	return out
}

// resourcesOfLastSuccess: an environment holds every resource its last
// successful deployment d's plan uses, active, of the definition and
// driver the plan names; not merely a resource of that UID (an orphaned
// one would do for that, and a prune would remove it).
func resourcesOfLastSuccess(t *testing.T, c *api.Client, d *paved.Deployment) []string {
	t.Helper()
	if d.Plan == nil || len(d.Plan.Resources) == 0 {
		return []string{fmt.Sprintf("deployment %s succeeded without a plan of resources", d.ID)}
	}
	rs, err := c.ListResources(context.Background(), d.App, d.Env)
	must(t, err)
	var problems []string
	for _, p := range d.Plan.Resources {
		if p.Action == paved.PlanOrphan {
			continue
		}
		found := "none"
		for _, r := range rs {
			if r.UID != p.UID {
				continue
			}
			if r.Status == paved.ResourceActive && r.DefinitionID == p.Definition.ID && r.Driver == p.Definition.Driver {
				found = ""
				break
			}
			found = fmt.Sprintf("%s of definition %s (%s)", r.Status, r.DefinitionID, r.Driver)
		}
		if found != "" {
			problems = append(problems, fmt.Sprintf("the last success of %s, %s, uses resource %s of definition %s (%s), which is not active there (found: %s)",
				d.Env, d.ID, p.UID, p.Definition.ID, p.Definition.Driver, found))
		}
	}
	return problems
}
