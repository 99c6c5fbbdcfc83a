// Package redis is the paved driver that gives each resource an ACL user on a
// shared Redis server, limited to the keys and channels under its own prefix.
package redis

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"paved.dev/paved"
	"paved.dev/paved/driver/attempt"
	"paved.dev/paved/driver/naming"
	"paved.dev/paved/driver/retry"
)

// Driver provisions Redis ACL users. It is safe for concurrent use.
type Driver struct {
	run attempt.Runner
}

var (
	_ paved.Driver         = (*Driver)(nil)
	_ paved.InputValidator = (*Driver)(nil)
	_ paved.Deprovisioner  = (*Driver)(nil)
	_ paved.Prober         = (*Driver)(nil)
	_ paved.OutputDeclarer = (*Driver)(nil)
)

// New returns a driver that logs to logger (nil for none).
func New(logger *slog.Logger) *Driver {
	return &Driver{run: attempt.NewRunner(logger, transient)}
}

// ValidateInputs checks a definition's driver_inputs.
func (d *Driver) ValidateInputs(m map[string]any) error {
	_, err := parseInputs(m)
	return err
}

// DeclaredOutputs lists the outputs and marks the secret ones.
func (d *Driver) DeclaredOutputs(map[string]any) []paved.OutputSpec {
	return []paved.OutputSpec{
		{Name: "host", Description: "server host name"},
		{Name: "port", Description: "server port"},
		{Name: "username", Description: "ACL user"},
		{Name: "password", Secret: true, Description: "the user's password"},
		{Name: "prefix", Description: "the user may use only keys and channels that start with it"},
	}
}

// maxName bounds ACL user names; Redis has no limit of its own, 63 keeps
// them alike to the other drivers' names.
const maxName = 63

// state is what the driver keeps in ResourceResult.State.
type state struct {
	Username string
	Password string
	Prefix   string
}

func stateFrom(req *paved.ResourceRequest) state {
	var st state
	st.Username, _ = req.State["username"].(string)
	st.Password, _ = req.State["password"].(string)
	st.Prefix, _ = req.State["prefix"].(string)
	if st.Username == "" {
		st.Username = naming.Resource(req.Context, req.UID, req.Definition.ID, maxName)
	}
	if st.Prefix == "" {
		st.Prefix = st.Username + ":"
	}
	return st
}

func (st state) check() error {
	if !naming.Owned(st.Username, maxName) {
		return paved.Errorf(paved.EINVALID, "redis: the resource state names user %q, which paved does not create (names start with %q): refusing to touch it", st.Username, naming.Prefix)
	}
	if st.Prefix != st.Username+":" {
		return paved.Errorf(paved.EINVALID, "redis: the resource state names key prefix %q, not the user's %q: refusing to touch it", st.Prefix, st.Username+":")
	}
	return nil
}

// Provision creates or resets the resource's ACL user: provisioning again
// returns the same outputs.
func (d *Driver) Provision(ctx context.Context, req *paved.ResourceRequest) (*paved.ResourceResult, error) {
	in, err := requestInputs(req)
	if err != nil {
		return nil, err
	}
	st := stateFrom(req)
	if err := st.check(); err != nil {
		return nil, err
	}
	if st.Password == "" {
		// New resource, or its state was lost: the user gets a new password.
		st.Password = newPassword()
	}
	err = d.withClient(ctx, in, req.Log, func(ctx context.Context, c *goredis.Client) error {
		sum := sha256.Sum256([]byte(st.Password))
		// reset makes the rules exactly these, whatever the user had; the
		// password goes as its hash so that it is not in the server's logs.
		// The user may run every command but the dangerous ones (KEYS,
		// FLUSHALL, CONFIG...), in database 0 only, so that deprovisioning
		// finds all its keys.
		err := c.Do(ctx, "ACL", "SETUSER", st.Username, "reset", "on", "#"+hex.EncodeToString(sum[:]),
			"~"+globEscape(st.Prefix)+"*", "&"+globEscape(st.Prefix)+"*",
			"+@all", "-@dangerous", "-select", "-move", "-swapdb").Err()
		if err != nil {
			return fmt.Errorf("ACL SETUSER %s: %w", st.Username, err)
		}
		return saveACL(ctx, c)
	})
	if err != nil {
		return nil, err
	}
	logf(req.Log, "user %s may use keys and channels under %q", st.Username, st.Prefix)
	return &paved.ResourceResult{
		Outputs: map[string]any{
			"host":     in.Host,
			"port":     in.Port,
			"username": st.Username,
			"password": st.Password,
			"prefix":   st.Prefix,
		},
		State: map[string]any{"username": st.Username, "password": st.Password, "prefix": st.Prefix},
	}, nil
}

