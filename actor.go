package paved

import "context"

type actorKey struct{}

// WithActor returns a context carrying the authenticated caller.
func WithActor(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, actorKey{}, u)
}

// ActorFrom returns the authenticated caller, or nil.
func ActorFrom(ctx context.Context) *User {
	u, _ := ctx.Value(actorKey{}).(*User)
	return u
}

type clientKey struct{}

// WithClient returns a context carrying the network address (the host) a
// request came from, for limits per client such as failed logins.
func WithClient(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientKey{}, addr)
}

// ClientFrom returns the address WithClient put in ctx, or "".
func ClientFrom(ctx context.Context) string {
	s, _ := ctx.Value(clientKey{}).(string)
	return s
}
