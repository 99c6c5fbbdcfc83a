package portal

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"paved.dev/paved"
)

// The MVP program's pages: where the program stands (phases and their
// checks, objectives, the communication log, the iterations, pitfalls,
// requirements) and the cohorts' funnels. Both read paved.ProgramService,
// as paved program does; a manual check is confirmed through
// paved.CheckService, as paved checks confirm does.

type programPage struct {
	V *paved.ProgramView
	// Current is the current phase's status.
	Current *paved.PhaseStatus
	// Confirm holds the manual checks the user may confirm: PhaseCheck id
	// → the check's id.
	Confirm map[string]string
	// Objectives are the objectives as shown.
	Objectives []objectiveRow
	// History is the finished iterations, newest first.
	History []iterationRow
	// Announcements are the communication log, newest first.
	Announcements []paved.Announcement
}

func (programPage) title() string { return "The MVP program" }

// objectiveRow is an objective with its figures written for people.
type objectiveRow struct {
	paved.ObjectiveNow
	Value, Previous, Target string
	// Trend is "better", "worse", "unchanged" or "" (nothing to compare).
	Trend string
}

// iterationRow is a finished iteration with how far each phase got.
type iterationRow struct {
	paved.Iteration
	Phases []string // "discovery 5/5"
	Met    int
}

func (p *Portal) program(rq *request) error {
	if p.svc.Program == nil {
		return paved.Errorf(paved.EUNAVAILABLE, "this server runs no program")
	}
	v, err := p.svc.Program.Program(rq.ctx)
	if err != nil {
		return err
	}
	pg := programPage{V: v, Confirm: map[string]string{}}
	for i := range v.Phases {
		ph := &v.Phases[i]
		if ph.Phase == v.Phase {
			pg.Current = ph
		}
		for _, c := range ph.Checks {
			if id, ok := strings.CutPrefix(c.ID, "check-"); ok && c.Manual && !c.Done && c.Role == rq.user.Role {
				pg.Confirm[ph.Phase+"/"+c.ID] = id
			}
		}
	}
	for _, o := range v.Objectives {
		pg.Objectives = append(pg.Objectives, objectiveOf(o))
	}
	for i := len(v.Program.History) - 1; i >= 0; i-- {
		it := v.Program.History[i]
		row := iterationRow{Iteration: it}
		for _, ph := range it.Phases {
			done := 0
			for _, c := range ph.Checks {
				if c.Done {
					done++
				}
			}
			row.Phases = append(row.Phases, fmt.Sprintf("%s %d/%d", ph.Phase, done, len(ph.Checks)))
		}
		for _, o := range it.Measured {
			if o.Met {
				row.Met++
			}
		}
		pg.History = append(pg.History, row)
	}
	pg.Announcements = slices.Clone(v.Program.Announcements)
	slices.Reverse(pg.Announcements)
	p.render(rq.w, rq.r, rq, http.StatusOK, "program", pg)
	return nil
}

// objectiveOf writes an objective's figures in its metric's unit and says
// whether it moved the right way since the window before.
func objectiveOf(o paved.ObjectiveNow) objectiveRow {
	r := objectiveRow{ObjectiveNow: o, Value: metricText(o.Metric, o.Value), Previous: metricText(o.Metric, o.Previous)}
	t := o.Target
	r.Target = metricText(o.Metric, &t)
	if o.AtMost {
		r.Target = "at most " + r.Target
	} else {
		r.Target = "at least " + r.Target
	}
	if o.Value != nil && o.Previous != nil {
		switch d := *o.Value - *o.Previous; {
		case d == 0:
			r.Trend = "unchanged"
		case (d < 0) == o.AtMost:
			r.Trend = "better"
		default:
			r.Trend = "worse"
		}
	}
	return r
}

