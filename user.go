package paved

import (
	"context"
	"time"
)

// User is a person or a machine with a role; developers act for their
// teams. A disabled user's tokens stop working.
type User struct {
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Teams     []string  `json:"teams,omitempty"`
	Disabled  bool      `json:"disabled,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// UserUpdate changes a user; nil fields stay as they are.
type UserUpdate struct {
	Role     *Role     `json:"role,omitempty"`
	Teams    *[]string `json:"teams,omitempty"`
	Disabled *bool     `json:"disabled,omitempty"`
}

// UserService manages users and their tokens.
type UserService interface {
	CreateUser(ctx context.Context, u *User) error
	ListUsers(ctx context.Context) ([]User, error)
	// UpdateUser changes a user's role, teams or disabled flag (admin).
	UpdateUser(ctx context.Context, name string, up UserUpdate) (*User, error)
	// DeleteUser removes a user and their tokens (admin); what they did
	// stays in the audit log and the deployments they made keep their name.
	DeleteUser(ctx context.Context, name string) error
	// WhoAmI returns the caller.
	WhoAmI(ctx context.Context) (*User, error)
	TokenService
}

// UserStore persists users.
type UserStore interface {
	CreateUser(ctx context.Context, u *User) error
	GetUser(ctx context.Context, name string) (*User, error)
	ListUsers(ctx context.Context) ([]User, error)
	// UpdateUser saves a user's role, teams and disabled flag.
	UpdateUser(ctx context.Context, u *User) error
	// DeleteUser removes a user and every token of theirs in one step;
	// ENOTFOUND when there is no such user.
	DeleteUser(ctx context.Context, name string) error
}
