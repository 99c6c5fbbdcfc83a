package paved

import (
	"context"
	"slices"
	"time"
)

// ReportAudience is who a demo report is for.
type ReportAudience string

// The audiences of demo reports.
const (
	AudienceLeadership  ReportAudience = "leadership"
	AudienceEngineering ReportAudience = "engineering"
)

// ReportAudiences lists the audiences.
func ReportAudiences() []ReportAudience {
	return []ReportAudience{AudienceLeadership, AudienceEngineering}
}

// Valid reports whether a is a known audience.
func (a ReportAudience) Valid() bool { return slices.Contains(ReportAudiences(), a) }

// The assumptions of a report's estimated time saved, until a request
// gives its own: a deployment through paved saves the half hour of
// writing manifests, provisioning by ticket and applying by hand; a
// preview environment the two hours of setting one up and tearing it down.
// Scaffolds carry their own recorded figure (ScaffoldService).
const (
	DefaultDeploymentTimeSaved = 30 * time.Minute
	DefaultPreviewTimeSaved    = 2 * time.Hour
)

// ReportWindow is what a report's figures cover (and the trend compares
// with the window before); ReportWeeks is how many weeks its weekly series
// shows.
const (
	ReportWindow = 30 * 24 * time.Hour
	ReportWeeks  = 8
)

// MaxHourlyRate bounds the rate a report converts time saved with.
const MaxHourlyRate = 100000

// ReportRequest asks for a demo report. The time-saved assumptions are
// the defaults when nil; HourlyRate (0: none) converts the time saved to
// money in the price list's currency.
type ReportRequest struct {
	Audience            ReportAudience `json:"audience"`
	DeploymentTimeSaved *Duration      `json:"deployment_time_saved,omitempty"`
	PreviewTimeSaved    *Duration      `json:"preview_time_saved,omitempty"`
	HourlyRate          float64        `json:"hourly_rate,omitempty"`
}

// Validate checks a request's fields.
func (r *ReportRequest) Validate() error {
	if !r.Audience.Valid() {
		return Errorf(EINVALID, "audience: %q is not one of leadership, engineering", r.Audience)
	}
	for _, a := range []struct {
		field string
		d     *Duration
	}{{"deployment_time_saved", r.DeploymentTimeSaved}, {"preview_time_saved", r.PreviewTimeSaved}} {
		if a.d != nil && (*a.d < 0 || time.Duration(*a.d) > 7*24*time.Hour) {
			return Errorf(EINVALID, "%s: %s is outside 0 to 168h", a.field, time.Duration(*a.d))
		}
	}
	if r.HourlyRate < 0 || r.HourlyRate > MaxHourlyRate {
		return Errorf(EINVALID, "hourly_rate: %v is outside 0 to %d", r.HourlyRate, MaxHourlyRate)
	}
	return nil
}

// Report is a rendered demo report: one self-contained HTML document.
type Report struct {
	Audience    ReportAudience `json:"audience"`
	GeneratedAt time.Time      `json:"generated_at"`
	HTML        []byte         `json:"-"`
}

// ReportService produces demo reports.
type ReportService interface {
	// Report gathers the platform's figures for the audience and renders
	// them (any user). Audited as report.generate, the audience its
	// target: the program's Adoption phase counts it.
	Report(ctx context.Context, req *ReportRequest) (*Report, error)
}

