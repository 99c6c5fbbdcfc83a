package paved

import (
	"context"
	"time"
)

// ProgramSpec is what the platform team declares of the MVP program:
// objectives, golden paths agreed with the pioneering team, the
// representative app, cohorts and the requirements found by hand. It is
// applied whole (paved program apply -f program.yaml), like definitions.
// Teams join a cohort by their Cohort number; the pioneering team is the
// team marked Pioneering.
type ProgramSpec struct {
	Objectives []Objective `json:"objectives,omitempty" yaml:"objectives,omitempty"`
	// GoldenPaths names the golden paths agreed in Discovery (templates,
	// or flows such as "deploy a service with a database to dev").
	GoldenPaths []string `json:"golden_paths,omitempty" yaml:"golden_paths,omitempty"`
	// RepresentativeApp is the app that proves the Deployment phase end
	// to end; empty: the pioneering team's first app.
	RepresentativeApp string   `json:"representative_app,omitempty" yaml:"representative_app,omitempty"`
	Cohorts           []Cohort `json:"cohorts,omitempty" yaml:"cohorts,omitempty"`
	// NextCohort is the cohort chosen to onboard next (0: none chosen).
	NextCohort   int           `json:"next_cohort,omitempty" yaml:"next_cohort,omitempty"`
	Requirements []Requirement `json:"requirements,omitempty" yaml:"requirements,omitempty"`
}

// Objective is an outcome the MVP aims at, measured by one metric.
type Objective struct {
	ID    string `json:"id" yaml:"id"`
	Title string `json:"title" yaml:"title"`
	// Metric is a DORA metric (deployment_frequency per day,
	// change_lead_time in hours, change_fail_rate and
	// deployment_rework_rate as fractions, failed_deployment_recovery_time
	// in hours).
	Metric string  `json:"metric" yaml:"metric"`
	Target float64 `json:"target" yaml:"target"`
	// AtMost: the objective is met at or below Target (lead time, fail
	// rate); otherwise at or above it (frequency).
	AtMost bool `json:"at_most,omitempty" yaml:"at_most,omitempty"`
	// Team measures one team; empty: the pioneering team.
	Team string `json:"team,omitempty" yaml:"team,omitempty"`
}

// Cohort is a group of teams onboarded together (teams name it by
// number).
type Cohort struct {
	Number int    `json:"number" yaml:"number"`
	Name   string `json:"name" yaml:"name"`
	// Priority orders cohorts not yet onboarded (1 first).
	Priority int `json:"priority,omitempty" yaml:"priority,omitempty"`
	// InvitedAt is when its teams were invited (paved program invite);
	// the funnel counts from it.
	InvitedAt *time.Time `json:"invited_at,omitempty" yaml:"-"`
}

// Requirement is something a cohort needs that the platform lacks.
type Requirement struct {
	Cohort int    `json:"cohort" yaml:"cohort"`
	Title  string `json:"title" yaml:"title"`
	// Computed requirements are found from the cohort's Score files
	// (a resource type without a definition); others are added by hand.
	Computed bool `json:"computed,omitempty" yaml:"-"`
}

// Announcement is an entry of the communication log.
type Announcement struct {
	At       time.Time `json:"at"`
	By       string    `json:"by"`
	Audience string    `json:"audience"`
	Title    string    `json:"title"`
}

// Program is the stored program: the spec, the current iteration, the
// communication log and the history of finished iterations.
type Program struct {
	ProgramSpec `yaml:",inline"`
	Iteration   int `json:"iteration"`
	// Cohort is the cohort this iteration onboards (the next cohort when
	// the iteration started; 0 in the first, the pioneering team's).
	Cohort        int            `json:"cohort,omitempty"`
	StartedAt     time.Time      `json:"started_at"`
	Announcements []Announcement `json:"announcements,omitempty"`
	History       []Iteration    `json:"history,omitempty"`
	Version       int            `json:"version"`
	UpdatedBy     string         `json:"updated_by,omitempty"`
	UpdatedAt     time.Time      `json:"updated_at,omitzero"`
}

