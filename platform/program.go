package platform

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"paved.dev/paved"
)

// loadProgram reads the program; before the platform team applies one it
// is the first iteration, which counts everything the platform has seen
// (it starts at the zero time, and keeps it when first stored).
func (p *Platform) loadProgram(ctx context.Context) (*paved.Program, error) {
	pr, err := p.cfg.Store.GetProgram(ctx)
	if paved.ErrorCode(err) == paved.ENOTFOUND {
		return &paved.Program{Iteration: 1}, nil
	}
	return pr, err
}

// saveProgram stores the next version of the program, by the caller.
func (p *Platform) saveProgram(ctx context.Context, pr *paved.Program, by string) error {
	pr.Version++
	pr.UpdatedBy, pr.UpdatedAt = by, p.now()
	return p.cfg.Store.PutProgram(ctx, pr)
}

// Program computes the program as it stands: every phase's checks from
// the platform's data and the manual checks' confirmations, the current
// phase (the first incomplete one), objectives measured, each cohort's
// funnel, requirements and pitfalls.
func (p *Platform) Program(ctx context.Context) (*paved.ProgramView, error) {
	v, f, err := p.programPhases(ctx)
	if err != nil {
		return nil, err
	}
	pr := v.Program
	if v.Objectives, err = p.measureObjectives(ctx, pr, f); err != nil {
		return nil, err
	}
	if v.Funnels, err = p.funnels(ctx, pr, f); err != nil {
		return nil, err
	}
	if v.Requirements, err = p.requirements(ctx, pr, f); err != nil {
		return nil, err
	}
	v.Pitfalls = p.pitfalls(f)
	return v, nil
}

// Phases computes the program's phases and the current one only.
func (p *Platform) Phases(ctx context.Context) (*paved.ProgramView, error) {
	v, _, err := p.programPhases(ctx)
	return v, err
}

func (p *Platform) programPhases(ctx context.Context) (*paved.ProgramView, *programFacts, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, nil, err
	}
	pr, err := p.loadProgram(ctx)
	if err != nil {
		return nil, nil, err
	}
	f, err := p.programFacts(ctx, pr)
	if err != nil {
		return nil, nil, err
	}
	v := &paved.ProgramView{Program: pr}
	if v.Phases, err = p.phases(ctx, pr, f); err != nil {
		return nil, nil, err
	}
	v.Phase = paved.Phases[len(paved.Phases)-1]
	for _, ph := range v.Phases {
		if !ph.Done {
			v.Phase = ph.Phase
			break
		}
	}
	return v, f, nil
}

// phases computes each phase's automatic checks and adds its manual ones.
func (p *Platform) phases(ctx context.Context, pr *paved.Program, f *programFacts) ([]paved.PhaseStatus, error) {
	auto := map[string][]paved.PhaseCheck{
		"discovery":   f.discovery(pr),
		"integration": f.integration(),
		"deployment":  f.deployment(),
		"adoption":    f.adoption(pr),
	}
	var out []paved.PhaseStatus
	for _, phase := range paved.Phases {
		checks := auto[phase]
		manual, err := p.manualPhaseChecks(ctx, phase, pr.Iteration)
		if err != nil {
			return nil, err
		}
		checks = append(checks, manual...)
		done := !slices.ContainsFunc(checks, func(c paved.PhaseCheck) bool { return !c.Done })
		out = append(out, paved.PhaseStatus{Phase: phase, Done: done, Checks: checks})
	}
	return out, nil
}

// manualPhaseChecks are the program.<phase> checks, done when confirmed
// for this iteration.
func (p *Platform) manualPhaseChecks(ctx context.Context, phase string, iteration int) ([]paved.PhaseCheck, error) {
	scope := paved.ScopeProgramPrefix + phase
	checks, err := p.cfg.Store.ListChecks(ctx, scope)
	if err != nil || len(checks) == 0 {
		return nil, err
	}
	confs, err := p.cfg.Store.ListConfirmations(ctx, scope, strconv.Itoa(iteration))
	if err != nil {
		return nil, err
	}
	var out []paved.PhaseCheck
	for _, c := range checks {
		done := slices.ContainsFunc(confs, func(k paved.CheckConfirmation) bool { return k.CheckID == c.ID && k.Role == c.Role })
		pc := paved.PhaseCheck{ID: "check-" + c.ID, Title: c.Title, Done: done, Manual: true, Role: c.Role}
		if !done {
			pc.Why = fmt.Sprintf("a %s user confirms it: paved checks confirm %s --scope %s --iteration %d", c.Role, c.ID, scope, iteration)
			if c.How != "" {
				pc.Why = c.How + "; then " + pc.Why
			}
		}
		out = append(out, pc)
	}
	return out, nil
}

func check(id, title string, done bool, why string) paved.PhaseCheck {
	if done {
		why = ""
	}
	return paved.PhaseCheck{ID: id, Title: title, Done: done, Why: why}
}