// ReportData is everything a report shows, gathered at GeneratedAt; the
// renderer turns the same data into the same bytes.
type ReportData struct {
	Audience    ReportAudience `json:"audience"`
	GeneratedAt time.Time      `json:"generated_at"`
	MVPMode     bool           `json:"mvp_mode"`
	Program     *ProgramView   `json:"program"`
	// DORA is the organisation's figures first, then each team's, by name.
	DORA []DORATrend `json:"dora"`
	// Weeks are the organisation's figures week by week, oldest first,
	// for the environment type DORA[0] measures.
	Weeks     []WeekFigures `json:"weeks"`
	TimeSaved TimeSaved     `json:"time_saved"`
	// Cost is nil without a price list; CostNote says why.
	Cost     *CostReport `json:"cost,omitempty"`
	CostNote string      `json:"cost_note,omitempty"`
	Risks    Risks       `json:"risks"`
	// NextCohort is the cohort chosen to onboard next, nil when none.
	NextCohort *Funnel `json:"next_cohort,omitempty"`
	// Scorecards are every app's results on the scorecards in force, by
	// app then scorecard; ScorecardNote says why there are none.
	Scorecards    []ScorecardResult `json:"scorecards,omitempty"`
	ScorecardNote string            `json:"scorecard_note,omitempty"`

	// For engineers.
	Templates   []Template           `json:"templates,omitempty"`
	EnvTypes    []EnvTypeResources   `json:"env_types,omitempty"`
	Policies    []PolicySummary      `json:"policies,omitempty"`
	Deployments []Deployment         `json:"deployments,omitempty"`
	Definitions []ResourceDefinition `json:"definitions,omitempty"`
	// Changes are the platform team's recent changes (definitions,
	// policies, templates, prices, the program), newest first.
	Changes []AuditEntry `json:"changes,omitempty"`
	Apps    []App        `json:"apps,omitempty"`
}

// DORATrend is one scope's DORA figures over the report's window and over
// the window before it.
type DORATrend struct {
	// Name is "organisation" or the team's name.
	Name     string     `json:"name"`
	Current  DORAReport `json:"current"`
	Previous DORAReport `json:"previous"`
}

// WeekFigures are the DORA figures of one week.
type WeekFigures struct {
	From    time.Time   `json:"from"`
	To      time.Time   `json:"to"`
	Figures DORAFigures `json:"figures"`
}

// TimeSaved is the estimated time the platform saved in the report's
// window, item by item, each with its assumption.
type TimeSaved struct {
	Items []TimeSavedItem `json:"items"`
	Total Duration        `json:"total"`
	// HourlyRate and Money convert it (0: not converted).
	HourlyRate float64 `json:"hourly_rate,omitempty"`
	Currency   string  `json:"currency,omitempty"`
	Money      float64 `json:"money,omitempty"`
}

// TimeSavedItem is one source of time saved: how many, how much each (0
// when each carries its own recorded figure), the total, the assumption
// in words and how to change it.
type TimeSavedItem struct {
	What       string   `json:"what"`
	Count      int      `json:"count"`
	Each       Duration `json:"each,omitempty"`
	Total      Duration `json:"total"`
	Assumption string   `json:"assumption"`
	Change     string   `json:"change"`
}

// Risks are what leadership should know could go wrong: denials by the
// policy gate, waivers in force or asked for, failed deployments, the
// program's open checks and its pitfalls.
type Risks struct {
	Denied      int           `json:"denied"`
	Denials     []DenialCount `json:"denials"`
	Failed      int           `json:"failed"`
	Waivers     []Waiver      `json:"waivers"`
	OpenChecks  []OpenCheck   `json:"open_checks"`
	Pitfalls    []Pitfall     `json:"pitfalls"`
	Unrecovered int           `json:"unrecovered"`
}

// DenialCount is how often one rule denied a deployment.
type DenialCount struct {
	Rule  string `json:"rule"`
	Owner Role   `json:"owner,omitempty"`
	Count int    `json:"count"`
}

// OpenCheck is a program check not met, with its phase.
type OpenCheck struct {
	Phase string `json:"phase"`
	PhaseCheck
}

// EnvTypeResources are the resource types any app may use in
// environments of a type, and what provides each.
type EnvTypeResources struct {
	EnvType EnvType    `json:"env_type"`
	Types   []TypeInfo `json:"types"`
}

// PolicySummary is a policy in force and its rules.
type PolicySummary struct {
	ID          string       `json:"id"`
	Owner       Role         `json:"owner"`
	Kind        PolicyKind   `json:"kind"`
	Description string       `json:"description,omitempty"`
	Version     int          `json:"version"`
	Rules       []PolicyRule `json:"rules"`
}

// PolicyRule is one rule of a policy: its id (policy/rule, as findings
// and waivers name it), its level and the fix it suggests.
type PolicyRule struct {
	ID    string       `json:"id"`
	Level FindingLevel `json:"level"`
	Fix   string       `json:"fix,omitempty"`
}
