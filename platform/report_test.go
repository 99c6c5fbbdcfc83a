package platform

import (
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

// TestReport: a report gathers the platform's figures through its
// services (DORA now and before, time saved at the assumptions asked for,
// cost, risks, what engineers read), renders them, and is audited as
// report.generate with the audience, which the program's Adoption checks
// read.
func TestReport(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.BuiltinPolicies = []paved.Policy{{ID: "security", Owner: paved.RoleSecurity, Kind: paved.PolicyDeployment, Module: "package paved.security\n"}}
		c.PolicyRules = func(p paved.Policy) ([]paved.PolicyRule, error) {
			return []paved.PolicyRule{{ID: p.ID + "/sec-image-tag", Level: paved.FindingDeny, Fix: "pin a tag"}}, nil
		}
	})
	specs := shopSpecs()
	if _, err := f.p.ApplyPrices(f.admin, &paved.PriceList{Currency: "EUR", VCPUHour: 0.04, MemoryGiBHour: 0.005, StorageGiBMonth: 0.1, DefaultCPU: 0.5, DefaultMemory: 0.5}); err != nil {
		t.Fatal(err)
	}
	// The window before: one deployment 40 days ago.
	f.deployAndWait(t, f.dev, "dev", specs)
	f.clock.Add(40 * 24 * time.Hour)
	commit := f.clock.Now().Add(-3 * time.Hour)
	if _, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs, CommitSHA: "abc", CommitTime: &commit}); err != nil {
		t.Fatal(err)
	}
	f.p.Wait()
	f.deployAndWait(t, f.dev, "dev", specs)
	if _, err := f.p.RollbackEnvironment(f.dev, "shop", "dev"); err != nil {
		t.Fatal(err)
	}
	f.p.Wait()
	// The program's iteration starts when it is first applied.
	if _, err := f.p.ApplyProgram(f.admin, &paved.ProgramSpec{GoldenPaths: []string{"deploy to dev"}}); err != nil {
		t.Fatal(err)
	}

	hour := paved.Duration(time.Hour)
	d, err := f.p.ReportData(f.other, &paved.ReportRequest{Audience: paved.AudienceLeadership, DeploymentTimeSaved: &hour, HourlyRate: 100})
	must(t, err)
	org := d.DORA[0]
	if org.Name != "organisation" || org.Current.Figures.Deployments != 3 || org.Previous.Figures.Deployments != 1 || org.Current.EnvType != paved.EnvDevelopment {
		t.Errorf("organisation DORA: %s now %+v before %+v (%s)", org.Name, org.Current.Figures, org.Previous.Figures, org.Current.EnvType)
	}
	if len(d.DORA) != 3 || d.DORA[1].Name != "others" || d.DORA[2].Name != "pioneers" || d.DORA[2].Current.Figures.LeadTime != 3*time.Hour {
		t.Errorf("teams: %+v", d.DORA[1:])
	}
	if len(d.Weeks) != paved.ReportWeeks || !d.Weeks[len(d.Weeks)-1].To.Equal(d.GeneratedAt) || d.Weeks[len(d.Weeks)-1].Figures.Deployments != 3 {
		t.Errorf("weeks: %+v", d.Weeks)
	}
	deploys := d.TimeSaved.Items[1]
	if deploys.Count != 3 || deploys.Total != paved.Duration(3*time.Hour) || d.TimeSaved.Total != paved.Duration(3*time.Hour) ||
		d.TimeSaved.Money != 300 || d.TimeSaved.Currency != "EUR" || !strings.Contains(deploys.Assumption, "1h0m0s") {
		t.Errorf("time saved: %+v", d.TimeSaved)
	}
	if d.Cost == nil || len(d.Cost.Teams) != 2 || d.Cost.Teams[1].Team != "pioneers" || d.Cost.Teams[1].Monthly <= 0 || d.CostNote != "" {
		t.Errorf("cost: %+v %q", d.Cost, d.CostNote)
	}
	if !strings.Contains(strings.Join(openChecks(d), ","), "adoption/report-leadership") {
		t.Errorf("open checks: %v", openChecks(d))
	}

	// Each audience's report is audited; the program's checks flip.
	for _, aud := range paved.ReportAudiences() {
		rep, err := f.p.Report(f.other, &paved.ReportRequest{Audience: aud})
		must(t, err)
		if e := f.lastAudit(t, "report.generate"); e.Target != string(aud) || e.Result != "ok" || e.Actor != "olaf" {
			t.Errorf("audit: %+v", e)
		}
		if !strings.HasPrefix(string(rep.HTML), "<!DOCTYPE html>") || rep.Audience != aud {
			t.Errorf("%s report: %.80s", aud, rep.HTML)
		}
	}
	eng, err := f.p.ReportData(f.other, &paved.ReportRequest{Audience: paved.AudienceEngineering})
	must(t, err)
	if len(eng.Policies) != 1 || len(eng.Policies[0].Rules) != 1 || eng.Policies[0].Rules[0].ID != "security/sec-image-tag" {
		t.Errorf("policies: %+v", eng.Policies)
	}
	if len(eng.EnvTypes) != len(paved.EnvTypes()) || len(eng.EnvTypes[0].Types) == 0 || len(eng.Deployments) != 4 || len(eng.Templates) == 0 {
		t.Errorf("engineering: %d env types (%d types), %d deployments, %d templates", len(eng.EnvTypes), len(eng.EnvTypes[0].Types), len(eng.Deployments), len(eng.Templates))
	}
	if len(eng.Changes) != 2 || eng.Changes[0].Action != "program.apply" || eng.Changes[1].Action != "prices.apply" {
		t.Errorf("changes: %+v", eng.Changes)
	}
	after, err := f.p.ReportData(f.other, &paved.ReportRequest{Audience: paved.AudienceLeadership})
	must(t, err)
	if s := strings.Join(openChecks(after), ","); strings.Contains(s, "report-") {
		t.Errorf("the report checks are still open after both reports: %s", s)
	}

	for _, tt := range []struct {
		req  paved.ReportRequest
		want string
	}{
		{paved.ReportRequest{Audience: "board"}, "audience"},
		{paved.ReportRequest{Audience: paved.AudienceLeadership, HourlyRate: -1}, "hourly_rate"},
		{paved.ReportRequest{Audience: paved.AudienceLeadership, PreviewTimeSaved: ptrTo(paved.Duration(-time.Hour))}, "preview_time_saved"},
	} {
		if _, err := f.p.Report(f.other, &tt.req); paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v", tt.req, err)
		}
		want := string(tt.req.Audience)
		if !tt.req.Audience.Valid() {
			want = "invalid"
		}
		if e := f.lastAudit(t, "report.generate"); e.Target != want || e.Result == "ok" {
			t.Errorf("a refused report's audit: %+v", e)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }

func openChecks(d *paved.ReportData) []string {
	var out []string
	for _, c := range d.Risks.OpenChecks {
		out = append(out, c.Phase+"/"+c.ID)
	}
	return out
}
