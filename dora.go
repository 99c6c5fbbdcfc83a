package paved

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DORA's five software delivery metrics as dora.dev defines them, computed
// from paved's own deployment history (docs/dora.md has the definitions and
// the source of the bands).

// DORABand is a performance cluster of the 2024 Accelerate State of DevOps
// report; "" when a metric has no figure or the clusters do not cover it.
type DORABand string

// The 2024 report's clusters, best first.
const (
	BandElite  DORABand = "elite"
	BandHigh   DORABand = "high"
	BandMedium DORABand = "medium"
	BandLow    DORABand = "low"
)

// The windows DORA figures are computed over.
const (
	DefaultDORAWindow = 90 * 24 * time.Hour
	MaxDORAWindow     = 3 * 366 * 24 * time.Hour
)

// Band thresholds of the 2024 report's clusters. Deployment frequency:
// elite on demand (more than once a day), high between once a day and
// once a week, medium between once a week and once a month, low less
// often. Change lead time: elite under a day, high under a week, medium
// under a month, low longer. Failed deployment recovery time: elite under
// an hour, high and medium under a day (both clusters report that), low
// longer. Change fail rate: the clusters reported 5% (elite), 20% (high),
// 10% (medium) and 40% (low); not in that order, so a rate gets the
// cluster whose figure is nearest.
const (
	doraDay   = 24 * time.Hour
	doraWeek  = 7 * doraDay
	doraMonth = 30 * doraDay
)

// DeploymentFrequencyBand is the cluster of a rate of successful
// deployments per day.
func DeploymentFrequencyBand(perDay float64) DORABand {
	switch {
	case perDay > 1:
		return BandElite
	case perDay >= 1.0/7:
		return BandHigh
	case perDay >= 1.0/30:
		return BandMedium
	}
	return BandLow
}

// LeadTimeBand is the cluster of a change lead time.
func LeadTimeBand(d time.Duration) DORABand {
	switch {
	case d < doraDay:
		return BandElite
	case d < doraWeek:
		return BandHigh
	case d < doraMonth:
		return BandMedium
	}
	return BandLow
}

// ChangeFailRateBand is the band of a change fail rate (0..1), monotone in
// the rate: elite up to the elite cluster's 5%, high up to the high
// cluster's 20%, low beyond. The 2024 report's medium cluster reported 10%,
// inside high's range (its clusters are ranked on all four metrics), so no
// rate maps to medium: a worse rate never gets a better band.
func ChangeFailRateBand(rate float64) DORABand {
	switch {
	case rate <= 0.05+1e-12:
		return BandElite
	case rate <= 0.20+1e-12:
		return BandHigh
	}
	return BandLow
}

// RecoveryTimeBand is the cluster of a failed deployment recovery time.
func RecoveryTimeBand(d time.Duration) DORABand {
	switch {
	case d < time.Hour:
		return BandElite
	case d < doraDay:
		return BandHigh
	}
	return BandLow
}

// ParseDORAWindow reads a window such as "90d", "12w", "720h" or "1y"
// (365 days); "" is DefaultDORAWindow. It must be between one day and
// MaxDORAWindow.
func ParseDORAWindow(s string) (time.Duration, error) {
	if s == "" {
		return DefaultDORAWindow, nil
	}
	var d time.Duration
	unit := map[byte]time.Duration{'d': doraDay, 'w': doraWeek, 'y': 365 * doraDay}[s[len(s)-1]]
	if n, err := strconv.Atoi(s[:len(s)-1]); unit != 0 && err == nil && n > 0 && n <= 10000 {
		d = time.Duration(n) * unit
	} else if v, err := time.ParseDuration(s); err == nil {
		d = v
	} else {
		return 0, Errorf(EINVALID, "window: %q is not a duration such as 90d, 12w, 1y or 720h", s)
	}
	if d < doraDay || d > MaxDORAWindow {
		return 0, Errorf(EINVALID, "window: %s is outside 1d to %dd", s, int(MaxDORAWindow/doraDay))
	}
	return d, nil
}

// FormatDORAWindow writes a window as days when it is whole days.
func FormatDORAWindow(d time.Duration) string {
	if d%doraDay == 0 {
		return fmt.Sprintf("%dd", d/doraDay)
	}
	return d.String()
}

