package portal

import (
	"net/http"
	"slices"
	"strings"

	"paved.dev/paved"
)

// health is the last probe of a target or definition, from the audit log.
type health struct {
	Name, Kind, Status, Message string
	Entry                       *paved.AuditEntry
}

// lastProbes reads the newest probe result of each target and definition
// from the audit log, where probes record them.
func (p *Portal) lastProbes(rq *request) (map[string]health, error) {
	out := map[string]health{}
	for _, kind := range []string{"target", "definition"} {
		es, err := p.svc.Audit.ListAudit(rq.ctx, paved.AuditFilter{Action: kind + ".probe", Limit: 500})
		if err != nil {
			return nil, err
		}
		for i := range es {
			key := kind + "/" + es[i].Target
			if _, seen := out[key]; seen {
				continue // newest first
			}
			st, msg, _ := strings.Cut(es[i].Result, ": ")
			if es[i].Result == "ok" {
				st, msg = "ok", ""
			}
			out[key] = health{Name: es[i].Target, Kind: kind, Status: st, Message: msg, Entry: &es[i]}
		}
	}
	return out, nil
}

type homePage struct {
	Pioneers    []paved.Team
	Apps        []paved.App
	Deployments []paved.Deployment
	Targets     []paved.TargetInfo
	Definitions []paved.ResourceDefinition
	Probes      map[string]health
	Next        []nextStep
	Failed      int
	// Program is the MVP program's current phase (nil: no program).
	Program *programPhase
}

func (homePage) title() string { return "Home" }

// nextStep is a suggestion of what to do next, with where to do it.
type nextStep struct{ Text, Href, Command string }

func (p *Portal) home(rq *request) error {
	teams, err := p.svc.Teams.ListTeams(rq.ctx)
	if err != nil {
		return err
	}
	apps, err := p.svc.Apps.ListApps(rq.ctx)
	if err != nil {
		return err
	}
	deps, err := p.svc.Deployments.ListDeployments(rq.ctx, paved.DeploymentFilter{Limit: 10})
	if err != nil {
		return err
	}
	targets, err := p.svc.Targets.ListTargets(rq.ctx)
	if err != nil {
		return err
	}
	defs, err := p.svc.Definitions.ListDefinitions(rq.ctx)
	if err != nil {
		return err
	}
	probes, err := p.lastProbes(rq)
	if err != nil {
		return err
	}
	phase, err := p.programPhase(rq)
	if err != nil {
		return err
	}
	h := homePage{Apps: apps, Deployments: deps, Targets: targets, Definitions: defs, Probes: probes, Program: phase}
	for _, t := range teams {
		if t.Pioneering {
			h.Pioneers = append(h.Pioneers, t)
		}
	}
	for _, d := range deps {
		if d.Status == paved.DeploymentFailed {
			h.Failed++
		}
	}
	h.Next = nextSteps(rq.user, h, teams)
	p.render(rq.w, rq.r, rq, http.StatusOK, "home", h)
	return nil
}

// nextSteps says what whoever is logged in could do next, from what the
// platform holds.
func nextSteps(u *paved.User, h homePage, teams []paved.Team) []nextStep {
	var out []nextStep
	mine := slices.DeleteFunc(slices.Clone(h.Apps), func(a paved.App) bool { return !mayChange(u, a.Team) })
	switch u.Role {
	case paved.RoleAdmin:
		if len(h.Pioneers) == 0 {
			out = append(out, nextStep{Text: "Choose the pioneering team: the MVP starts with one team", Href: "/platform/teams", Command: "paved team create payments --pioneering"})
		}
		if len(h.Definitions) == 0 {
			out = append(out, nextStep{Text: "Define how resources are provided outside development (built-in definitions serve development and previews)", Href: "/platform/definitions", Command: "paved definitions apply -f ./definitions"})
		}
		if len(h.Apps) == 0 {
			out = append(out, nextStep{Text: "Create the pioneering team's first app", Href: "/apps", Command: "paved app create shop --team payments"})
		}
		unprobed := 0
		for _, t := range h.Targets {
			if _, ok := h.Probes["target/"+t.Name]; !ok {
				unprobed++
			}
		}
		if unprobed > 0 {
			out = append(out, nextStep{Text: "Probe the targets that were never probed, to know paved reaches them", Href: "/platform/targets", Command: "paved targets probe NAME"})
		}
	case paved.RoleDeveloper:
		if len(mine) == 0 && len(u.Teams) > 0 {
			out = append(out, nextStep{Text: "Create an app for your team", Href: "/apps", Command: "paved app create NAME --team " + u.Teams[0]})
		}
	default:
		out = append(out, nextStep{Text: "Read who changed what in the audit log", Href: "/audit"}, nextStep{Text: "See each app's environments and what runs there", Href: "/apps"})
	}
	if len(mine) > 0 {
		deployed := false
		for _, d := range h.Deployments {
			for _, a := range mine {
				if d.App == a.Name {
					deployed = true
				}
			}
		}
		if !deployed {
			out = append(out, nextStep{Text: "Deploy " + mine[0].Name + " to a development environment", Href: "/deploy?app=" + mine[0].Name, Command: "paved deploy -f score.yaml --app " + mine[0].Name + " --env dev"})
		} else {
			out = append(out, nextStep{Text: "Open a preview environment from " + mine[0].Name + "'s dev environment", Href: "/apps/" + mine[0].Name})
		}
		if h.Failed > 0 {
			out = append(out, nextStep{Text: "Look at the failed deployments below"})
		}
	}
	return out
}
