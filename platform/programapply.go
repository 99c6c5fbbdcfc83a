package platform

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"paved.dev/paved"
)

// Bounds of a program spec.
const (
	maxProgramItems = 100
	maxProgramText  = 200
)

var doraMetrics = []string{"deployment_frequency", "change_lead_time", "change_fail_rate", "failed_deployment_recovery_time", "deployment_rework_rate"}

// validText checks one short text of a program spec.
func validText(field, s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return paved.Errorf(paved.EINVALID, "%s: must not be empty", field)
	case len(s) > maxProgramText:
		return paved.Errorf(paved.EINVALID, "%s: %d bytes, more than %d", field, len(s), maxProgramText)
	}
	return nil
}

// validateProgram checks a spec against itself and the platform's teams
// and apps; its errors name the field.
func (p *Platform) validateProgram(ctx context.Context, s *paved.ProgramSpec) error {
	if len(s.Objectives) > maxProgramItems || len(s.GoldenPaths) > maxProgramItems || len(s.Cohorts) > maxProgramItems || len(s.Requirements) > maxProgramItems {
		return paved.Errorf(paved.EINVALID, "program: at most %d objectives, golden paths, cohorts and requirements each", maxProgramItems)
	}
	ids := map[string]bool{}
	for i, o := range s.Objectives {
		f := fmt.Sprintf("objectives[%d]", i)
		if err := paved.ValidateName(f+".id", o.ID); err != nil {
			return err
		}
		if ids[o.ID] {
			return paved.Errorf(paved.EINVALID, "%s.id: %q is used twice", f, o.ID)
		}
		ids[o.ID] = true
		if err := validText(f+".title", o.Title); err != nil {
			return err
		}
		if !slices.Contains(doraMetrics, o.Metric) {
			return paved.Errorf(paved.EINVALID, "%s.metric: %q is not one of %s", f, o.Metric, strings.Join(doraMetrics, ", "))
		}
		if o.Target < 0 {
			return paved.Errorf(paved.EINVALID, "%s.target: %v is negative", f, o.Target)
		}
		if (o.Metric == "change_fail_rate" || o.Metric == "deployment_rework_rate") && o.Target > 1 {
			return paved.Errorf(paved.EINVALID, "%s.target: %s is a fraction from 0 to 1 (0.15 for 15%%), not %v", f, o.Metric, o.Target)
		}
		if o.Team != "" {
			if _, err := p.cfg.Store.GetTeam(ctx, o.Team); err != nil {
				return paved.Errorf(paved.ErrorCode(err), "%s.team: %s", f, paved.ErrorMessage(err))
			}
		}
	}
	for i, g := range s.GoldenPaths {
		if err := validText(fmt.Sprintf("golden_paths[%d]", i), g); err != nil {
			return err
		}
	}
	if s.RepresentativeApp != "" {
		if _, err := p.cfg.Store.GetApp(ctx, s.RepresentativeApp); err != nil {
			return paved.Errorf(paved.ErrorCode(err), "representative_app: %s", paved.ErrorMessage(err))
		}
	}
	numbers := map[int]bool{}
	for i, c := range s.Cohorts {
		f := fmt.Sprintf("cohorts[%d]", i)
		if c.Number < 1 {
			return paved.Errorf(paved.EINVALID, "%s.number: %d; cohorts are numbered from 1 (teams name theirs: paved team update TEAM --cohort N)", f, c.Number)
		}
		if numbers[c.Number] {
			return paved.Errorf(paved.EINVALID, "%s.number: %d is used twice", f, c.Number)
		}
		numbers[c.Number] = true
		if err := validText(f+".name", c.Name); err != nil {
			return err
		}
		if c.Priority < 0 {
			return paved.Errorf(paved.EINVALID, "%s.priority: %d is negative", f, c.Priority)
		}
	}
	if s.NextCohort != 0 && !numbers[s.NextCohort] {
		return paved.Errorf(paved.EINVALID, "next_cohort: %d is not one of the cohorts", s.NextCohort)
	}
	for i, r := range s.Requirements {
		f := fmt.Sprintf("requirements[%d]", i)
		if !numbers[r.Cohort] {
			return paved.Errorf(paved.EINVALID, "%s.cohort: %d is not one of the cohorts", f, r.Cohort)
		}
		if err := validText(f+".title", r.Title); err != nil {
			return err
		}
	}
	return nil
}

// conflictRetries is how often a change of the program is tried again when
// another change was stored meanwhile (it is computed again on the new
// version each time).
const conflictRetries = 5

// changeProgram loads the program, lets change edit it and stores it,
// again on the newer version when another change was stored meanwhile.
func (p *Platform) changeProgram(ctx context.Context, by string, change func(*paved.Program) error) (*paved.Program, error) {
	for attempt := 0; ; attempt++ {
		pr, err := p.loadProgram(ctx)
		if err != nil {
			return nil, err
		}
		if err := change(pr); err != nil {
			return nil, err
		}
		err = p.saveProgram(ctx, pr, by)
		if err == nil {
			return pr, nil
		}
		if paved.ErrorCode(err) != paved.ECONFLICT || attempt == conflictRetries {
			return nil, err
		}
	}
}