func (f *programFacts) discovery(pr *paved.Program) []paved.PhaseCheck {
	out := []paved.PhaseCheck{
		check("pioneering-team", "a pioneering team chosen", f.pioneer != "",
			"mark the team the MVP serves first: paved team update TEAM --pioneering"),
		check("golden-paths", "golden paths agreed", len(pr.GoldenPaths) > 0,
			"list the golden paths agreed with the pioneering team under golden_paths: paved program apply -f program.yaml"),
	}
	for _, role := range signOffRoles {
		out = append(out, check("stakeholder-"+string(role), "a "+string(role)+" stakeholder takes part", f.roles[role] > 0,
			fmt.Sprintf("invite someone from %s: paved user create NAME --role %s", role, role)))
	}
	out = append(out, check("objectives", "objectives set, each with a target metric", len(pr.Objectives) > 0,
		"say what the MVP must achieve under objectives (a metric and a target each): paved program apply -f program.yaml"))
	return out
}

func (f *programFacts) integration() []paved.PhaseCheck {
	var healthy []string
	for _, t := range f.targets {
		if f.probes["target/"+t] == "ok" {
			healthy = append(healthy, t)
		}
	}
	why := "probe a target until it passes: paved targets probe NAME"
	if len(f.targets) == 0 {
		why = "register a target (a cluster or the GitOps repository): paved targets add"
	}
	out := []paved.PhaseCheck{check("target-healthy", "a target passes its health check", len(healthy) > 0, why)}
	if len(f.repTypes) == 0 && f.repAny {
		out = append(out, check("definitions-healthy", "a definition for each representative resource type passes its health check", true, ""))
		return out
	}
	if len(f.repTypes) == 0 {
		out = append(out, check("definitions-healthy", "a definition for each representative resource type passes its health check", false,
			"deploy the representative app once, so that its resource types are known, then probe their definitions: paved definitions probe"))
		return out
	}
	// A built-in definition renders objects into the environment: the
	// target's probe covers what it needs. A stored one must pass its own
	// probe (or have nothing outside the cluster to check).
	var failing []string
	for _, typ := range f.repTypes {
		ref := f.typeDefs[typ]
		if ref.Version == 0 {
			continue
		}
		st, ok := f.probes["definition/"+ref.ID]
		switch {
		case !ok:
			failing = append(failing, typ+" ("+ref.ID+" never probed)")
		case st != "ok" && st != string(paved.ProbeNotChecked):
			failing = append(failing, typ+" ("+ref.ID+": "+st+")")
		}
	}
	out = append(out, check("definitions-healthy", "a definition for each representative resource type passes its health check", len(failing) == 0,
		"probe them until they pass: paved definitions probe; failing: "+strings.Join(failing, ", ")))
	return out
}

func (f *programFacts) deployment() []paved.PhaseCheck {
	app := f.repApp
	if app == "" {
		return []paved.PhaseCheck{check("representative-app", "the representative app deployed to dev and staging", false,
			"create an app for the pioneering team (or name one under representative_app), then deploy it to dev and promote it to staging")}
	}
	var missing []string
	for _, t := range []paved.EnvType{paved.EnvDevelopment, paved.EnvStaging} {
		if !f.repDeployed[t] {
			missing = append(missing, string(t))
		}
	}
	out := []paved.PhaseCheck{check("representative-app", "the representative app ("+app+") deployed end to end to dev and staging", len(missing) == 0,
		fmt.Sprintf("%s has no successful deployment in %s: paved deploy -f score.yaml --app %s --env dev, then paved env promote dev staging --app %s", app, strings.Join(missing, " and "), app, app))}
	out = append(out,
		check("preview-reaped", "a preview environment created and reaped", f.reaped,
			fmt.Sprintf("open a preview with a short TTL and let it expire: paved env create pr-1 --app %s --from dev --ttl 1h", app)),
		check("rollback", "a rollback done", f.rolledBack, fmt.Sprintf("roll an environment back once: paved rollback --app %s --env dev", app)))
	// Where no policy exists there is nothing to evaluate (the narrow-focus
	// pitfall says so); where policies exist, a deployment must have
	// passed them in this iteration.
	out = append(out, check("policies-evaluated", "policies evaluated on a deployment where they exist", f.policies == 0 || f.judged,
		"deploy successfully once in this iteration: every deployment passes the policy gate"))
	return out
}

func (f *programFacts) adoption(pr *paved.Program) []paved.PhaseCheck {
	var out []paved.PhaseCheck
	for _, aud := range []string{"leadership", "engineering"} {
		out = append(out, check("report-"+aud, "a demo report produced for "+aud, f.reports[aud],
			fmt.Sprintf("produce it: paved report --audience %s -o %s.html", aud, aud)))
	}
	chosen := pr.NextCohort != 0 && slices.ContainsFunc(pr.Cohorts, func(c paved.Cohort) bool { return c.Number == pr.NextCohort })
	out = append(out,
		check("next-cohort", "the next cohort chosen", chosen, "name it under next_cohort (one of cohorts): paved program apply -f program.yaml"),
		check("feedback", "feedback collected in this iteration", f.feedback > 0, `ask the teams; they answer with paved feedback "..." or on the portal`),
		check("second-team", "a second team deploying", f.secondTeam != "", f.secondWhy()))
	return out
}