// saveACL writes the users to the server's ACL file, if it has one, so that
// they survive a restart.
func saveACL(ctx context.Context, c *goredis.Client) error {
	err := c.Do(ctx, "ACL", "SAVE").Err()
	if err != nil && strings.Contains(err.Error(), "not configured to use an ACL file") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ACL SAVE: %w", err)
	}
	return nil
}

// Deprovision deletes the resource's user, which closes its connections, and
// then every key under its prefix in database 0, with SCAN and UNLINK.
func (d *Driver) Deprovision(ctx context.Context, req *paved.ResourceRequest) error {
	in, err := requestInputs(req)
	if err != nil {
		return err
	}
	st := stateFrom(req)
	if err := st.check(); err != nil {
		return err
	}
	return d.withClient(ctx, in, req.Log, func(ctx context.Context, c *goredis.Client) error {
		if err := c.Do(ctx, "ACL", "DELUSER", st.Username).Err(); err != nil {
			return fmt.Errorf("ACL DELUSER %s: %w", st.Username, err)
		}
		if err := saveACL(ctx, c); err != nil {
			return err
		}
		deleted := 0
		var cursor uint64
		for {
			keys, next, err := c.Scan(ctx, cursor, globEscape(st.Prefix)+"*", 1000).Result()
			if err != nil {
				return fmt.Errorf("SCAN %s*: %w", st.Prefix, err)
			}
			if len(keys) > 0 {
				n, err := c.Unlink(ctx, keys...).Result()
				if err != nil {
					return fmt.Errorf("UNLINK keys under %s: %w", st.Prefix, err)
				}
				deleted += int(n)
			}
			if cursor = next; cursor == 0 {
				break
			}
		}
		logf(req.Log, "deleted user %s and %d keys under %q", st.Username, deleted, st.Prefix)
		return nil
	})
}

// Probe tells whether the inputs reach a server where the user may manage
// ACL users and scan and delete keys.
func (d *Driver) Probe(ctx context.Context, m map[string]any) error {
	in, err := parseInputs(m)
	if err != nil {
		return err
	}
	return d.withClient(ctx, in, nil, func(ctx context.Context, c *goredis.Client) error {
		me, err := c.Do(ctx, "ACL", "WHOAMI").Text()
		if err != nil {
			return fmt.Errorf("ACL WHOAMI: %w", err)
		}
		var missing []string
		for _, probe := range []struct {
			name string
			args []any
		}{
			{"ACL SETUSER", []any{"ACL", "SETUSER", naming.Prefix + "probe"}},
			{"ACL DELUSER", []any{"ACL", "DELUSER", naming.Prefix + "probe"}},
			{"SCAN", []any{"SCAN", "0"}},
			{"UNLINK", []any{"UNLINK", naming.Prefix + "probe:key"}},
		} {
			res, err := c.Do(ctx, append([]any{"ACL", "DRYRUN", me}, probe.args...)...).Text()
			if goredis.IsPermissionError(err) {
				return paved.Errorf(paved.EFORBIDDEN, "redis user %q at %s may not run ACL commands: give it +@all (or +acl +scan +unlink) and ~* in its ACL rules", me, in.addr())
			}
			if err != nil {
				return fmt.Errorf("ACL DRYRUN: %w", err)
			}
			if res != "OK" {
				missing = append(missing, probe.name)
			}
		}
		if len(missing) > 0 {
			return paved.Errorf(paved.EFORBIDDEN, "redis user %q at %s may not run %s: give it +@all (or +acl +scan +unlink) and ~* in its ACL rules", me, in.addr(), strings.Join(missing, ", "))
		}
		return nil
	})
}

