package portal

import (
	"net/http"
	"time"

	"paved.dev/paved"
)

// The platform team's pages: definitions, targets, teams, users and their
// tokens. Everyone may read them (stakeholders too); changes are the CLI's
// and the API's, as the pages say.

type platformPage struct {
	Definitions, Targets, Teams, Users int
	Probes                             map[string]health
}

func (platformPage) title() string { return "Platform" }

func (p *Portal) platform(rq *request) error {
	defs, err := p.svc.Definitions.ListDefinitions(rq.ctx)
	if err != nil {
		return err
	}
	targets, err := p.svc.Targets.ListTargets(rq.ctx)
	if err != nil {
		return err
	}
	teams, err := p.svc.Teams.ListTeams(rq.ctx)
	if err != nil {
		return err
	}
	users, err := p.svc.Users.ListUsers(rq.ctx)
	if err != nil {
		return err
	}
	p.render(rq.w, rq.r, rq, http.StatusOK, "platform", platformPage{Definitions: len(defs), Targets: len(targets), Teams: len(teams), Users: len(users)})
	return nil
}

type definitionsPage struct {
	Definitions []paved.ResourceDefinition
	Probes      map[string]health
}

func (definitionsPage) title() string { return "Resource definitions" }

func (p *Portal) definitions(rq *request) error {
	defs, err := p.svc.Definitions.ListDefinitions(rq.ctx)
	if err != nil {
		return err
	}
	probes, err := p.lastProbes(rq)
	if err != nil {
		return err
	}
	p.render(rq.w, rq.r, rq, http.StatusOK, "definitions", definitionsPage{Definitions: defs, Probes: probes})
	return nil
}

type historyPage struct {
	ID       string
	Versions []paved.ResourceDefinition
}

func (h historyPage) title() string { return "Definition " + h.ID }

func (p *Portal) definitionHistory(rq *request) error {
	id := rq.r.PathValue("id")
	h, err := p.svc.Definitions.DefinitionHistory(rq.ctx, id)
	if err != nil {
		return err
	}
	if len(h) == 0 {
		return paved.Errorf(paved.ENOTFOUND, "no stored definition %q (built-in definitions have no history)", id)
	}
	// Newest first.
	for i, j := 0, len(h)-1; i < j; i, j = i+1, j-1 {
		h[i], h[j] = h[j], h[i]
	}
	p.render(rq.w, rq.r, rq, http.StatusOK, "history", historyPage{ID: id, Versions: h})
	return nil
}

type targetsPage struct {
	Targets []paved.TargetInfo
	Probes  map[string]health
}

func (targetsPage) title() string { return "Targets" }

func (p *Portal) targets(rq *request) error {
	ts, err := p.svc.Targets.ListTargets(rq.ctx)
	if err != nil {
		return err
	}
	probes, err := p.lastProbes(rq)
	if err != nil {
		return err
	}
	p.render(rq.w, rq.r, rq, http.StatusOK, "targets", targetsPage{Targets: ts, Probes: probes})
	return nil
}

type teamsPage struct {
	Teams []paved.Team
	Apps  map[string][]string
	Users map[string][]string
}

func (teamsPage) title() string { return "Teams" }

func (p *Portal) teams(rq *request) error {
	ts, err := p.svc.Teams.ListTeams(rq.ctx)
	if err != nil {
		return err
	}
	apps, err := p.svc.Apps.ListApps(rq.ctx)
	if err != nil {
		return err
	}
	users, err := p.svc.Users.ListUsers(rq.ctx)
	if err != nil {
		return err
	}
	page := teamsPage{Teams: ts, Apps: map[string][]string{}, Users: map[string][]string{}}
	for _, a := range apps {
		page.Apps[a.Team] = append(page.Apps[a.Team], a.Name)
	}
	for _, u := range users {
		for _, t := range u.Teams {
			page.Users[t] = append(page.Users[t], u.Name)
		}
	}
	p.render(rq.w, rq.r, rq, http.StatusOK, "teams", page)
	return nil
}

type usersPage struct{ Users []paved.User }

func (usersPage) title() string { return "Users" }

func (p *Portal) users(rq *request) error {
	us, err := p.svc.Users.ListUsers(rq.ctx)
	if err != nil {
		return err
	}
	p.render(rq.w, rq.r, rq, http.StatusOK, "users", usersPage{Users: us})
	return nil
}

type userPage struct {
	Name     string
	User     *paved.User
	Tokens   []tokenRow
	TokenErr string
}

type tokenRow struct {
	paved.Token
	Active bool
}

func (u userPage) title() string { return "User " + u.Name }

// user shows a user and, to an admin or the user, their tokens.
func (p *Portal) user(rq *request) error {
	name := rq.r.PathValue("user")
	us, err := p.svc.Users.ListUsers(rq.ctx)
	if err != nil {
		return err
	}
	page := userPage{Name: name}
	for i := range us {
		if us[i].Name == name {
			page.User = &us[i]
		}
	}
	if page.User == nil {
		return paved.Errorf(paved.ENOTFOUND, "no user %q", name)
	}
	toks, err := p.svc.Users.ListTokens(rq.ctx, name)
	switch {
	case paved.ErrorCode(err) == paved.EFORBIDDEN:
		page.TokenErr = "Only an admin, or " + name + ", sees these tokens."
	case err != nil:
		return err
	}
	now := p.now()
	for i := range toks {
		page.Tokens = append(page.Tokens, tokenRow{Token: toks[i], Active: toks[i].Active(now)})
	}
	p.render(rq.w, rq.r, rq, http.StatusOK, "user", page)
	return nil
}

type auditPage struct {
	Entries              []paved.AuditEntry
	Actor, Action, Since string
	Problem              string
}

func (auditPage) title() string { return "Audit log" }

func (p *Portal) audit(rq *request) error {
	q := rq.r.URL.Query()
	page := auditPage{Actor: q.Get("actor"), Action: q.Get("action"), Since: q.Get("since")}
	f := paved.AuditFilter{Actor: page.Actor, Action: page.Action, Limit: 200}
	status := http.StatusOK
	if page.Since != "" {
		d, err := time.ParseDuration(page.Since)
		if err != nil || d <= 0 {
			page.Problem, status = "since: give a duration such as 24h or 30m", http.StatusBadRequest
		} else {
			t := p.now().Add(-d)
			f.Since = &t
		}
	}
	if page.Problem == "" {
		es, err := p.svc.Audit.ListAudit(rq.ctx, f)
		if err != nil {
			return err
		}
		page.Entries = es
	}
	p.render(rq.w, rq.r, rq, status, "audit", page)
	return nil
}
