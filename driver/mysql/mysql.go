// Package mysql is the paved driver that gives each resource its own database
// and user on a shared MySQL or MariaDB server.
package mysql

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"paved.dev/paved"
	"paved.dev/paved/driver/attempt"
	"paved.dev/paved/driver/naming"
	"paved.dev/paved/driver/retry"
)

// Driver provisions MySQL and MariaDB databases. It is safe for concurrent use.
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
		{Name: "username", Description: "user with all privileges on the database"},
		{Name: "password", Secret: true, Description: "the user's password"},
		{Name: "uri", Secret: true, Description: "mysql://username:password@host:port/database"},
	}
}

// MySQL's limits: 64 characters for a database, 32 for a user name (MariaDB
// allows 80; 32 fits both).
const (
	maxDatabase = 64
	maxUser     = 32
)

// layout names the driver's space on the server and its limits.
var layout = naming.Layout{Driver: "mysql", SpaceKey: "database", SpaceMax: maxDatabase, UserMax: maxUser}

// Provision creates the resource's user and database, or brings them back to
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
		// New resource, or its state was lost: a user that exists gets a new
		// password below, since the old one cannot be read back.
		st.Password = newPassword()
	}
	user := quoteString(st.Username) + "@'%'"
	err = d.withDB(ctx, in, req.Log, func(ctx context.Context, db *sql.Conn) error {
		for _, step := range []struct{ what, stmt string }{
			{"create user " + st.Username, "CREATE USER IF NOT EXISTS " + user + " IDENTIFIED BY " + quoteString(st.Password)},
			// Sets the password of a user that existed before.
			{"set the password of user " + st.Username, "ALTER USER " + user + " IDENTIFIED BY " + quoteString(st.Password)},
			{"create database " + st.Space, "CREATE DATABASE IF NOT EXISTS " + quoteIdent(st.Space) + " CHARACTER SET utf8mb4"},
			// '_' is a wildcard in a GRANT's database name.
			{"grant database " + st.Space + " to " + st.Username, "GRANT ALL PRIVILEGES ON " + quoteIdent(strings.ReplaceAll(st.Space, "_", `\_`)) + ".* TO " + user},
		} {
			if _, err := db.ExecContext(ctx, step.stmt); err != nil {
				return fmt.Errorf("%s: %w", step.what, err)
			}
		}
		return nil
	}, st.Password)
	if err != nil {
		return nil, err
	}
	logf(req.Log, "user %s and database %s are ready", st.Username, st.Space)
	return &paved.ResourceResult{
		Outputs: map[string]any{
			"host":     in.Host,
			"port":     in.Port,
			"name":     st.Space,
			"database": st.Space,
			"username": st.Username,
			"password": st.Password,
			"uri":      fmt.Sprintf("mysql://%s:%s@%s/%s", st.Username, st.Password, in.addr(), st.Space),
		},
		State: st.State(),
	}, nil
}

// Deprovision ends the user's sessions and drops the resource's database and
// user. It drops only names from the state (or, without state, the names
// provisioning would derive), and only names with the paved prefix.
func (d *Driver) Deprovision(ctx context.Context, req *paved.ResourceRequest) error {
	in, err := requestInputs(req)
	if err != nil {
		return err
	}
	st := layout.Load(req)
	if err := st.Verify(); err != nil {
		return err
	}
	return d.withDB(ctx, in, req.Log, func(ctx context.Context, db *sql.Conn) error {
		// Open transactions would hold DROP DATABASE on a metadata lock.
		// Seeing and ending other users' sessions takes PROCESS and
		// CONNECTION_ADMIN (or SUPER); without them, go on and let DROP wait.
		if ids, err := sessions(ctx, db, st.Username); err == nil {
			for _, id := range ids {
				_, _ = db.ExecContext(ctx, fmt.Sprintf("KILL CONNECTION %d", id))
			}
		}
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(st.Space)); err != nil {
			return fmt.Errorf("drop database %s: %w", st.Space, err)
		}
		if _, err := db.ExecContext(ctx, "DROP USER IF EXISTS "+quoteString(st.Username)+"@'%'"); err != nil {
			return fmt.Errorf("drop user %s: %w", st.Username, err)
		}
		logf(req.Log, "dropped database %s and user %s", st.Space, st.Username)
		return nil
	})
}

