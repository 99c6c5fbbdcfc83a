package paved

import (
	"context"
	"time"
)

// Token is a bearer token of a user. Only its hash is stored; the token
// itself is shown once, when it is issued.
type Token struct {
	ID   string `json:"id"`
	User string `json:"user"`
	// Name says what the token is for ("ci", "laptop").
	Name      string     `json:"name,omitempty"`
	Hash      []byte     `json:"-"`
	CreatedBy string     `json:"created_by,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// LastUsedAt is when the token last authenticated a request (recorded
	// at most once a minute).
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Active reports whether the token may authenticate at now.
func (t *Token) Active(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// TokenRequest issues a token.
// LoginLinkName names the tokens that single-use login links carry: they
// log a browser in once and are refused as bearer tokens; only the
// platform issues them.
const LoginLinkName = "portal login link"

// TokenRequest asks for a token.
type TokenRequest struct {
	User string `json:"user"`
	Name string `json:"name,omitempty"`
	// TTL is how long the token lives; 0 means the server's default. It may
	// not exceed the server's maximum.
	TTL Duration `json:"ttl,omitempty"`
}

// IssuedToken is a new token: its record and, once, its secret value.
type IssuedToken struct {
	Token
	Secret string `json:"token"`
}

// TokenService issues, lists and revokes tokens.
type TokenService interface {
	CreateToken(ctx context.Context, req *TokenRequest) (*IssuedToken, error)
	ListTokens(ctx context.Context, user string) ([]Token, error)
	// RevokeTokens revokes one token of a user (id), or all of them (id
	// ""), and returns how many it revoked.
	RevokeTokens(ctx context.Context, user, id string) (int, error)
	// RotateToken replaces one of a user's active tokens by a new one of
	// the same name and lifetime, shown once, and revokes the old one.
	RotateToken(ctx context.Context, user, id string) (*IssuedToken, error)
}

// TokenFilter selects tokens.
type TokenFilter struct {
	User string
	// ActiveAt keeps only the tokens that may authenticate at that time.
	ActiveAt *time.Time
}

// TokenStore persists tokens.
type TokenStore interface {
	CreateToken(ctx context.Context, t *Token) error
	// TokenByHash returns the token with that hash, whatever its state,
	// and its user: one read, made on every authenticated request.
	// ENOTFOUND when no token has the hash.
	TokenByHash(ctx context.Context, hash []byte) (*Token, *User, error)
	ListTokens(ctx context.Context, f TokenFilter) ([]Token, error)
	// RevokeTokens revokes a user's token (id) or every active one (id "")
	// at the given time and returns how many it revoked.
	RevokeTokens(ctx context.Context, user, id string, at time.Time) (int, error)
	// TouchToken records at as a token's last use unless a use was
	// recorded less than every before it. The condition is part of the
	// write, so that concurrent requests do not all write.
	TouchToken(ctx context.Context, id string, at time.Time, every time.Duration) error
}