// Iteration is a finished cycle of the program: when it ran, the cohort
// it onboarded, and its phases as they stood when it ended.
type Iteration struct {
	Number    int            `json:"number"`
	Cohort    int            `json:"cohort,omitempty"`
	StartedAt time.Time      `json:"started_at"`
	EndedAt   time.Time      `json:"ended_at"`
	Phases    []PhaseStatus  `json:"phases"`
	Measured  []ObjectiveNow `json:"objectives,omitempty"`
	// Announcements are the iteration's communication log, archived.
	Announcements []Announcement `json:"announcements,omitempty"`
}

// PhaseStatus is one phase of the program and its checks.
type PhaseStatus struct {
	Phase  string       `json:"phase"`
	Done   bool         `json:"done"`
	Checks []PhaseCheck `json:"checks"`
}

// PhaseCheck is one check of a phase: automatic (from the platform's data)
// or manual (confirmed by a role).
type PhaseCheck struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Done   bool   `json:"done"`
	Manual bool   `json:"manual,omitempty"`
	// Why says why it is not met and how to meet it.
	Why  string `json:"why,omitempty"`
	Role Role   `json:"role,omitempty"`
}

// ObjectiveNow is an objective with its measured value and trend.
type ObjectiveNow struct {
	Objective
	// Value is the metric over the last window; Previous over the window
	// before it (the trend). Nil when there is nothing to measure.
	Value    *float64 `json:"value"`
	Previous *float64 `json:"previous"`
	Met      bool     `json:"met"`
	// Measures says what was measured: the team, window and environment
	// type.
	Measures string `json:"measures"`
}

// Funnel is a cohort's adoption: its teams, invited → first deployment →
// deploying every week.
type Funnel struct {
	Cohort    int          `json:"cohort"`
	Name      string       `json:"name"`
	Invited   int          `json:"invited"`
	Deployed  int          `json:"first_deployment"`
	Weekly    int          `json:"deploying_weekly"`
	Teams     []TeamFunnel `json:"teams"`
	InvitedAt *time.Time   `json:"invited_at,omitempty"`
}

// TeamFunnel is one team's place in its cohort's funnel.
type TeamFunnel struct {
	Team            string     `json:"team"`
	FirstDeployment *time.Time `json:"first_deployment,omitempty"`
	// TimeToFirst is from the invitation to the first successful
	// deployment, in hours.
	TimeToFirst *float64 `json:"time_to_first_deployment_hours,omitempty"`
	Weekly      bool     `json:"deploying_weekly"`
}

// Pitfall is a warning from the framework's list of pitfalls, computed
// from the platform's data, with what to do about it.
type Pitfall struct {
	Kind    string `json:"kind"` // complexity, user-neglect, narrow-focus, tool-obsession
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

// ProgramView is the program as it stands: the current phase (the first
// incomplete one), every phase's checks, objectives measured, funnels,
// requirements and pitfalls.
type ProgramView struct {
	Program      *Program       `json:"program"`
	Phase        string         `json:"phase"`
	Phases       []PhaseStatus  `json:"phases"`
	Objectives   []ObjectiveNow `json:"objectives"`
	Funnels      []Funnel       `json:"funnels"`
	Requirements []Requirement  `json:"requirements"`
	Pitfalls     []Pitfall      `json:"pitfalls"`
}

// ProgramService runs the MVP program.
type ProgramService interface {
	Program(ctx context.Context) (*ProgramView, error)
	// Phases is Program with the phases only (no objectives, funnels,
	// requirements or pitfalls): what the current phase needs.
	Phases(ctx context.Context) (*ProgramView, error)
	// ApplyProgram replaces the program's spec (admin). Audited.
	ApplyProgram(ctx context.Context, spec *ProgramSpec) (*Program, error)
	// InviteCohort records that a cohort's teams were invited (admin).
	InviteCohort(ctx context.Context, number int) (*Program, error)
	// Announce adds to the communication log (admin).
	Announce(ctx context.Context, a *Announcement) (*Program, error)
	// NextIteration ends the current iteration, keeping its phases, and
	// starts the next at Discovery with the next cohort (admin); refused
	// until Adoption is done unless force.
	NextIteration(ctx context.Context, force bool) (*Program, error)
}

// ProgramStore persists the program, one document, versioned: PutProgram
// refuses (ECONFLICT) a program whose Version is not the stored one + 1.
type ProgramStore interface {
	// GetProgram returns the program; ENOTFOUND before the first put.
	GetProgram(ctx context.Context) (*Program, error)
	PutProgram(ctx context.Context, p *Program) error
}