func sessions(ctx context.Context, db *sql.Conn, user string) ([]int64, error) {
	rows, err := db.QueryContext(ctx, "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND ID <> CONNECTION_ID()", user)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Probe tells whether the inputs reach a server where the user may create
// users and databases and grant rights on them. It reads global privileges;
// rights granted through roles or on databases only are not seen.
func (d *Driver) Probe(ctx context.Context, m map[string]any) error {
	in, err := parseInputs(m)
	if err != nil {
		return err
	}
	return d.withDB(ctx, in, nil, func(ctx context.Context, db *sql.Conn) error {
		rows, err := db.QueryContext(ctx, `SELECT PRIVILEGE_TYPE, IS_GRANTABLE FROM information_schema.USER_PRIVILEGES
WHERE GRANTEE = CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')`)
		if err != nil {
			return fmt.Errorf("read the admin's privileges: %w", err)
		}
		defer rows.Close()
		have := map[string]bool{}
		grantable := false
		for rows.Next() {
			var priv, isGrantable string
			if err := rows.Scan(&priv, &isGrantable); err != nil {
				return err
			}
			have[priv] = true
			grantable = grantable || isGrantable == "YES"
		}
		if err := rows.Err(); err != nil {
			return err
		}
		var missing []string
		for _, p := range []string{"CREATE USER", "CREATE", "DROP"} {
			if !have[p] {
				missing = append(missing, p)
			}
		}
		if !grantable {
			missing = append(missing, "GRANT OPTION")
		}
		if len(missing) > 0 {
			return paved.Errorf(paved.EFORBIDDEN,
				"mysql user %q at %s lacks %s: grant them ON *.* (e.g. GRANT ALL PRIVILEGES ON *.* TO ... WITH GRANT OPTION), or use root in the definition",
				in.Username, in.addr(), strings.Join(missing, ", "))
		}
		return nil
	})
}

func requestInputs(req *paved.ResourceRequest) (*inputs, error) {
	if req.Definition == nil {
		return nil, paved.Errorf(paved.EINVALID, "mysql: resource %s has no definition to read driver_inputs from", req.UID)
	}
	return parseInputs(req.Definition.Inputs)
}

// withDB runs fn on a fresh connection, trying again on passing failures,
// and turns the last error into one a platform engineer can act on, without
// the admin password or the other secrets given.
func (d *Driver) withDB(ctx context.Context, in *inputs, reqLog func(string), fn func(context.Context, *sql.Conn) error, secrets ...string) error {
	cfg := mysql.NewConfig()
	cfg.Net = "tcp"
	cfg.Addr = in.addr()
	cfg.User = in.Username
	cfg.Passwd = in.Password
	cfg.DBName = in.Database
	cfg.TLSConfig = in.TLS
	cfg.Timeout = 2 * time.Second
	cfg.ReadTimeout = 30 * time.Second
	cfg.WriteTimeout = 30 * time.Second
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return paved.Errorf(paved.EINVALID, "mysql driver_inputs do not make a valid connection: check host, port and tls")
	}
	db := sql.OpenDB(connector)
	defer db.Close()

	call := attempt.Call{
		Where:   "mysql at " + in.addr(),
		Log:     reqLog,
		Secrets: append(secrets, in.Password),
		Explain: func(f attempt.Failure) error { return explain(f, in) },
	}
	return d.run.Do(ctx, call, func(ctx context.Context) error {
		conn, err := db.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		return fn(ctx, conn)
	})
}

// quoteIdent quotes a database name for MySQL.
func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// quoteString quotes a string literal for MySQL (with or without
// NO_BACKSLASH_ESCAPES, since neither quote nor backslash is left bare).
func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
}

func errNumber(err error) uint16 {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number
	}
	return 0
}

// transient tells the failures worth another try: the network, a server
// that is full, and lock conflicts.
func transient(err error) bool {
	switch errNumber(err) {
	case 1040, // ER_CON_COUNT_ERROR: too many connections
		1203, // ER_TOO_MANY_USER_CONNECTIONS
		1205, // ER_LOCK_WAIT_TIMEOUT
		1213: // ER_LOCK_DEADLOCK
		return true
	case 0:
		return retry.Network(err) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn)
	}
	return false
}

func explain(f attempt.Failure, in *inputs) error {
	switch n := errNumber(f.Err); {
	case n == 1045 || n == 1698: // ER_ACCESS_DENIED_ERROR, ER_ACCESS_DENIED_NO_PASSWORD_ERROR
		return f.Errorf(paved.EUNAUTHORIZED, "authentication failed for user %q at %s: check the definition's username/password", in.Username, in.addr())
	case n == 1130: // ER_HOST_NOT_PRIVILEGED
		return f.Errorf(paved.EUNAUTHORIZED, "mysql at %s does not let user %q connect from this host: create the user for this host or '%%'", in.addr(), in.Username)
	case n == 1049: // ER_BAD_DB_ERROR
		return f.Errorf(paved.EINVALID, "mysql at %s has no database %q to connect to: check the definition's database input", in.addr(), in.Database)
	case slices.Contains([]uint16{1044, 1142, 1227, 1410}, n): // access denied to a database, a table, a privilege; not allowed to grant
		return f.Errorf(paved.EFORBIDDEN, "mysql user %q at %s lacks a privilege: %s; give it CREATE USER, CREATE, DROP and GRANT OPTION on *.*", in.Username, in.addr(), f.Cause)
	case transient(f.Err):
		return f.Errorf(paved.EUNAVAILABLE, "mysql at %s is unavailable after %d tries: %s; check the definition's host and port and that the server is running", in.addr(), f.Tries, f.Cause)
	default:
		return f.Errorf(paved.EINTERNAL, "mysql at %s: %s", in.addr(), f.Cause)
	}
}

func logf(log func(string), format string, args ...any) {
	if log != nil {
		log(fmt.Sprintf("mysql: "+format, args...))
	}
}

// newPassword returns 130 random bits as 26 characters that need no quoting
// in a URI, with lower and upper case letters, digits and a symbol so that a
// server's validate_password policy accepts it.
func newPassword() string {
	t := rand.Text()
	return strings.ToLower(t[:13]) + t[13:] + "_9"
}
