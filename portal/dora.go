package portal

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"paved.dev/paved"
)

// The DORA page: the five metrics of the organisation, a team or an app
// over a window, with their bands and the environment type measured, and
// the window's deployments week by week as a chart. Everything comes from
// paved.DORAService (one aggregate read for the figures, one for the
// weeks), as paved dora and GET /api/dora give it.

type doraPage struct {
	R      *paved.DORAReport
	Apps   []string
	Teams  []string
	App    string
	Team   string
	Window string
	// Windows are the windows offered.
	Windows []string
	Metrics []doraRow
	Chart   template.HTML
}

func (d doraPage) title() string { return "DORA metrics" }

// doraRow is one of the five metrics as the page lists it.
type doraRow struct {
	Name string
	paved.DORAMetric
}

var doraWindows = []string{"7d", "30d", "90d", "180d", "1y"}

func (p *Portal) dora(rq *request) error {
	if p.svc.DORA == nil {
		return paved.Errorf(paved.EUNAVAILABLE, "this server computes no DORA metrics")
	}
	q := rq.r.URL.Query()
	pg := doraPage{App: q.Get("app"), Team: q.Get("team"), Window: q.Get("window"), Windows: doraWindows}
	if pg.Window == "" {
		pg.Window = "90d"
	}
	window, err := paved.ParseDORAWindow(pg.Window)
	if err != nil {
		return err
	}
	rep, err := p.svc.DORA.DORA(rq.ctx, paved.DORARequest{App: pg.App, Team: pg.Team, Window: window, Weekly: true})
	if err != nil {
		return err
	}
	pg.R = rep
	apps, err := p.svc.Apps.ListApps(rq.ctx)
	if err != nil {
		return err
	}
	for _, a := range apps {
		pg.Apps = append(pg.Apps, a.Name)
	}
	teams, err := p.svc.Teams.ListTeams(rq.ctx)
	if err != nil {
		return err
	}
	for _, t := range teams {
		pg.Teams = append(pg.Teams, t.Name)
	}
	pg.Metrics = []doraRow{
		{"Deployment frequency", rep.DeploymentFrequency}, {"Change lead time", rep.ChangeLeadTime},
		{"Change fail rate", rep.ChangeFailRate}, {"Failed deployment recovery time", rep.FailedDeploymentRecoveryTime},
		{"Deployment rework rate", rep.DeploymentReworkRate},
	}
	pg.Chart = weeksChart(rep)
	p.render(rq.w, rq.r, rq, http.StatusOK, "dora", pg)
	return nil
}

// weeksChart draws the window's weeks as stacked columns, succeeded
// deployments under failed ones, with each week's failed changes marked:
// server-side SVG, accessible (a title and a summary of every week).
func weeksChart(r *paved.DORAReport) template.HTML {
	if len(r.Weeks) == 0 {
		return ""
	}
	const height, top, bottom, left, right = 240.0, 16.0, 36.0, 36.0, 8.0
	n := float64(len(r.Weeks))
	col := max(8, min(48, 600/n))
	width := left + n*col + right
	most := 1
	for _, w := range r.Weeks {
		most = max(most, w.Succeeded+w.Failed)
	}
	plot := height - top - bottom
	scale := plot / float64(most)
	var b strings.Builder
	// The axis: zero and the most in a week.
	fmt.Fprintf(&b, `<line class="axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"></line>`, left, top+plot, width-right, top+plot)
	fmt.Fprintf(&b, `<text class="value" x="0" y="%.1f">%d</text><text class="value" x="0" y="%.1f">0</text>`, top+10, most, top+plot)
	var summary []string
	for i, w := range r.Weeks {
		x := left + float64(i)*col
		ok, bad := float64(w.Succeeded)*scale, float64(w.Failed)*scale
		y := top + plot - ok
		if w.Succeeded > 0 {
			fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f"></rect>`, x+1, y, col-2, ok)
		}
		if w.Failed > 0 {
			fmt.Fprintf(&b, `<rect class="bar bar-over" x="%.1f" y="%.1f" width="%.1f" height="%.1f"></rect>`, x+1, y-bad, col-2, bad)
		}
		if w.FailedChanges > 0 {
			fmt.Fprintf(&b, `<circle class="marker" cx="%.1f" cy="%.1f" r="3"></circle>`, x+col/2, y-bad-7)
		}
		// Every fourth week is labelled, and the last.
		if i%4 == 0 || i == len(r.Weeks)-1 {
			fmt.Fprintf(&b, `<text class="label" x="%.1f" y="%.1f">%s</text>`, x, height-bottom+16, w.From.UTC().Format("Jan 2"))
		}
		summary = append(summary, fmt.Sprintf("week of %s: %d succeeded, %d failed, %d failed changes",
			w.From.UTC().Format("2006-01-02"), w.Succeeded, w.Failed, w.FailedChanges))
	}
	fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="10" height="10"></rect><text class="label" x="%.1f" y="%.1f">succeeded</text>`,
		left, height-12, left+14, height-3)
	fmt.Fprintf(&b, `<rect class="bar bar-over" x="%.1f" y="%.1f" width="10" height="10"></rect><text class="label" x="%.1f" y="%.1f">failed</text>`,
		left+100, height-12, left+114, height-3)
	fmt.Fprintf(&b, `<circle class="marker" cx="%.1f" cy="%.1f" r="3"></circle><text class="label" x="%.1f" y="%.1f">a failed change</text>`,
		left+180, height-7, left+188, height-3)
	what := fmt.Sprintf("deployments to %s week by week over %s", r.EnvType, r.Window)
	return template.HTML(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="%s" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f"><title>%s</title>%s</svg>`,
		template.HTMLEscapeString(what+": "+strings.Join(summary, "; ")), width, height, width, height,
		template.HTMLEscapeString("Deployments "+what), b.String()))
}

// weekOf is a week's dates for the table under the chart.
func weekOf(w paved.DORAWeek) string {
	return w.From.UTC().Format("2006-01-02") + " to " + w.To.Add(-time.Second).UTC().Format("2006-01-02")
}
