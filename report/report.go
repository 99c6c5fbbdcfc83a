// Package report renders paved's demo reports, for leadership and for
// engineers, as one self-contained HTML file: html/template, the CSS
// embedded, charts drawn as inline SVG on the server; no script and
// nothing fetched from elsewhere, so that it opens anywhere, prints to PDF
// and can be mailed. The same data renders to the same bytes.
package report

import (
	"bytes"
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"paved.dev/paved"
)

//go:embed report.css
var css string

//go:embed report.html.tmpl
var page string

var tmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"when":     when,
	"day":      func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"duration": func(d paved.Duration) string { return hours(time.Duration(d)) },
	"money":    money,
	"hoursOf": func(h *float64) string {
		return optional(h, func(v float64) string { return hours(time.Duration(v * float64(time.Hour))) })
	},
	"objValue":  objectiveValue,
	"objTarget": func(metric string, v float64) string { return objectiveValue(metric, &v) },
	"pct":       func(v float64) string { return strconv.FormatFloat(v*100, 'f', 0, 64) + "%" },
	"sub":       func(a, b int) int { return a - b },
}).Parse(page))

// Render writes the report of d as one HTML document.
func Render(d *paved.ReportData) ([]byte, error) {
	if d == nil || d.Program == nil || len(d.DORA) == 0 {
		return nil, fmt.Errorf("report: the data is incomplete (no program or DORA figures)")
	}
	v := newView(d)
	var b bytes.Buffer
	if err := tmpl.Execute(&b, v); err != nil {
		return nil, fmt.Errorf("report: rendering: %w", err)
	}
	return b.Bytes(), nil
}

// view is what the template reads: the data and what is computed from it
// for people (charts, trends, commands).
type view struct {
	*paved.ReportData
	CSS         template.CSS
	Title       string
	Leadership  bool
	Org         paved.DORATrend
	Metrics     []metricRow
	Teams       []teamRow
	Phases      *chart
	Funnel      *chart
	WeeksChart  *chart
	LeadChart   *chart
	SavedChart  *chart
	CostChart   *chart
	Checks      phaseCount
	PhaseTitle  string
	Commands    []command
	TypeMatrix  typeMatrix
	Requirement []paved.Requirement
}

type phaseCount struct{ Done, Total int }

// metricRow is one DORA metric now and over the window before.
type metricRow struct {
	Name, Now, Band, Before, BeforeBand, Trend, Of string
}

// teamRow is one team's five metrics over the window.
type teamRow struct {
	Team    string
	Metrics []paved.DORAMetric
	EnvType paved.EnvType
}

// command is a step of how to deploy.
type command struct{ What, Line string }

func newView(d *paved.ReportData) *view {
	v := &view{ReportData: d, CSS: template.CSS(css), Leadership: d.Audience == paved.AudienceLeadership, Org: d.DORA[0]}
	v.Title = "paved: the platform for engineering"
	if v.Leadership {
		v.Title = "paved: the MVP for leadership"
	}
	v.PhaseTitle = strings.ToUpper(d.Program.Phase[:1]) + d.Program.Phase[1:]
	v.Metrics = metricRows(v.Org)
	for _, t := range d.DORA[1:] {
		c := t.Current
		v.Teams = append(v.Teams, teamRow{Team: t.Name, EnvType: c.EnvType,
			Metrics: []paved.DORAMetric{c.DeploymentFrequency, c.ChangeLeadTime, c.ChangeFailRate, c.FailedDeploymentRecoveryTime, c.DeploymentReworkRate}})
	}
	v.WeeksChart, v.LeadChart = weekCharts(d)
	var rows []hbar
	for _, ph := range d.Program.Phases {
		done := 0
		for _, c := range ph.Checks {
			if c.Done {
				done++
			}
		}
		v.Checks.Done += done
		v.Checks.Total += len(ph.Checks)
		rows = append(rows, hbar{Label: ph.Phase, Text: fmt.Sprintf("%d of %d checks met", done, len(ph.Checks)),
			Segments: []segment{{Value: float64(done), Class: "ok", Tip: fmt.Sprintf("%s: %d met", ph.Phase, done)},
				{Value: float64(len(ph.Checks) - done), Class: "open", Tip: fmt.Sprintf("%s: %d open", ph.Phase, len(ph.Checks)-done)}}})
	}
	v.Phases = horizontal("Checks met per phase", rows, []legendItem{{"ok", "met"}, {"open", "open"}})
	if v.Leadership {
		v.Funnel = funnelChart(d.Program.Funnels)
		v.SavedChart = savedChart(d.TimeSaved)
		if d.Cost != nil {
			v.CostChart = costChart(d.Cost)
		}
		if d.NextCohort != nil {
			for _, r := range d.Program.Requirements {
				if r.Cohort == d.NextCohort.Cohort {
					v.Requirement = append(v.Requirement, r)
				}
			}
		}
	} else {
		v.Commands = commands(d)
		v.TypeMatrix = newTypeMatrix(d.EnvTypes)
	}
	return v
}

