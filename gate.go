package paved

import "context"

// Gate is a check that every deployment passes through after it is planned
// and before anything is provisioned: policies (security, data, finance),
// cost estimates, production readiness. Gates are modules registered on the
// platform; no path (deploy, rollback, promotion, clone) bypasses them.
type Gate interface {
	// Name identifies the gate in findings.
	Name() string
	// Evaluate judges a plan; a finding at level deny blocks the deployment.
	Evaluate(ctx context.Context, in *GateInput) ([]Finding, error)
}

// GateInput is what a gate judges.
type GateInput struct {
	Plan   *Plan
	Author *User
	App    *App
	Env    *Environment
	// Specs are the deployment's Score files by name.
	Specs map[string]string
	// Objects are the rendered objects, Secret values redacted.
	Objects []Object
	// Team is the app's team (its budget); TeamMonthly is what the team's
	// other environments cost by the month, by their last deployments'
	// estimates.
	Team        *Team
	TeamMonthly float64
	// Settings are the platform's guardrail settings, for the built-in
	// packs: allowed_registries ([]string), regions (classification →
	// []string).
	Settings map[string]any
	// Definitions are the plan's resources' definitions by
	// DefinitionRef.String(), without their inputs (for their metadata).
	Definitions map[string]ResourceDefinition
	// Previous is the environment's last successful deployment, or nil.
	Previous *Deployment
}

// FindingLevel grades a gate's finding.
type FindingLevel string

// Finding levels.
const (
	FindingDeny FindingLevel = "deny" // blocks the deployment
	FindingWarn FindingLevel = "warn" // recorded and shown
)

// Finding is one thing a gate said of a plan.
type Finding struct {
	Gate    string       `json:"gate"`
	Rule    string       `json:"rule,omitempty"`
	Level   FindingLevel `json:"level"`
	Message string       `json:"message"`
	// Owner is the role that owns the rule (security, data, finance).
	Owner Role `json:"owner,omitempty"`
	// Waived names the waiver that turned this rule's denial into a
	// warning, or that excepts its warning.
	Waived string `json:"waived,omitempty"`
}

// PolicyFailure is the cause of a gate's error when one policy could not
// judge a deployment: it failed, or ran past its bound. Such a deployment
// fails, recorded with the policy named; any other gate error (a store
// that cannot be read) is returned without a record.
type PolicyFailure struct {
	Policy   string
	Owner    Role
	TimedOut bool
}

func (f *PolicyFailure) Error() string {
	if f.TimedOut {
		return "policy " + f.Policy + " timed out"
	}
	return "policy " + f.Policy + " failed"
}