func requestInputs(req *paved.ResourceRequest) (*inputs, error) {
	if req.Definition == nil {
		return nil, paved.Errorf(paved.EINVALID, "redis: resource %s has no definition to read driver_inputs from", req.UID)
	}
	return parseInputs(req.Definition.Inputs)
}

// withClient runs fn with a fresh client, trying again on passing failures,
// and turns the last error into one a platform engineer can act on.
func (d *Driver) withClient(ctx context.Context, in *inputs, reqLog func(string), fn func(context.Context, *goredis.Client) error) error {
	call := attempt.Call{
		Where:   "redis at " + in.addr(),
		Log:     reqLog,
		Secrets: []string{in.Password},
		Explain: func(f attempt.Failure) error { return explain(f, in) },
	}
	return d.run.Do(ctx, call, func(ctx context.Context) error {
		c := goredis.NewClient(&goredis.Options{
			Addr:            in.addr(),
			Username:        in.Username,
			Password:        in.Password,
			DialTimeout:     2 * time.Second,
			ReadTimeout:     10 * time.Second,
			WriteTimeout:    10 * time.Second,
			MaxRetries:      -1, // retry.Do retries
			DialerRetries:   1,
			PoolSize:        1,
			DisableIdentity: true,
		})
		defer c.Close()
		if err := c.Ping(ctx).Err(); err != nil {
			return err
		}
		return fn(ctx, c)
	})
}

// transient tells the failures worth another try: the network, and a server
// that is loading, busy or full.
func transient(err error) bool {
	return retry.Network(err) ||
		goredis.IsLoadingError(err) || goredis.IsTryAgainError(err) || goredis.IsMasterDownError(err) ||
		goredis.IsMaxClientsError(err) || goredis.HasErrorPrefix(err, "BUSY") ||
		errors.Is(err, goredis.ErrPoolTimeout)
}

func authFailed(err error) bool {
	if goredis.IsAuthError(err) {
		return true
	}
	// The default user has no password and is given one.
	msg := err.Error()
	return strings.Contains(msg, "called without any password configured") || strings.Contains(msg, "invalid password") ||
		strings.Contains(msg, "invalid username-password pair")
}

func explain(f attempt.Failure, in *inputs) error {
	switch {
	case authFailed(f.Err):
		return f.Errorf(paved.EUNAUTHORIZED, "authentication failed for user %q at %s: check the definition's username/password", in.user(), in.addr())
	case goredis.IsPermissionError(f.Err):
		return f.Errorf(paved.EFORBIDDEN, "redis user %q at %s lacks a right: %s; give it +@all and ~* in its ACL rules", in.user(), in.addr(), f.Cause)
	case transient(f.Err):
		return f.Errorf(paved.EUNAVAILABLE, "redis at %s is unavailable after %d tries: %s; check the definition's host and port and that the server is running", in.addr(), f.Tries, f.Cause)
	default:
		return f.Errorf(paved.EINTERNAL, "redis at %s: %s", in.addr(), f.Cause)
	}
}

func logf(log func(string), format string, args ...any) {
	if log != nil {
		log(fmt.Sprintf("redis: "+format, args...))
	}
}

// newPassword returns 26 random characters from [A-Z2-7]: 130 bits that need
// no quoting in a URI.
func newPassword() string { return rand.Text() }

// globEscape escapes the characters that are special in Redis glob patterns.
func globEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`).Replace(s)
}
