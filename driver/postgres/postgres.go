// Package postgres is the paved driver that gives each resource its own
// database and login role on a shared PostgreSQL server.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"paved.dev/paved"
	"paved.dev/paved/driver/attempt"
	"paved.dev/paved/driver/naming"
	"paved.dev/paved/driver/retry"
)

// Driver provisions PostgreSQL databases. It is safe for concurrent use.
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
		{Name: "name", Description: "database name (same as database)"},
		{Name: "database", Description: "database name"},
		{Name: "username", Description: "login role that owns the database"},
		{Name: "password", Secret: true, Description: "the role's password"},
		{Name: "uri", Secret: true, Description: "postgres://username:password@host:port/database"},
	}
}

// maxIdentifier is PostgreSQL's limit on identifiers (NAMEDATALEN-1).
const maxIdentifier = 63

// layout names the driver's space on the server and its limits.
var layout = naming.Layout{Driver: "postgres", SpaceKey: "database", SpaceMax: maxIdentifier, UserMax: maxIdentifier}

// Provision creates the resource's role and database, or brings them back to
// what the state says: provisioning again returns the same outputs.
func (d *Driver) Provision(ctx context.Context, req *paved.ResourceRequest) (*paved.ResourceResult, error) {
	in, err := requestInputs(req)
	if err != nil {
		return nil, err
	}
	st := layout.Load(req)
	if err := st.Verify(); err != nil {
		return nil, err
	}
	if st.Password == "" {
		// New resource, or its state was lost: a role that exists gets a new
		// password below, since the old one cannot be read back.
		st.Password = newPassword()
	}
	err = d.withConn(ctx, in, req.Log, func(ctx context.Context, conn *pgx.Conn) error {
		return provision(ctx, conn, st, logger(req.Log))
	})
	if err != nil {
		return nil, err
	}
	uri := fmt.Sprintf("postgres://%s:%s@%s/%s", st.Username, st.Password, in.addr(), st.Space)
	if in.SSLMode != "" {
		uri += "?sslmode=" + in.SSLMode
	}
	return &paved.ResourceResult{
		Outputs: map[string]any{
			"host":     in.Host,
			"port":     in.Port,
			"name":     st.Space,
			"database": st.Space,
			"username": st.Username,
			"password": st.Password,
			"uri":      uri,
		},
		State: st.State(),
	}, nil
}

func provision(ctx context.Context, conn *pgx.Conn, st naming.Space, log func(string, ...any)) error {
	var super bool
	if err := conn.QueryRow(ctx, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&super); err != nil {
		return fmt.Errorf("read the admin's attributes: %w", err)
	}
	role := pgx.Identifier{st.Username}.Sanitize()
	db := pgx.Identifier{st.Space}.Sanitize()
	verifier, err := scramVerifier(st.Password)
	if err != nil {
		return err
	}

	var roleExists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", st.Username).Scan(&roleExists); err != nil {
		return fmt.Errorf("look up role %s: %w", st.Username, err)
	}
	created := false
	if !roleExists {
		_, err := conn.Exec(ctx, "CREATE ROLE "+role+" LOGIN PASSWORD "+quoteLiteral(verifier))
		switch {
		case err == nil:
			created = true
			log("created role %s", st.Username)
		case sqlState(err) != "42710": // duplicate_object: created meanwhile
			return fmt.Errorf("create role %s: %w", st.Username, err)
		}
	}
	if !created {
		if _, err := conn.Exec(ctx, "ALTER ROLE "+role+" WITH LOGIN PASSWORD "+quoteLiteral(verifier)); err != nil {
			return fmt.Errorf("set the password of role %s: %w", st.Username, err)
		}
	}
	if !super {
		// A non-superuser may create a database owned by a role, and drop it
		// later, only as a member of that role.
		if _, err := conn.Exec(ctx, "GRANT "+role+" TO CURRENT_USER"); err != nil {
			return fmt.Errorf("grant role %s to the admin: %w", st.Username, err)
		}
	}

	var dbExists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", st.Space).Scan(&dbExists); err != nil {
		return fmt.Errorf("look up database %s: %w", st.Space, err)
	}
	if !dbExists {
		_, err := conn.Exec(ctx, "CREATE DATABASE "+db+" OWNER "+role)
		switch {
		case err == nil:
			log("created database %s", st.Space)
		case sqlState(err) != "42P04": // duplicate_database: created meanwhile
			return fmt.Errorf("create database %s: %w", st.Space, err)
		}
	} else if _, err := conn.Exec(ctx, "ALTER DATABASE "+db+" OWNER TO "+role); err != nil {
		return fmt.Errorf("give database %s to role %s: %w", st.Space, st.Username, err)
	}
	// Other resources' roles on the same server may not connect to it.
	if _, err := conn.Exec(ctx, "REVOKE ALL ON DATABASE "+db+" FROM PUBLIC"); err != nil {
		return fmt.Errorf("revoke public access to database %s: %w", st.Space, err)
	}
	return nil
}

