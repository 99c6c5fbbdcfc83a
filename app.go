package paved

import (
	"context"
	"time"
)

// App is a set of workloads owned by a team.
type App struct {
	Name string `json:"name"`
	Team string `json:"team"`
	// OnCall is who answers when the app breaks: a rota, a pager alias
	// (production readiness needs one).
	OnCall    string    `json:"on_call,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// AppUpdate changes an app; nil fields stay as they are.
type AppUpdate struct {
	// Team hands the app to another team.
	Team *string `json:"team,omitempty"`
	// OnCall sets who answers when the app breaks ("" clears it).
	OnCall *string `json:"on_call,omitempty"`
}

// AppDeletion says what deleting an app did.
type AppDeletion struct {
	App string `json:"app"`
	// Environments lists the environments deleted first (a cascade), in
	// the order they were deleted.
	Environments []EnvironmentDeletion `json:"environments,omitempty"`
}

// AppService manages apps.
type AppService interface {
	CreateApp(ctx context.Context, a *App) error
	GetApp(ctx context.Context, name string) (*App, error)
	ListApps(ctx context.Context) ([]App, error)
	// UpdateApp hands an app to another team (admins, or developers of
	// both teams).
	UpdateApp(ctx context.Context, name string, up AppUpdate) (*App, error)
	// DeleteApp removes an app. It is refused while the app has
	// environments, unless cascade, which deletes them first, one by one,
	// as DeleteEnvironment does; its deployments stay in the history.
	DeleteApp(ctx context.Context, name string, cascade bool) (*AppDeletion, error)
}

// AppStore persists apps.
type AppStore interface {
	CreateApp(ctx context.Context, a *App) error
	GetApp(ctx context.Context, name string) (*App, error)
	ListApps(ctx context.Context) ([]App, error)
	// UpdateApp saves an app's team and on-call contact; ENOTFOUND when
	// there is no such app, EINVALID when there is no such team.
	UpdateApp(ctx context.Context, a *App) error
	// DeleteApp removes an app; ECONFLICT while it has environments,
	// ENOTFOUND when there is no such app. Its deployments (and their
	// events) are kept.
	DeleteApp(ctx context.Context, name string) error
}