func metricRows(t paved.DORATrend) []metricRow {
	type m struct {
		name       string
		now, prev  paved.DORAMetric
		lowerIsBtr bool
	}
	c, p := t.Current, t.Previous
	var out []metricRow
	for _, x := range []m{
		{"Deployment frequency", c.DeploymentFrequency, p.DeploymentFrequency, false},
		{"Change lead time", c.ChangeLeadTime, p.ChangeLeadTime, true},
		{"Change fail rate", c.ChangeFailRate, p.ChangeFailRate, true},
		{"Failed deployment recovery time", c.FailedDeploymentRecoveryTime, p.FailedDeploymentRecoveryTime, true},
		{"Deployment rework rate", c.DeploymentReworkRate, p.DeploymentReworkRate, true},
	} {
		out = append(out, metricRow{Name: x.name, Now: x.now.Text, Band: string(x.now.Band), Before: x.prev.Text,
			BeforeBand: string(x.prev.Band), Trend: trend(x.now.Value, x.prev.Value, x.lowerIsBtr), Of: x.now.Of})
	}
	return out
}

// trend compares a metric with the window before: better, worse, the
// same, or nothing to compare.
func trend(now, before *float64, lowerIsBetter bool) string {
	switch {
	case now == nil || before == nil:
		return "no comparison"
	case math.Abs(*now-*before) < 1e-9:
		return "the same"
	case (*now < *before) == lowerIsBetter:
		return "better"
	}
	return "worse"
}

func weekCharts(d *paved.ReportData) (*chart, *chart) {
	var deploys, lead []column
	for _, w := range d.Weeks {
		f := w.Figures
		lbl := w.From.UTC().Format("Jan 2")
		tip := "week from " + lbl
		deploys = append(deploys, column{Label: lbl, Text: strconv.Itoa(f.Succeeded + f.Failed),
			Segments: []segment{{Value: float64(f.Succeeded), Class: "ok", Tip: fmt.Sprintf("%s: %d succeeded", tip, f.Succeeded)},
				{Value: float64(f.Failed), Class: "bad", Tip: fmt.Sprintf("%s: %d failed", tip, f.Failed)}}})
		col := column{Label: lbl, Text: "–"}
		if f.LeadTimes > 0 {
			col.Text = hours(f.LeadTime)
			col.Segments = []segment{{Value: f.LeadTime.Hours(), Class: "lead", Tip: fmt.Sprintf("%s: median %s over %d deployments", tip, hours(f.LeadTime), f.LeadTimes)}}
		}
		lead = append(lead, col)
	}
	env := d.DORA[0].Current.EnvType
	return vertical(fmt.Sprintf("Deployments to %s per week", env), deploys, []legendItem{{"ok", "succeeded"}, {"bad", "failed"}}),
		vertical(fmt.Sprintf("Median change lead time per week (%s)", env), lead, []legendItem{{"lead", "commit to success"}})
}

func funnelChart(fs []paved.Funnel) *chart {
	var rows []hbar
	for _, f := range fs {
		name := fmt.Sprintf("cohort %d", f.Cohort)
		for _, s := range []struct {
			what  string
			n     int
			class string
		}{{"invited", f.Invited, "invited"}, {"first deployment", f.Deployed, "deployed"}, {"deploying weekly", f.Weekly, "ok"}} {
			rows = append(rows, hbar{Label: name + ": " + s.what, Text: fmt.Sprintf("%d of %d teams", s.n, len(f.Teams)),
				Segments: []segment{{Value: float64(s.n), Class: s.class, Tip: fmt.Sprintf("%s (%s): %d %s", name, f.Name, s.n, s.what)}}})
		}
	}
	return horizontal("Adoption funnel per cohort", rows, []legendItem{{"invited", "invited"}, {"deployed", "first deployment"}, {"ok", "deploying every week"}})
}

func savedChart(ts paved.TimeSaved) *chart {
	var rows []hbar
	for _, it := range ts.Items {
		rows = append(rows, hbar{Label: shorten(it.What), Text: hours(time.Duration(it.Total)),
			Segments: []segment{{Value: time.Duration(it.Total).Hours(), Class: "saved", Tip: fmt.Sprintf("%s: %d, %s", it.What, it.Count, hours(time.Duration(it.Total)))}}})
	}
	return horizontal("Estimated time saved, by source", rows, nil)
}

