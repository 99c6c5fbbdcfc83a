package platform

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

// TestDORA: deployments through the pipeline (a commit time, a rollback, a
// fix) give the report's figures; the environment type measured is named.
func TestDORA(t *testing.T) {
	f := newFixture(t)
	specs := shopSpecs()
	commit := f.clock.Now().Add(-2 * time.Hour)
	d1, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs, CommitSHA: "abc", CommitTime: &commit})
	must(t, err)
	f.p.Wait()
	f.deployAndWait(t, f.dev, "dev", specs) // d2: rolled back below
	f.clock.Add(30 * time.Minute)
	if _, err := f.p.RollbackEnvironment(f.dev, "shop", "dev"); err != nil {
		t.Fatal(err)
	}
	f.p.Wait()
	fix, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs, Fix: true})
	must(t, err)
	f.p.Wait()
	if got, _ := f.p.GetDeployment(f.dev, fix.ID); !got.Fix || got.Status != paved.DeploymentSucceeded {
		t.Fatalf("the fix: fix=%v status %s (%s)", got.Fix, got.Status, got.Error)
	}
	if got, _ := f.p.GetDeployment(f.dev, d1.ID); got.CommitTime == nil || !got.CommitTime.Equal(commit.Truncate(time.Microsecond)) {
		t.Fatalf("the commit time was not kept: %v", got.CommitTime)
	}

	r, err := f.p.DORA(f.dev, paved.DORARequest{App: "shop"})
	must(t, err)
	want := paved.DORAFigures{Deployments: 4, Succeeded: 4, FailedChanges: 1, Rework: 2, LeadTimes: 1, LeadTime: 2 * time.Hour,
		Recovered: 1, RecoveryTime: 30 * time.Minute}
	if r.Figures != want {
		t.Errorf("figures\n got %+v\nwant %+v", r.Figures, want)
	}
	if r.EnvType != paved.EnvDevelopment || !r.MVPMode || !strings.Contains(r.Measured, "MVP mode") || r.Window != "90d" || r.Scope != "app" {
		t.Errorf("measured %s (%q), mvp %v, window %s, scope %s", r.EnvType, r.Measured, r.MVPMode, r.Window, r.Scope)
	}
	if r.ChangeFailRate.Text != "25.0%" || r.DeploymentReworkRate.Text != "50.0%" || r.ChangeLeadTime.Band != paved.BandElite ||
		r.FailedDeploymentRecoveryTime.Band != paved.BandElite {
		t.Errorf("metrics: %+v %+v %+v %+v", r.ChangeFailRate, r.DeploymentReworkRate, r.ChangeLeadTime, r.FailedDeploymentRecoveryTime)
	}
	b, _ := json.Marshal(r)
	for _, k := range []string{"deployment_frequency", "change_lead_time", "change_fail_rate", "failed_deployment_recovery_time", "deployment_rework_rate", "env_type", "measured"} {
		if !strings.Contains(string(b), `"`+k+`"`) {
			t.Errorf("the JSON has no %s: %s", k, b)
		}
	}

	// Week by week: two weeks of a 14-day window, the four deployments in
	// the last.
	weekly, err := f.p.DORA(f.other, paved.DORARequest{App: "shop", Window: 14 * 24 * time.Hour, Weekly: true})
	must(t, err)
	if len(weekly.Weeks) != 2 || weekly.Weeks[0].Deployments != 0 || weekly.Weeks[1].Deployments != 4 || weekly.Weeks[1].FailedChanges != 1 ||
		weekly.Weeks[1].Rework != 2 || !weekly.Weeks[1].To.Equal(weekly.To) || !weekly.Weeks[0].From.Equal(weekly.From) {
		t.Errorf("weeks: %+v", weekly.Weeks)
	}
	if r.Weeks != nil {
		t.Errorf("weeks not asked for, given: %+v", r.Weeks)
	}
	team, err := f.p.DORA(f.other, paved.DORARequest{Team: "pioneers", Window: 7 * 24 * time.Hour})
	must(t, err)
	if team.Figures != want || team.Window != "7d" {
		t.Errorf("team figures %+v over %s", team.Figures, team.Window)
	}
	org, err := f.p.DORA(f.admin, paved.DORARequest{})
	must(t, err)
	if org.Figures != want || org.Scope != "organisation" {
		t.Errorf("organisation figures %+v (%s)", org.Figures, org.Scope)
	}
	for _, tt := range []struct {
		req  paved.DORARequest
		code string
	}{
		{paved.DORARequest{App: "shop", Team: "pioneers"}, paved.EINVALID},
		{paved.DORARequest{App: "nope"}, paved.ENOTFOUND},
		{paved.DORARequest{Team: "nope"}, paved.ENOTFOUND},
		{paved.DORARequest{Window: time.Hour}, paved.EINVALID},
	} {
		if _, err := f.p.DORA(f.dev, tt.req); paved.ErrorCode(err) != tt.code {
			t.Errorf("DORA(%+v) = %v, want %s", tt.req, err, tt.code)
		}
	}
}