// metricText writes a value of an objective's metric (see
// paved.Objective.Metric for the units).
func metricText(metric string, v *float64) string {
	if v == nil {
		return "no data"
	}
	switch metric {
	case "deployment_frequency":
		return strconv.FormatFloat(*v, 'f', 2, 64) + " per day"
	case "change_lead_time", "failed_deployment_recovery_time":
		return roughly(time.Duration(*v * float64(time.Hour)))
	case "change_fail_rate", "deployment_rework_rate":
		return strconv.FormatFloat(*v*100, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(*v, 'f', 2, 64)
}

// confirmProgramCheck confirms a manual check of a phase for the
// iteration the page showed, which must still be the current one: a
// confirmation is of one iteration, and a page left open while the next
// began must not confirm the new one unseen.
func (p *Portal) confirmProgramCheck(rq *request) error {
	if p.svc.Program == nil || p.svc.Checks == nil {
		return paved.Errorf(paved.EUNAVAILABLE, "this server runs no program")
	}
	phase, id := rq.r.PathValue("phase"), rq.r.PathValue("id")
	scope := paved.ScopeProgramPrefix + phase
	if err := paved.ValidateCheckScope(scope); err != nil {
		return err
	}
	v, err := p.svc.Program.Phases(rq.ctx)
	if err != nil {
		return err
	}
	current := strconv.Itoa(v.Program.Iteration)
	if it := rq.r.PostFormValue("iteration"); it != current {
		return paved.Errorf(paved.ECONFLICT, "iteration: the page was of iteration %q; the program is at iteration %s now: reload the page and confirm again", it, current)
	}
	c, err := p.svc.Checks.ConfirmCheck(rq.ctx, scope, id, current)
	if err != nil {
		return err
	}
	setFlash(rq.w, rq.r, fmt.Sprintf("%s confirmed %s (%s) for iteration %s.", c.By, c.CheckID, phase, c.Subject))
	http.Redirect(rq.w, rq.r, "/program", http.StatusSeeOther)
	return nil
}

type cohortsPage struct {
	Cohorts []cohortRow
}

func (cohortsPage) title() string { return "Cohorts and adoption" }

// cohortRow is a cohort of the program with its funnel and chart.
type cohortRow struct {
	paved.Funnel
	Priority int
	Next     bool
	Chart    template.HTML
	Teams    []teamRow
	// Requirements are what the cohort needs that the platform lacks.
	Requirements []paved.Requirement
}

type teamRow struct {
	paved.TeamFunnel
	TimeToFirst string
}

func (p *Portal) cohorts(rq *request) error {
	if p.svc.Program == nil {
		return paved.Errorf(paved.EUNAVAILABLE, "this server runs no program")
	}
	v, err := p.svc.Program.Program(rq.ctx)
	if err != nil {
		return err
	}
	var pg cohortsPage
	for _, f := range v.Funnels {
		row := cohortRow{Funnel: f, Next: v.Program.NextCohort == f.Cohort, Chart: funnelChart(f)}
		for _, c := range v.Program.Cohorts {
			if c.Number == f.Cohort {
				row.Priority = c.Priority
			}
		}
		for _, t := range f.Teams {
			tr := teamRow{TeamFunnel: t, TimeToFirst: "-"}
			if t.TimeToFirst != nil {
				tr.TimeToFirst = roughly(time.Duration(*t.TimeToFirst * float64(time.Hour)))
			}
			row.Teams = append(row.Teams, tr)
		}
		for _, r := range v.Requirements {
			if r.Cohort == f.Cohort {
				row.Requirements = append(row.Requirements, r)
			}
		}
		pg.Cohorts = append(pg.Cohorts, row)
	}
	p.render(rq.w, rq.r, rq, http.StatusOK, "cohorts", pg)
	return nil
}

// funnelChart draws a cohort's funnel, invited → first deployment →
// deploying every week, as horizontal bars of its teams: server-side SVG,
// accessible (a title and a summary).
func funnelChart(f paved.Funnel) template.HTML {
	steps := []struct {
		label string
		n     int
	}{{"invited", f.Invited}, {"first deployment", f.Deployed}, {"deploying weekly", f.Weekly}}
	const width, bar, gap, label = 640.0, 24.0, 12.0, 150.0
	most := max(f.Invited, f.Deployed, f.Weekly, 1)
	scale := (width - label - 60) / float64(most)
	h := float64(len(steps))*(bar+gap) + gap
	var b strings.Builder
	var summary []string
	for i, s := range steps {
		y := gap + float64(i)*(bar+gap)
		summary = append(summary, fmt.Sprintf("%s %d", s.label, s.n))
		fmt.Fprintf(&b, `<text class="label" x="0" y="%.1f">%s</text>`, y+bar*0.7, s.label)
		w := max(1, float64(s.n)*scale)
		fmt.Fprintf(&b, `<rect class="bar funnel-%d" x="%.1f" y="%.1f" width="%.1f" height="%.1f"></rect>`, i, label, y, w, bar)
		fmt.Fprintf(&b, `<text class="value" x="%.1f" y="%.1f">%d</text>`, label+w+6, y+bar*0.7, s.n)
	}
	name := fmt.Sprintf("cohort %d (%s)", f.Cohort, f.Name)
	return template.HTML(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="%s" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f"><title>%s</title>%s</svg>`,
		template.HTMLEscapeString("the funnel of "+name+", teams: "+strings.Join(summary, ", ")), width, h, width, h,
		template.HTMLEscapeString("The funnel of "+name), b.String()))
}

// programPhase is what the home page says of the program: the current
// phase and how many of its checks are done.
type programPhase struct {
	Phase       string
	Iteration   int
	Done, Total int
}

func (p *Portal) programPhase(rq *request) (*programPhase, error) {
	if p.svc.Program == nil {
		return nil, nil
	}
	v, err := p.svc.Program.Phases(rq.ctx)
	if err != nil {
		return nil, err
	}
	out := &programPhase{Phase: v.Phase, Iteration: v.Program.Iteration}
	for _, ph := range v.Phases {
		if ph.Phase != v.Phase {
			continue
		}
		for _, c := range ph.Checks {
			out.Total++
			if c.Done {
				out.Done++
			}
		}
	}
	return out, nil
}