// DORAQuery selects the deployments one set of figures is computed from:
// an app's, a team's apps' (App empty) or every app's (both empty), to
// environments of EnvType, created in [From, To).
type DORAQuery struct {
	App, Team string
	EnvType   EnvType
	From, To  time.Time
}

// DORAFigures are what the store aggregates for a DORAQuery. Only
// deployments that finished after they started count: one refused before
// it ran (by a gate, or one that never started) deployed nothing.
type DORAFigures struct {
	// Deployments ran and finished; Succeeded and Failed split them.
	Deployments int `json:"deployments"`
	Succeeded   int `json:"succeeded"`
	Failed      int `json:"failed"`
	// FailedChanges failed, or needed remediation: the next deployment of
	// the environment rolled back or was marked a fix.
	FailedChanges int `json:"failed_changes"`
	// Rework are the unplanned deployments: rollbacks and fixes.
	Rework int `json:"rework"`
	// LeadTimes counts the succeeded deployments (rollbacks aside) with a
	// commit time not after their finish; LeadTime is their median, from
	// commit to success, to the second.
	LeadTimes int           `json:"lead_times"`
	LeadTime  time.Duration `json:"lead_time"`
	// Recovered counts the failed changes followed by a successful
	// deployment of their environment; RecoveryTime is the median time from
	// the failed change's finish to that success, to the second.
	// Unrecovered are the failed changes with no success after them yet.
	Recovered    int           `json:"recovered"`
	Unrecovered  int           `json:"unrecovered"`
	RecoveryTime time.Duration `json:"recovery_time"`
}

// DORAWeek is one week of a window, [From, To): its deployments counted
// as DORAFigures counts them (the last week of a window may be shorter).
type DORAWeek struct {
	From          time.Time `json:"from"`
	To            time.Time `json:"to"`
	Deployments   int       `json:"deployments"`
	Succeeded     int       `json:"succeeded"`
	Failed        int       `json:"failed"`
	FailedChanges int       `json:"failed_changes"`
	Rework        int       `json:"rework"`
}

// DORAStore aggregates deployment history.
type DORAStore interface {
	// DORA computes the figures of q with aggregate queries.
	DORA(ctx context.Context, q DORAQuery) (*DORAFigures, error)
	// DORAWeeks counts q's deployments week by week from q.From, every
	// week of [From, To) listed, the empty ones too, with one aggregate
	// query.
	DORAWeeks(ctx context.Context, q DORAQuery) ([]DORAWeek, error)
	// DeployedEnvTypes lists the environment types that q's app, team or
	// organisation deployed to in [From, To) (q.EnvType is ignored), in
	// the order of EnvTypes.
	DeployedEnvTypes(ctx context.Context, q DORAQuery) ([]EnvType, error)
}

// DORARequest asks for the figures of an app, a team, or the organisation
// (neither), over the Window up to now (DefaultDORAWindow when 0).
type DORARequest struct {
	App    string        `json:"app,omitempty"`
	Team   string        `json:"team,omitempty"`
	Window time.Duration `json:"window,omitempty"`
	// Weekly adds the window's weeks to the report (a chart's series).
	Weekly bool `json:"weekly,omitempty"`
}

// DORAMetric is one metric's value, its band and what it was computed from.
type DORAMetric struct {
	// Value is in Unit: "per_day", "seconds" or "ratio" (0..1); null when
	// there is nothing to compute it from.
	Value *float64 `json:"value"`
	Unit  string   `json:"unit"`
	// Text is Value for people: "2.4 per day", "3h12m", "12.5%".
	Text string   `json:"text"`
	Band DORABand `json:"band,omitempty"`
	// Of says what it was computed from ("12 of 96 deployments").
	Of string `json:"of"`
}

