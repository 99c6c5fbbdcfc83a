package paved

import (
	"context"
	"time"
)

// Store persists the platform's data: one store per entity, which the
// adapters (SQLite, PostgreSQL) implement together. Every method is one
// transaction.
type Store interface {
	TeamStore
	UserStore
	TokenStore
	AppStore
	EnvironmentStore
	DefinitionStore
	ResourceStore
	DeploymentStore
	AuditStore
	TargetStore
	PolicyStore
	PriceStore
	WaiverStore
	SignOffStore
	CheckStore
	ProgramStore
	FeedbackStore
	TemplateStore
	ScaffoldStore
	DORAStore
	ScorecardStore
	ResealStore
	// A store also lets several servers share it.
	Coordinator
	// MVPMode reads the platform's MVP mode as an admin last set it at run
	// time (set false when never set); SetMVPMode records it.
	MVPMode(ctx context.Context) (on bool, set bool, err error)
	SetMVPMode(ctx context.Context, on bool) error
	// InstallationID names this installation of paved (its store) for
	// good: it is made on first use and never changes. Targets shared by
	// two installations use it to keep their objects apart.
	InstallationID(ctx context.Context) (string, error)
	Close() error
}

// Coordinator lets several servers share one store: a server proves it is
// alive with heartbeats, leases make deployments to one environment run one
// at a time across servers, and deployments whose server died are failed by
// whichever server notices (or by the same server when it starts again).
type Coordinator interface {
	// Heartbeat records that a server is alive at the given time.
	Heartbeat(ctx context.Context, server string, at time.Time) error
	// FailOrphaned fails the queued or running deployments whose Runner has
	// sent no heartbeat since staleBefore (or that have no Runner), but
	// never those of except (the calling server, which knows its own work
	// better than its heartbeat does; "" excepts none), setting Error to
	// reason and FinishedAt to at, and returns them as failed.
	FailOrphaned(ctx context.Context, staleBefore time.Time, except, reason string, at time.Time) ([]Deployment, error)
	// AcquireLease takes the named lease for holder until the given time
	// when it is free, expired (its until is before now) or already holder's,
	// and reports whether holder has it.
	AcquireLease(ctx context.Context, name, holder string, until, now time.Time) (bool, error)
	// RenewLease extends holder's lease to until only while holder still
	// holds it unexpired at now: it never takes a lease back that expired
	// or went to another holder meanwhile (false then).
	RenewLease(ctx context.Context, name, holder string, until, now time.Time) (bool, error)
	// ReleaseLease gives up holder's lease; releasing a lease one does not
	// hold does nothing.
	ReleaseLease(ctx context.Context, name, holder string) error
}