// Deprovision drops the resource's database, after ending the sessions on it,
// and its role. It drops only names from the state (or, without state, the
// names provisioning would derive), and only names with the paved prefix.
func (d *Driver) Deprovision(ctx context.Context, req *paved.ResourceRequest) error {
	in, err := requestInputs(req)
	if err != nil {
		return err
	}
	st := layout.Load(req)
	if err := st.Verify(); err != nil {
		return err
	}
	log := logger(req.Log)
	return d.withConn(ctx, in, req.Log, func(ctx context.Context, conn *pgx.Conn) error {
		if _, err := conn.Exec(ctx,
			"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE (datname = $1 OR usename = $2) AND pid <> pg_backend_pid()",
			st.Space, st.Username); err != nil {
			return fmt.Errorf("end the sessions of database %s: %w", st.Space, err)
		}
		drop := "DROP DATABASE IF EXISTS " + pgx.Identifier{st.Space}.Sanitize()
		if serverMajor(conn) >= 13 {
			drop += " WITH (FORCE)"
		}
		if _, err := conn.Exec(ctx, drop); err != nil {
			return fmt.Errorf("drop database %s: %w", st.Space, err)
		}
		if _, err := conn.Exec(ctx, "DROP ROLE IF EXISTS "+pgx.Identifier{st.Username}.Sanitize()); err != nil {
			return fmt.Errorf("drop role %s: %w", st.Username, err)
		}
		log("dropped database %s and role %s", st.Space, st.Username)
		return nil
	})
}

// serverMajor reads the major version from server_version ("15.4 (Debian...)").
func serverMajor(conn *pgx.Conn) int {
	v := conn.PgConn().ParameterStatus("server_version")
	if i := strings.IndexAny(v, ". "); i >= 0 {
		v = v[:i]
	}
	n, _ := strconv.Atoi(v)
	return n
}

// Probe tells whether the inputs reach a server where the user may create
// databases and roles.
func (d *Driver) Probe(ctx context.Context, m map[string]any) error {
	in, err := parseInputs(m)
	if err != nil {
		return err
	}
	return d.withConn(ctx, in, nil, func(ctx context.Context, conn *pgx.Conn) error {
		var super, createDB, createRole bool
		err := conn.QueryRow(ctx, "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user").
			Scan(&super, &createDB, &createRole)
		if err != nil {
			return fmt.Errorf("read the admin's attributes: %w", err)
		}
		if super {
			return nil
		}
		var missing []string
		if !createDB {
			missing = append(missing, "CREATEDB")
		}
		if !createRole {
			missing = append(missing, "CREATEROLE")
		}
		if len(missing) > 0 {
			return paved.Errorf(paved.EFORBIDDEN,
				"postgres user %q at %s lacks %s: run ALTER ROLE %s %s as a superuser, or use a superuser in the definition",
				in.Username, in.addr(), strings.Join(missing, " and "), pgx.Identifier{in.Username}.Sanitize(), strings.Join(missing, " "))
		}
		return nil
	})
}