// DORAReport is the five metrics of an app, a team or the organisation,
// with the environment type they measure.
type DORAReport struct {
	// Scope is "app", "team" or "organisation".
	Scope  string    `json:"scope"`
	App    string    `json:"app,omitempty"`
	Team   string    `json:"team,omitempty"`
	Window string    `json:"window"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	// EnvType is the environment type measured, and Measured says why
	// that one (every view shows it).
	EnvType  EnvType     `json:"env_type"`
	Measured string      `json:"measured"`
	MVPMode  bool        `json:"mvp_mode"`
	Figures  DORAFigures `json:"figures"`

	DeploymentFrequency          DORAMetric `json:"deployment_frequency"`
	ChangeLeadTime               DORAMetric `json:"change_lead_time"`
	ChangeFailRate               DORAMetric `json:"change_fail_rate"`
	FailedDeploymentRecoveryTime DORAMetric `json:"failed_deployment_recovery_time"`
	DeploymentReworkRate         DORAMetric `json:"deployment_rework_rate"`

	// Weeks are the window's weeks, oldest first, when asked for
	// (DORARequest.Weekly).
	Weeks []DORAWeek `json:"weeks,omitempty"`
}

// DORAService computes DORA reports.
type DORAService interface {
	DORA(ctx context.Context, req DORARequest) (*DORAReport, error)
}

// MeasuredEnvType picks the environment type DORA measures among those
// deployed to: in MVP mode the highest that is not production (production
// is not what the MVP serves), otherwise the highest, production included.
// With none deployed it is staging in MVP mode and production otherwise.
func MeasuredEnvType(deployed []EnvType, mvp bool) (EnvType, string) {
	if !mvp {
		// DORA measures production: with nothing deployed there in the
		// window, its figures say so.
		return EnvProduction, "production: DORA measures what runs in production (the platform is not in MVP mode)"
	}
	var best EnvType
	for _, t := range EnvTypes() {
		if mvp && t == EnvProduction {
			continue
		}
		for _, d := range deployed {
			if d == t {
				best = t
			}
		}
	}
	switch {
	case best != "" && mvp:
		return best, fmt.Sprintf("%s: the highest environment type deployed to in the window that is not production (the platform is in MVP mode)", best)
	case best != "":
		return best, fmt.Sprintf("%s: the highest environment type deployed to in the window", best)
	case mvp:
		return EnvStaging, "staging: nothing was deployed in the window; in MVP mode the highest type measured is staging"
	}
	return EnvProduction, "production: nothing was deployed in the window"
}

// NewDORAReport turns figures over a window into the five metrics.
func NewDORAReport(f DORAFigures, window time.Duration) DORAReport {
	r := DORAReport{Figures: f, Window: FormatDORAWindow(window)}
	days := window.Hours() / 24
	perDay := float64(f.Succeeded) / days
	r.DeploymentFrequency = DORAMetric{Value: &perDay, Unit: "per_day", Text: formatRate(perDay),
		Band: DeploymentFrequencyBand(perDay), Of: fmt.Sprintf("%d successful deployments in %s", f.Succeeded, r.Window)}
	r.ChangeLeadTime = durationMetric(f.LeadTime, f.LeadTimes, LeadTimeBand,
		fmt.Sprintf("median of %d successful deployments with a commit time", f.LeadTimes))
	r.FailedDeploymentRecoveryTime = durationMetric(f.RecoveryTime, f.Recovered, RecoveryTimeBand,
		fmt.Sprintf("median of %d recovered failed changes (%d not recovered yet)", f.Recovered, f.Unrecovered))
	r.ChangeFailRate = rateMetric(f.FailedChanges, f.Deployments, ChangeFailRateBand, "failed or remediated")
	r.DeploymentReworkRate = rateMetric(f.Rework, f.Deployments, nil, "rollbacks and fixes")
	return r
}

func durationMetric(d time.Duration, n int, band func(time.Duration) DORABand, of string) DORAMetric {
	m := DORAMetric{Unit: "seconds", Text: "no data", Of: of}
	if n > 0 {
		v := d.Seconds()
		m.Value, m.Text, m.Band = &v, d.String(), band(d)
	}
	return m
}

func rateMetric(part, whole int, band func(float64) DORABand, what string) DORAMetric {
	m := DORAMetric{Unit: "ratio", Text: "no data", Of: fmt.Sprintf("%d of %d deployments %s", part, whole, what)}
	if whole > 0 {
		v := float64(part) / float64(whole)
		m.Value, m.Text = &v, strconv.FormatFloat(v*100, 'f', 1, 64)+"%"
		if band != nil {
			m.Band = band(v)
		}
	}
	return m
}

func formatRate(perDay float64) string {
	switch {
	case perDay >= 1 || perDay == 0:
		return strings.TrimSuffix(strconv.FormatFloat(perDay, 'f', 2, 64), ".00") + " per day"
	case perDay*7 >= 1:
		return strconv.FormatFloat(perDay*7, 'f', 1, 64) + " per week"
	}
	return strconv.FormatFloat(perDay*30, 'f', 1, 64) + " per month"
}