func costChart(c *paved.CostReport) *chart {
	var rows []hbar
	for _, t := range c.Teams {
		text := money(t.Monthly, c.Currency) + " a month"
		if t.Budget != nil && t.Budget.Monthly > 0 {
			text += fmt.Sprintf(" (%s of budget)", strconv.FormatFloat(t.Used*100, 'f', 0, 64)+"%")
		}
		rows = append(rows, hbar{Label: t.Team, Text: text,
			Segments: []segment{{Value: t.Monthly, Class: "cost", Tip: fmt.Sprintf("%s: %s a month", t.Team, money(t.Monthly, c.Currency))}}})
	}
	return horizontal("Estimated cost per team, by the month", rows, nil)
}

// shorten keeps a chart's row label to what fits.
func shorten(s string) string {
	if before, _, ok := strings.Cut(s, " ("); ok {
		s = before
	}
	if len(s) > 28 {
		s = s[:27] + "…"
	}
	return s
}

// commands are how to deploy, with the platform's own names: the
// pioneering team's first app (or any app) and its environments.
func commands(d *paved.ReportData) []command {
	app := "APP"
	for _, a := range d.Apps {
		if app == "APP" || (d.Program.Program != nil && a.Name == d.Program.Program.RepresentativeApp) {
			app = a.Name
		}
	}
	tmpl := "TEMPLATE"
	if len(d.Templates) > 0 {
		tmpl = d.Templates[0].Name
	}
	return []command{
		{"log in with the token the platform team gave you", "paved login --server URL --token pvd_..."},
		{"start a service from a golden path", "paved new --template " + tmpl + " --name my-service --team TEAM"},
		{"see what a deployment would change", "paved plan -f . --app " + app + " --env dev"},
		{"deploy (planned, judged by the policies, provisioned, rendered, applied)", "paved deploy -f . --app " + app + " --env dev"},
		{"open a preview for a pull request, cloned from dev", "paved env create pr-123 --app " + app + " --from dev --ttl 48h"},
		{"promote what runs in dev to staging", "paved env promote dev staging --app " + app},
		{"roll back to the last good deployment", "paved rollback --app " + app + " --env dev"},
		{"mark a deployment that fixes a failed change", "paved deploy -f . --app " + app + " --env dev --fix"},
		{"which resource types can I use here?", "paved types --app " + app + " --env dev"},
	}
}

func when(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// hours writes a duration for people: "3d 4h", "5h 30m", "12m".
func hours(d time.Duration) string {
	d = d.Round(time.Minute)
	switch {
	case d >= 24*time.Hour:
		days, h := d/(24*time.Hour), (d%(24*time.Hour))/time.Hour
		if h == 0 {
			return fmt.Sprintf("%dd", days)
		}
		return fmt.Sprintf("%dd %dh", days, h)
	case d >= time.Hour:
		h, m := d/time.Hour, (d%time.Hour)/time.Minute
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh %dm", h, m)
	}
	return fmt.Sprintf("%dm", d/time.Minute)
}

func money(v float64, currency string) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	if currency == "" {
		return s
	}
	return s + " " + currency
}

func optional(v *float64, f func(float64) string) string {
	if v == nil {
		return "no data"
	}
	return f(*v)
}

// objectiveValue writes an objective's value in its metric's unit.
func objectiveValue(metric string, v *float64) string {
	return optional(v, func(x float64) string {
		switch metric {
		case "deployment_frequency":
			return strconv.FormatFloat(x, 'f', 2, 64) + " per day"
		case "change_lead_time", "failed_deployment_recovery_time":
			return hours(time.Duration(x * float64(time.Hour)))
		}
		return strconv.FormatFloat(x*100, 'f', 1, 64) + "%"
	})
}

// typeMatrix is the resource types by environment type: a row per type
// and class, a cell per environment type naming what provides it there.
type typeMatrix struct {
	EnvTypes []paved.EnvType
	Rows     []typeRow
}

type typeRow struct {
	Type, Class, Description string
	Cells                    []string
}

func newTypeMatrix(ets []paved.EnvTypeResources) typeMatrix {
	m := typeMatrix{}
	index := map[string]int{}
	for i, et := range ets {
		m.EnvTypes = append(m.EnvTypes, et.EnvType)
		for _, t := range et.Types {
			key := t.Type + "\x00" + t.Class
			j, ok := index[key]
			if !ok {
				j = len(m.Rows)
				index[key] = j
				m.Rows = append(m.Rows, typeRow{Type: t.Type, Class: t.Class, Description: t.Description, Cells: make([]string, len(ets))})
			}
			m.Rows[j].Cells[i] = t.Definition + " (" + t.Driver + ")"
		}
	}
	slices.SortFunc(m.Rows, func(a, b typeRow) int {
		return cmp.Or(strings.Compare(a.Type, b.Type), strings.Compare(a.Class, b.Class))
	})
	return m
}
