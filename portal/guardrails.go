package portal

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strings"

	"paved.dev/paved"
)

// The guardrails' pages: policies and waivers (security, data, finance),
// costs and budgets (finance), and an app's production readiness with its
// sign-offs.

type policiesPage struct {
	Policies []paved.Policy
	Waivers  []paved.Waiver
	Role     paved.Role
	Admin    bool
}

func (policiesPage) title() string { return "Policies and waivers" }

func (p *Portal) policies(rq *request) error {
	if p.svc.Policies == nil || p.svc.Waivers == nil {
		return paved.Errorf(paved.EUNAVAILABLE, "this server serves no policies")
	}
	ps, err := p.svc.Policies.ListPolicies(rq.ctx)
	if err != nil {
		return err
	}
	ws, err := p.svc.Waivers.ListWaivers(rq.ctx, paved.WaiverFilter{})
	if err != nil {
		return err
	}
	p.render(rq.w, rq.r, rq, http.StatusOK, "policies", policiesPage{Policies: ps, Waivers: ws, Role: rq.user.Role, Admin: isAdmin(rq.user)})
	return nil
}

// decideWaiver approves or rejects a waiver from the policies page.
func (p *Portal) decideWaiver(rq *request) error {
	decision := rq.r.PostFormValue("decision")
	if decision != "approve" && decision != "reject" {
		return paved.Errorf(paved.EINVALID, "decision: %q is not approve or reject", decision)
	}
	approve := decision == "approve"
	w, err := p.svc.Waivers.DecideWaiver(rq.ctx, rq.r.PathValue("id"), approve)
	if err != nil {
		return err
	}
	setFlash(rq.w, rq.r, fmt.Sprintf("Waiver %s of %s for %s/%s %s.", w.ID, w.Rule, w.App, w.Env, w.Status))
	http.Redirect(rq.w, rq.r, "/platform/policies", http.StatusSeeOther)
	return nil
}

type costsPage struct {
	Report *paved.CostReport
	Chart  template.HTML
}

func (costsPage) title() string { return "Costs and budgets" }

func (p *Portal) costs(rq *request) error {
	if p.svc.Prices == nil {
		return paved.Errorf(paved.EUNAVAILABLE, "this server serves no cost estimates")
	}
	rep, err := p.svc.Prices.CostReport(rq.ctx, paved.CostFilter{})
	if err != nil {
		return err
	}
	p.render(rq.w, rq.r, rq, http.StatusOK, "costs", costsPage{Report: rep, Chart: budgetChart(rep)})
	return nil
}

// budgetChart draws each team's monthly estimate against its budget as
// horizontal bars: server-side SVG, accessible (a title and a summary).
func budgetChart(rep *paved.CostReport) template.HTML {
	if len(rep.Teams) == 0 {
		return ""
	}
	const width, bar, gap, label = 640.0, 22.0, 14.0, 140.0
	most := 0.0
	for _, t := range rep.Teams {
		most = math.Max(most, t.Monthly)
		if t.Budget != nil {
			most = math.Max(most, t.Budget.Monthly)
		}
	}
	if most == 0 {
		most = 1
	}
	scale := (width - label - 120) / most
	h := float64(len(rep.Teams))*(bar+gap) + gap
	var b strings.Builder
	var summary []string
	for i, t := range rep.Teams {
		y := gap + float64(i)*(bar+gap)
		s := fmt.Sprintf("%s %.2f %s", t.Team, t.Monthly, rep.Currency)
		if t.Budget != nil {
			s += fmt.Sprintf(" of a budget of %.2f", t.Budget.Monthly)
		}
		summary = append(summary, s)
		fmt.Fprintf(&b, `<text class="label" x="0" y="%.1f">%s</text>`, y+bar*0.7, template.HTMLEscapeString(t.Team))
		class := "bar"
		if t.Budget != nil && t.Budget.Monthly > 0 && t.Monthly > t.Budget.Monthly {
			class = "bar bar-over"
		} else if t.Budget != nil && t.Budget.Monthly > 0 && t.Used >= 0.8 {
			class = "bar bar-warn"
		}
		fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"></rect>`, class, label, y, math.Max(1, t.Monthly*scale), bar)
		if t.Budget != nil && t.Budget.Monthly > 0 {
			x := label + t.Budget.Monthly*scale
			fmt.Fprintf(&b, `<line class="budget" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"></line>`, x, y-3, x, y+bar+3)
		}
		fmt.Fprintf(&b, `<text class="value" x="%.1f" y="%.1f">%.2f</text>`, label+math.Max(1, t.Monthly*scale)+6, y+bar*0.7, t.Monthly)
	}
	return template.HTML(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="%s" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f"><title>Monthly estimate by team, against budgets</title>%s</svg>`,
		template.HTMLEscapeString("monthly estimate by team: "+strings.Join(summary, "; ")), width, h, width, h, b.String()))
}

type readinessPage struct {
	App     *paved.App
	R       *paved.Readiness
	MaySign bool
	// Confirm holds the manual checks the user may confirm: item id →
	// check id.
	Confirm map[string]string
}

func (r readinessPage) title() string { return "Readiness of " + r.App.Name }

func (p *Portal) readiness(rq *request) error {
	if p.svc.Readiness == nil {
		return paved.Errorf(paved.EUNAVAILABLE, "this server computes no readiness")
	}
	a, err := p.svc.Apps.GetApp(rq.ctx, rq.r.PathValue("app"))
	if err != nil {
		return err
	}
	r, err := p.svc.Readiness.Readiness(rq.ctx, a.Name)
	if err != nil {
		return err
	}
	role := rq.user.Role
	may := role == paved.RoleSecurity || role == paved.RoleData || role == paved.RoleFinance
	confirm := map[string]string{}
	for _, it := range r.Items {
		if id, ok := strings.CutPrefix(it.ID, "check-"); ok && !it.Done && it.Role == role {
			confirm[it.ID] = id
		}
	}
	p.render(rq.w, rq.r, rq, http.StatusOK, "readiness", readinessPage{App: a, R: r, MaySign: may, Confirm: confirm})
	return nil
}

// confirmCheck confirms a manual readiness check for the app.
func (p *Portal) confirmCheck(rq *request) error {
	if p.svc.Checks == nil {
		return paved.Errorf(paved.EUNAVAILABLE, "this server keeps no manual checks")
	}
	c, err := p.svc.Checks.ConfirmCheck(rq.ctx, paved.ScopeReadiness, rq.r.PathValue("id"), rq.r.PathValue("app"))
	if err != nil {
		return err
	}
	setFlash(rq.w, rq.r, fmt.Sprintf("%s confirmed %s for %s.", c.By, c.CheckID, c.Subject))
	http.Redirect(rq.w, rq.r, "/apps/"+url.PathEscape(c.Subject)+"/readiness", http.StatusSeeOther)
	return nil
}

func (p *Portal) signOff(rq *request) error {
	s, err := p.svc.Readiness.SignOff(rq.ctx, rq.r.PathValue("app"))
	if err != nil {
		return err
	}
	setFlash(rq.w, rq.r, fmt.Sprintf("%s signed %s off for %s.", s.By, s.App, s.Role))
	http.Redirect(rq.w, rq.r, "/apps/"+url.PathEscape(s.App)+"/readiness", http.StatusSeeOther)
	return nil
}
