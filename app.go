package paved

import (
	"context"
	"time"
)

// App is a set of workloads owned by a team.
type App struct {
	Name      string    `json:"name"`
	Team      string    `json:"team"`
	CreatedAt time.Time `json:"created_at"`
}

// AppService manages apps.
type AppService interface {
	CreateApp(ctx context.Context, a *App) error
	GetApp(ctx context.Context, name string) (*App, error)
	ListApps(ctx context.Context) ([]App, error)
}

// AppStore persists apps.
type AppStore interface {
	CreateApp(ctx context.Context, a *App) error
	GetApp(ctx context.Context, name string) (*App, error)
	ListApps(ctx context.Context) ([]App, error)
}