func requestInputs(req *paved.ResourceRequest) (*inputs, error) {
	if req.Definition == nil {
		return nil, paved.Errorf(paved.EINVALID, "postgres: resource %s has no definition to read driver_inputs from", req.UID)
	}
	return parseInputs(req.Definition.Inputs)
}

// withConn runs fn on a fresh connection, trying again on passing failures,
// and turns the last error into one a platform engineer can act on.
func (d *Driver) withConn(ctx context.Context, in *inputs, reqLog func(string), fn func(context.Context, *pgx.Conn) error) error {
	call := attempt.Call{
		Where:   "postgres at " + in.addr(),
		Log:     reqLog,
		Secrets: []string{in.Password},
		Explain: func(f attempt.Failure) error { return explain(f, in) },
	}
	return d.run.Do(ctx, call, func(ctx context.Context) error {
		conn, err := connect(ctx, in)
		if err != nil {
			return err
		}
		defer conn.Close(context.WithoutCancel(ctx))
		return fn(ctx, conn)
	})
}

func connect(ctx context.Context, in *inputs) (*pgx.Conn, error) {
	sslmode := in.SSLMode
	if sslmode == "" {
		sslmode = "prefer"
	}
	kv := []string{
		"host=" + quoteConnValue(in.Host),
		"port=" + strconv.Itoa(in.Port),
		"user=" + quoteConnValue(in.Username),
		"password=" + quoteConnValue(in.Password),
		"dbname=" + quoteConnValue(in.Database),
		"sslmode=" + sslmode,
		"connect_timeout=2",
		"application_name=paved",
	}
	cfg, err := pgx.ParseConfig(strings.Join(kv, " "))
	if err != nil {
		// The message could quote the connection string; keep it out.
		return nil, paved.Errorf(paved.EINVALID, "postgres driver_inputs do not make a valid connection: check host, port, sslmode and database")
	}
	return pgx.ConnectConfig(ctx, cfg)
}

// quoteConnValue quotes a value of a keyword/value connection string.
func quoteConnValue(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// transient tells the failures worth another try: the network, a server
// that is starting, shutting down or full, and lock conflicts.
func transient(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "53300", // too_many_connections
			"53000", // insufficient_resources
			"57P01", // admin_shutdown
			"57P03", // cannot_connect_now
			"55006", // object_in_use
			"40001", // serialization_failure
			"40P01": // deadlock_detected
			return true
		}
		return strings.HasPrefix(pgErr.Code, "08") // connection_exception
	}
	return retry.Network(err) || pgconn.Timeout(err)
}

func explain(f attempt.Failure, in *inputs) error {
	switch code := sqlState(f.Err); {
	case code == "28P01" || code == "28000":
		return f.Errorf(paved.EUNAUTHORIZED, "authentication failed for user %q at %s: check the definition's username/password", in.Username, in.addr())
	case code == "3D000":
		return f.Errorf(paved.EINVALID, "postgres at %s has no database %q to connect to: check the definition's database input", in.addr(), in.Database)
	case code == "42501":
		return f.Errorf(paved.EFORBIDDEN, "postgres user %q at %s lacks a right: %s; give it CREATEDB and CREATEROLE, or use a superuser", in.Username, in.addr(), f.Cause)
	case transient(f.Err):
		return f.Errorf(paved.EUNAVAILABLE, "postgres at %s is unavailable after %d tries: %s; check the definition's host and port and that the server is running", in.addr(), f.Tries, f.Cause)
	default:
		return f.Errorf(paved.EINTERNAL, "postgres at %s: %s", in.addr(), f.Cause)
	}
}

// logger formats progress messages for req.Log, which may be nil.
func logger(log func(string)) func(string, ...any) {
	return func(format string, args ...any) {
		if log != nil {
			log(fmt.Sprintf("postgres: "+format, args...))
		}
	}
}
