package paved

import (
	"context"
	"time"
)

// PriceList is what finance says things cost, for estimates: compute by
// the hour, storage by the month, and resources by type, class or
// definition by the month, in one currency.
type PriceList struct {
	Currency        string  `json:"currency" yaml:"currency"`
	VCPUHour        float64 `json:"vcpu_hour" yaml:"vcpu_hour"`
	MemoryGiBHour   float64 `json:"memory_gib_hour" yaml:"memory_gib_hour"`
	StorageGiBMonth float64 `json:"storage_gib_month" yaml:"storage_gib_month"`
	// Resources price resources by the month; the most specific entry
	// matching a resource counts (definition, then type and class, then
	// type).
	Resources []ResourcePrice `json:"resources,omitempty" yaml:"resources,omitempty"`
	// DefaultCPU and DefaultMemory are what a container without requests
	// or limits is counted as (vCPUs, GiB).
	DefaultCPU    float64   `json:"default_cpu" yaml:"default_cpu"`
	DefaultMemory float64   `json:"default_memory_gib" yaml:"default_memory_gib"`
	Version       int       `json:"version,omitempty" yaml:"-"`
	UpdatedBy     string    `json:"updated_by,omitempty" yaml:"-"`
	UpdatedAt     time.Time `json:"updated_at,omitzero" yaml:"-"`
}

// ResourcePrice is a resource's price by the month.
type ResourcePrice struct {
	Type       string  `json:"type,omitempty" yaml:"type,omitempty"`
	Class      string  `json:"class,omitempty" yaml:"class,omitempty"`
	Definition string  `json:"definition,omitempty" yaml:"definition,omitempty"`
	Monthly    float64 `json:"monthly" yaml:"monthly"`
}

// HoursPerMonth is the month estimates use (365 × 24 / 12).
const HoursPerMonth = 730

// CostEstimate is an estimate, never a bill: what a deployment's
// workloads and resources cost by the month at the price list's rates.
type CostEstimate struct {
	Currency string     `json:"currency"`
	Monthly  float64    `json:"monthly"`
	Items    []CostItem `json:"items"`
	// Notes say what the estimate assumed (defaults for containers
	// without requests, resources without a price).
	Notes []string `json:"notes,omitempty"`
	// Estimate is always true: the figures are estimates.
	Estimate bool `json:"estimate"`
}

// CostItem is one line of an estimate.
type CostItem struct {
	What    string  `json:"what"`
	Monthly float64 `json:"monthly"`
}

// Budget is a team's monthly budget: a warning from WarnAt (a share, 0.8
// by default) and, with Hard, a denial beyond the budget.
type Budget struct {
	Monthly float64 `json:"monthly" yaml:"monthly"`
	WarnAt  float64 `json:"warn_at,omitempty" yaml:"warn_at,omitempty"`
	Hard    bool    `json:"hard,omitempty" yaml:"hard,omitempty"`
}

// PriceService manages the price list (finance, or an admin) and reports
// what environments cost.
type PriceService interface {
	ApplyPrices(ctx context.Context, pl *PriceList) (*PriceList, error)
	GetPrices(ctx context.Context) (*PriceList, error)
	// CostReport sums the estimates of the environments' last successful
	// deployments, by environment, app and team.
	CostReport(ctx context.Context, f CostFilter) (*CostReport, error)
}

// CostFilter selects what a cost report covers; empty fields match all.
type CostFilter struct {
	Team string `json:"team,omitempty"`
	App  string `json:"app,omitempty"`
	Env  string `json:"env,omitempty"`
}

// CostReport is what environments cost by the month, by their last
// successful deployments' estimates.
type CostReport struct {
	Currency     string     `json:"currency"`
	Environments []EnvCost  `json:"environments"`
	Teams        []TeamCost `json:"teams"`
	Monthly      float64    `json:"monthly"`
	Estimate     bool       `json:"estimate"`
}

// EnvCost is one environment's estimate.
type EnvCost struct {
	Team       string  `json:"team"`
	App        string  `json:"app"`
	Env        string  `json:"env"`
	Type       EnvType `json:"type"`
	Deployment string  `json:"deployment,omitempty"`
	Monthly    float64 `json:"monthly"`
	// Lifetime is what an ephemeral environment costs over its TTL.
	Lifetime float64 `json:"lifetime,omitempty"`
	// Unpriced says the deployment was planned before there was a price
	// list: it has no estimate.
	Unpriced bool `json:"unpriced,omitempty"`
}

// TeamCost is a team's total and how much of its budget it uses.
type TeamCost struct {
	Team    string  `json:"team"`
	Monthly float64 `json:"monthly"`
	Budget  *Budget `json:"budget,omitempty"`
	// Used is the share of the budget the estimates take (0 without one).
	Used float64 `json:"used,omitempty"`
}

// PriceStore persists the price list; every change is a new version.
type PriceStore interface {
	// PutPriceList stores a new version of the price list and returns it.
	PutPriceList(ctx context.Context, pl *PriceList) (int, error)
	// GetPriceList returns the latest price list; ENOTFOUND when none was
	// stored.
	GetPriceList(ctx context.Context) (*PriceList, error)
}
