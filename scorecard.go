package paved

import (
	"context"
	"slices"
	"strings"
	"time"
)

// ScorecardLevel is a level an app reaches on a scorecard.
type ScorecardLevel string

// Scorecard levels, lowest first. A level needs all its rules and every
// lower level's; "" is no level.
const (
	LevelBronze ScorecardLevel = "bronze"
	LevelSilver ScorecardLevel = "silver"
	LevelGold   ScorecardLevel = "gold"
)

// ScorecardLevels lists the levels, lowest first.
func ScorecardLevels() []ScorecardLevel { return []ScorecardLevel{LevelBronze, LevelSilver, LevelGold} }

// Valid reports whether l is a known level ("" is not).
func (l ScorecardLevel) Valid() bool { return slices.Contains(ScorecardLevels(), l) }

// Rank orders levels: 0 for none (or unknown), 1 bronze, 2 silver, 3 gold.
func (l ScorecardLevel) Rank() int { return slices.Index(ScorecardLevels(), l) + 1 }

// Scorecard is a Rego module of rules over the facts the platform knows of
// an app (docs/scorecards.md): package paved.scorecards.<name>, a rules
// object mapping each rule id to {level, title, pass, hint}, optionally a
// title and a bar (the level the scorecard calls enough). Scorecards are
// stored and versioned like policies; only their owner role or an admin
// changes them.
type Scorecard struct {
	ID          string `json:"id" yaml:"id"`
	Owner       Role   `json:"owner" yaml:"owner"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
	Module      string `json:"module" yaml:"module"`
	// Version counts changes; built-in scorecards have version 0.
	Version   int       `json:"version,omitempty" yaml:"-"`
	UpdatedBy string    `json:"updated_by,omitempty" yaml:"-"`
	CreatedAt time.Time `json:"created_at,omitzero" yaml:"-"`
}

// ScorecardRule is one rule of a scorecard as evaluated for an app.
type ScorecardRule struct {
	ID    string         `json:"id"`
	Level ScorecardLevel `json:"level"`
	Title string         `json:"title"`
	Pass  bool           `json:"pass"`
	// Hint says how to pass it.
	Hint string `json:"hint,omitempty"`
}

// ScorecardEvaluation is what a scorecard's module says of an app's facts.
type ScorecardEvaluation struct {
	Title string `json:"title,omitempty"`
	// Bar is the level the scorecard calls enough ("" when it names none).
	Bar   ScorecardLevel  `json:"bar,omitempty"`
	Rules []ScorecardRule `json:"rules"`
}

// ScorecardResult is an app's result on one scorecard.
type ScorecardResult struct {
	App       string `json:"app"`
	Scorecard string `json:"scorecard"`
	Version   int    `json:"version"`
	ScorecardEvaluation
	// Level is the highest level reached ("" for none).
	Level ScorecardLevel `json:"level"`
	// Next is the level above, "" at the top; Missing the rules it needs
	// that fail (those of lower levels included).
	Next    ScorecardLevel `json:"next,omitempty"`
	Missing []string       `json:"missing,omitempty"`
	At      time.Time      `json:"at"`
}

// AppScorecards is an app's results on every scorecard in force, with the
// facts the rules saw.
type AppScorecards struct {
	App        string            `json:"app"`
	Facts      ScorecardFacts    `json:"facts"`
	Scorecards []ScorecardResult `json:"scorecards"`
}

// ScorecardRecord is a stored result: one point of an app's trend on a
// scorecard. A result is stored when it differs from the app's previous
// one on that scorecard (level, rules passed and failed, version).
type ScorecardRecord struct {
	App       string         `json:"app"`
	Scorecard string         `json:"scorecard"`
	Version   int            `json:"version"`
	Level     ScorecardLevel `json:"level"`
	Passed    []string       `json:"passed"`
	Failed    []string       `json:"failed"`
	At        time.Time      `json:"at"`
}

// Record is the stored form of a result: passed and failed rule ids, sorted.
func (r *ScorecardResult) Record() *ScorecardRecord {
	rec := &ScorecardRecord{App: r.App, Scorecard: r.Scorecard, Version: r.Version, Level: r.Level,
		Passed: []string{}, Failed: []string{}, At: r.At}
	for _, rule := range r.Rules {
		if rule.Pass {
			rec.Passed = append(rec.Passed, rule.ID)
		} else {
			rec.Failed = append(rec.Failed, rule.ID)
		}
	}
	slices.Sort(rec.Passed)
	slices.Sort(rec.Failed)
	return rec
}

// Same reports whether two records say the same (all but the time).
func (r *ScorecardRecord) Same(o *ScorecardRecord) bool {
	return r.App == o.App && r.Scorecard == o.Scorecard && r.Version == o.Version && r.Level == o.Level &&
		slices.Equal(r.Passed, o.Passed) && slices.Equal(r.Failed, o.Failed)
}

// Level computes the level rules reach: the highest level that has rules
// and whose rules pass with every lower level's. A level without rules is
// not reached on its own: only bronze rules, all passing, make bronze.
// It also returns the next level and the failing rules it needs.
func Level(rules []ScorecardRule) (level, next ScorecardLevel, missing []string) {
	failing := map[ScorecardLevel][]string{}
	has := map[ScorecardLevel]bool{}
	for _, r := range rules {
		has[r.Level] = true
		if !r.Pass {
			failing[r.Level] = append(failing[r.Level], r.ID)
		}
	}
	var below []string // failing rules at or below the level looked at
	for _, l := range ScorecardLevels() {
		below = append(below, failing[l]...)
		if !has[l] {
			continue
		}
		if len(below) > 0 {
			slices.Sort(below)
			return level, l, below
		}
		level = l
	}
	return level, "", nil
}

// SortRules orders rules by level, then id.
func SortRules(rules []ScorecardRule) {
	slices.SortFunc(rules, func(a, b ScorecardRule) int {
		if d := a.Level.Rank() - b.Level.Rank(); d != 0 {
			return d
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// ScorecardFacts are what the platform knows of an app, the input of
// every scorecard (input.facts; docs/scorecards.md). Every field is always
// present, so that a rule reading one is never undefined.
type ScorecardFacts struct {
	App    string `json:"app"`
	Team   string `json:"team"`
	OnCall string `json:"on_call"`
	// WeeksDeployed counts the last FactWeeks weeks (7-day windows ending
	// now) with a successful deployment of the app, of any kind, to any
	// environment; DeploysWeekly says all of them had one.
	WeeksDeployed int  `json:"weeks_deployed"`
	DeploysWeekly bool `json:"deploys_weekly"`
	// LastSuccessAt is when the app's latest successful deployment was
	// created (null for none).
	LastSuccessAt *time.Time `json:"last_success_at"`
	// Environments counts the app's environments by type (every type
	// present, 0 for none).
	Environments map[EnvType]int `json:"environments"`
	// StagingDeployed: a staging environment has a successful deployment.
	StagingDeployed bool `json:"staging_deployed"`
	// RollbackExercised: a rollback of the app succeeded, ever.
	RollbackExercised bool `json:"rollback_exercised"`
	// PreviewsUsed: a deployment to an ephemeral environment succeeded in
	// the last PreviewDays days.
	PreviewsUsed bool `json:"previews_used"`
	// Resources counts the resources the latest successful deployment of
	// each environment uses; AppDefinitions lists the definitions among
	// theirs whose criteria name the app (made for it, or overriding the
	// platform's), BuiltinDefinitions those built into paved;
	// PlatformDefinitionsOnly is true when AppDefinitions is empty.
	Resources               int      `json:"resources"`
	AppDefinitions          []string `json:"app_definitions"`
	BuiltinDefinitions      []string `json:"builtin_definitions"`
	PlatformDefinitionsOnly bool     `json:"platform_definitions_only"`
	// DeniedEnvironments lists the environments whose latest plan a policy
	// denied (their latest deployment failed at the gate);
	// LastPlanDenied is true when there is one. Warnings counts the
	// unwaived warnings in those latest plans.
	DeniedEnvironments []string `json:"denied_environments"`
	LastPlanDenied     bool     `json:"last_plan_denied"`
	Warnings           int      `json:"warnings"`
	// DegradedEnvironments lists the environments whose health is
	// degraded.
	DegradedEnvironments []string `json:"degraded_environments"`
	// CostEstimated: every environment's latest successful plan carries
	// a cost estimate (and there is one).
	CostEstimated bool `json:"cost_estimated"`
	// ActiveWaivers counts the app's approved waivers still in force.
	ActiveWaivers int `json:"active_waivers"`
	// SignedOff lists the roles whose production sign-off of the app holds.
	SignedOff []Role `json:"signed_off"`
	// At is when the facts were read.
	At time.Time `json:"at"`
}

// Complete gives every list and count of the facts a value (empty lists,
// 0 for each environment type), so that a rule reading one is never
// undefined nor null.
func (f *ScorecardFacts) Complete() {
	for _, l := range []*[]string{&f.AppDefinitions, &f.BuiltinDefinitions, &f.DeniedEnvironments, &f.DegradedEnvironments} {
		if *l == nil {
			*l = []string{}
		}
	}
	if f.SignedOff == nil {
		f.SignedOff = []Role{}
	}
	if f.Environments == nil {
		f.Environments = map[EnvType]int{}
	}
	for _, t := range EnvTypes() {
		f.Environments[t] += 0
	}
}

// Windows of the facts.
const (
	FactWeeks   = 4
	PreviewDays = 30
)

// ScorecardEvaluator evaluates scorecard modules (the policy engine's).
type ScorecardEvaluator interface {
	// CheckScorecard compiles a scorecard and evaluates it over empty
	// facts, saying what is wrong (line and column, or the rule).
	CheckScorecard(ctx context.Context, sc Scorecard) error
	EvaluateScorecard(ctx context.Context, sc Scorecard, facts *ScorecardFacts) (*ScorecardEvaluation, error)
}

// ScorecardService manages scorecards and computes apps' results.
type ScorecardService interface {
	// ListScorecards lists the scorecards in force: the stored ones'
	// latest versions and the built-in ones no stored one replaces.
	ListScorecards(ctx context.Context) ([]Scorecard, error)
	// ApplyScorecards stores new versions (their owner role or an admin);
	// one that has not changed keeps its version.
	ApplyScorecards(ctx context.Context, scs []Scorecard) ([]Scorecard, error)
	// AppScorecards computes an app's results on every scorecard in force
	// (only id when given) and records those that changed.
	AppScorecards(ctx context.Context, app, id string) (*AppScorecards, error)
	// ScorecardHistory lists an app's stored results on a scorecard,
	// newest first, at most limit (0: 100).
	ScorecardHistory(ctx context.Context, app, id string, limit int) ([]ScorecardRecord, error)
}

// ScorecardStore persists scorecards, every version, and apps' results.
type ScorecardStore interface {
	// PutScorecard stores a new version of a scorecard and returns its
	// number.
	PutScorecard(ctx context.Context, sc *Scorecard) (int, error)
	// ListScorecards lists the latest version of each, by id.
	ListScorecards(ctx context.Context) ([]Scorecard, error)
	// RecordScorecardResult stores a result unless the app's latest on
	// that scorecard is the Same, atomically; it reports whether it did.
	RecordScorecardResult(ctx context.Context, r *ScorecardRecord) (bool, error)
	// ScorecardResults lists an app's results on a scorecard, newest
	// first, at most limit (0: 100).
	ScorecardResults(ctx context.Context, app, scorecard string, limit int) ([]ScorecardRecord, error)
}

// ScorecardsInForce is the built-in scorecards and the stored ones, a
// stored one taking the place of a built-in one of its id, in id order.
func ScorecardsInForce(stored, builtin []Scorecard) []Scorecard {
	return inForce(stored, builtin, func(s Scorecard) string { return s.ID })
}

// inForce is builtin and stored together, a stored item taking the place
// of a built-in one of its id, in id order.
func inForce[T any](stored, builtin []T, id func(T) string) []T {
	out := slices.Clone(stored)
	for _, b := range builtin {
		if !slices.ContainsFunc(stored, func(s T) bool { return id(s) == id(b) }) {
			out = append(out, b)
		}
	}
	slices.SortStableFunc(out, func(a, b T) int { return strings.Compare(id(a), id(b)) })
	return out
}