// ApplyProgram replaces the program's spec (admin), keeping the
// iteration, the communication log, the history and when each cohort was
// invited. Audited (program.apply).
func (p *Platform) ApplyProgram(ctx context.Context, spec *paved.ProgramSpec) (_ *paved.Program, err error) {
	defer func() { p.audit(ctx, "program.apply", "program", err) }()
	u, err := requireAdmin(ctx, "changing the program")
	if err != nil {
		return nil, err
	}
	if err := p.validateProgram(ctx, spec); err != nil {
		return nil, err
	}
	return p.changeProgram(ctx, u.Name, func(pr *paved.Program) error {
		invited := map[int]paved.Cohort{}
		for _, c := range pr.Cohorts {
			invited[c.Number] = c
		}
		pr.ProgramSpec = paved.ProgramSpec{
			Objectives: slices.Clone(spec.Objectives), RepresentativeApp: spec.RepresentativeApp,
			Cohorts: slices.Clone(spec.Cohorts), NextCohort: spec.NextCohort, Requirements: slices.Clone(spec.Requirements),
		}
		for _, g := range spec.GoldenPaths {
			if g = strings.TrimSpace(g); !slices.Contains(pr.GoldenPaths, g) {
				pr.GoldenPaths = append(pr.GoldenPaths, g)
			}
		}
		for i := range pr.Cohorts {
			pr.Cohorts[i].InvitedAt = invited[pr.Cohorts[i].Number].InvitedAt
		}
		for i := range pr.Requirements {
			pr.Requirements[i].Computed = false
		}
		return nil
	})
}

// InviteCohort records that a cohort's teams were invited now (admin):
// the funnel counts from it. Audited (program.invite).
func (p *Platform) InviteCohort(ctx context.Context, number int) (_ *paved.Program, err error) {
	defer func() { p.audit(ctx, "program.invite", fmt.Sprintf("cohort %d", number), err) }()
	u, err := requireAdmin(ctx, "inviting a cohort")
	if err != nil {
		return nil, err
	}
	now := p.now()
	return p.changeProgram(ctx, u.Name, func(pr *paved.Program) error {
		i := slices.IndexFunc(pr.Cohorts, func(c paved.Cohort) bool { return c.Number == number })
		if i < 0 {
			return paved.Errorf(paved.ENOTFOUND, "cohort %d is not in the program; add it under cohorts: paved program apply -f program.yaml", number)
		}
		if pr.Cohorts[i].InvitedAt != nil {
			return paved.Errorf(paved.ECONFLICT, "cohort %d was invited on %s; its funnel counts from then", number, pr.Cohorts[i].InvitedAt.UTC().Format(time.DateOnly))
		}
		pr.Cohorts[i].InvitedAt = &now
		return nil
	})
}

// Announce adds an entry to the communication log (admin). Audited.
func (p *Platform) Announce(ctx context.Context, a *paved.Announcement) (_ *paved.Program, err error) {
	defer func() { p.audit(ctx, "program.announce", auditSubject(a.Audience), err) }()
	u, err := requireAdmin(ctx, "announcing")
	if err != nil {
		return nil, err
	}
	if err := validText("audience", a.Audience); err != nil {
		return nil, err
	}
	if err := validText("title", a.Title); err != nil {
		return nil, err
	}
	entry := paved.Announcement{At: p.now(), By: u.Name, Audience: strings.TrimSpace(a.Audience), Title: strings.TrimSpace(a.Title)}
	return p.changeProgram(ctx, u.Name, func(pr *paved.Program) error {
		if len(pr.Announcements) >= maxAnnouncements {
			return paved.Errorf(paved.EINVALID, "this iteration's communication log holds %d announcements; the next iteration (paved program next) archives them", maxAnnouncements)
		}
		pr.Announcements = append(pr.Announcements, entry)
		return nil
	})
}

// maxAnnouncements bounds an iteration's communication log.
const maxAnnouncements = 500

// NextIteration ends the current iteration, keeping its phases and
// objectives as they stand, and starts the next at Discovery for the
// next cohort (admin). Refused until every phase is done, unless force.
// Audited (program.next).
func (p *Platform) NextIteration(ctx context.Context, force bool) (_ *paved.Program, err error) {
	defer func() { p.audit(ctx, "program.next", fmt.Sprintf("force=%v", force), err) }()
	u, err := requireAdmin(ctx, "starting the next iteration")
	if err != nil {
		return nil, err
	}
	v, err := p.Program(ctx)
	if err != nil {
		return nil, err
	}
	pr := v.Program
	if !force {
		var open []string
		for _, ph := range v.Phases {
			for _, c := range ph.Checks {
				if !c.Done {
					open = append(open, ph.Phase+"/"+c.ID)
				}
			}
		}
		if len(open) > 0 {
			return nil, paved.Errorf(paved.ECONFLICT, "iteration %d is not done: %s are open; finish them, or force the next iteration (paved program next --force)", pr.Iteration, strings.Join(open, ", "))
		}
	}
	now := p.now()
	pr.History = append(pr.History, paved.Iteration{Number: pr.Iteration, Cohort: pr.Cohort, StartedAt: pr.StartedAt, EndedAt: now,
		Phases: v.Phases, Measured: v.Objectives, Announcements: pr.Announcements})
	pr.Iteration++
	pr.StartedAt = now
	pr.Cohort, pr.NextCohort = pr.NextCohort, 0
	pr.Announcements = nil
	if err := p.saveProgram(ctx, pr, u.Name); err != nil {
		return nil, err
	}
	return pr, nil
}
