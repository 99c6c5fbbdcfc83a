package server

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// privatePostgres is a PostgreSQL server of a test's own, in a temporary
// directory, on a free port of 127.0.0.1: a test may restart or crash it
// without touching the shared server on 5432.
type privatePostgres struct {
	bin  string   // the directory of initdb and pg_ctl
	dir  string   // data/, the unix socket and server.log
	port int      // on 127.0.0.1
	as   []string // the command prefix that runs them as the postgres user ("" when not root)
}

// startPrivatePostgres initdbs and starts a private PostgreSQL server
// (trust authentication, user postgres), stopped and removed at the end.
// It skips when the server binaries are missing (/usr/lib/postgresql/*/bin,
// Debian's postgresql package, which .ci/services.sh needs too), and fails
// instead when CI=true.
func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s: CI must have the PostgreSQL server installed (Debian's postgresql package)", msg)
		}
		t.Skip(msg)
	}
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		missing("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (install Debian's postgresql package)")
	}
	// The newest version when several are installed.
	slices.SortFunc(bins, func(a, b string) int { return versionOf(a) - versionOf(b) })
	p := &privatePostgres{bin: filepath.Dir(bins[len(bins)-1])}
	dir, err := os.MkdirTemp("", "paved-pg-")
	must(t, err)
	p.dir = dir
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	// initdb and postgres refuse to run as root: as root, they run as the
	// postgres user, who owns the directory.
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			missing("running as root, and there is no postgres user to run a private PostgreSQL server as (%v)", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		must(t, os.Chown(dir, uid, gid))
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			missing("running as root, and there is no runuser to run PostgreSQL as the postgres user (%v)", err)
		}
		p.as = []string{runuser, "-u", "postgres", "--"}
	}
	if out, err := p.run("initdb", "-D", p.data(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		t.Fatalf("initdb of a private PostgreSQL server in %s: %v\n%s", p.data(), err, out)
	}
	// A free port can be taken between the look and the start: one more try.
	for attempt := 1; ; attempt++ {
		p.port = freePort(t)
		out, err := p.ctl("start", "-o", p.options())
		if err == nil {
			break
		}
		if attempt == 2 {
			log, _ := os.ReadFile(p.log())
			t.Fatalf("starting a private PostgreSQL server on 127.0.0.1:%d: %v\n%s\n%s", p.port, err, out, log)
		}
	}
	t.Cleanup(func() { _, _ = p.ctl("stop", "-m", "immediate") })
	return p
}

// versionOf is the major version in /usr/lib/postgresql/<version>/bin/initdb.
func versionOf(initdb string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return v
}

func (p *privatePostgres) data() string { return filepath.Join(p.dir, "data") }
func (p *privatePostgres) log() string  { return filepath.Join(p.dir, "server.log") }

// options are the server's: its port, its socket in its own directory,
// TCP on loopback only. fsync is off: the tests crash the server process,
// never the machine, and the page cache outlives a process.
func (p *privatePostgres) options() string {
	return fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", p.port, p.dir)
}

// run runs one of the server's programs as the user that owns it.
func (p *privatePostgres) run(program string, args ...string) ([]byte, error) {
	argv := append(append(slices.Clone(p.as), filepath.Join(p.bin, program)), args...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
}

// ctl runs pg_ctl on the data directory, waiting for the action to
// complete.
func (p *privatePostgres) ctl(action string, args ...string) ([]byte, error) {
	return p.run("pg_ctl", append([]string{action, "-D", p.data(), "-l", p.log(), "-w", "-t", "60"}, args...)...)
}

// restart restarts the server with pg_ctl restart -m mode: "fast" (clients
// are disconnected, a clean shutdown) or "immediate" (the server processes
// quit at once, as in a crash, and it recovers from its WAL at start). With
// down > 0 it stays stopped that long before it starts again. It returns
// once the server accepts connections again.
func (p *privatePostgres) restart(t *testing.T, mode string, down time.Duration) {
	t.Helper()
	fail := func(what string, out []byte, err error) {
		t.Helper()
		log, _ := os.ReadFile(p.log())
		t.Fatalf("%s: %v\n%s\n%s", what, err, out, log)
	}
	if down == 0 {
		if out, err := p.ctl("restart", "-m", mode, "-o", p.options()); err != nil {
			fail("pg_ctl restart -m "+mode, out, err)
		}
		return
	}
	if out, err := p.ctl("stop", "-m", mode); err != nil {
		fail("pg_ctl stop -m "+mode, out, err)
	}
	time.Sleep(down)
	if out, err := p.ctl("start", "-o", p.options()); err != nil {
		fail("pg_ctl start", out, err)
	}
}

// createDatabase makes a database on the private server and returns its
// URL.
func (p *privatePostgres) createDatabase(t *testing.T, name string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, fmt.Sprintf("host=127.0.0.1 port=%d user=postgres dbname=postgres sslmode=disable", p.port))
	must(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+name)
	must(t, err)
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.port, name)
}

// freePort is a TCP port of 127.0.0.1 that nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// logTail is the end of the private server's log, for a failure message.
func (p *privatePostgres) logTail() string {
	b, _ := os.ReadFile(p.log())
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}
