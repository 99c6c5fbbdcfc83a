package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// privatePostgres is a PostgreSQL server of a test's own, in a temporary
// directory, reached only through its unix socket there (no TCP listener):
// a test may restart or crash it without touching the shared server on
// 5432. The postmaster is a child of the test process that the kernel
// stops (SIGQUIT, an immediate shutdown) when the test process dies, a
// panic or a -timeout included (postgresProcAttr), started from a thread
// that lives as long as the test (forkThread).
type privatePostgres struct {
	bin  string // the directory of initdb and postgres
	dir  string // data/, the socket and server.log; 0700, the server's user's
	port int    // the socket's number (.s.PGSQL.<port>): no TCP port is taken
	// uid and gid run the server as the postgres user when the test runs
	// as root (initdb and postgres refuse root); -1 otherwise.
	uid, gid int

	thread *forkThread   // where its programs are started
	cmd    *exec.Cmd     // the running postmaster, nil when stopped
	exited chan struct{} // closed when cmd has exited
}

// maxSocketPath is the longest path a unix socket may have on Linux
// (sun_path's 108 bytes, the last a NUL).
const maxSocketPath = 107

// socketPath is the path of the server's socket in dir for port.
func socketPath(dir string, port int) string {
	return filepath.Join(dir, ".s.PGSQL."+strconv.Itoa(port))
}

// startPrivatePostgres initdbs and starts a private PostgreSQL server
// (trust authentication, user postgres), stopped and removed at the end.
// It skips when the server binaries are missing (/usr/lib/postgresql/*/bin,
// Debian's postgresql package, which .ci/services.sh needs too), when
// running as root without a postgres user, when that user cannot reach
// a directory under TMPDIR, or when TMPDIR is so long that the socket's
// path would be over 107 bytes; it fails instead when CI=true.
func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s: CI must be able to run a private PostgreSQL server (Debian's postgresql package)", msg)
		}
		t.Skip(msg)
	}
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		missing("no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (install Debian's postgresql package)")
	}
	// The newest version when several are installed.
	slices.SortFunc(bins, func(a, b string) int { return versionOf(a) - versionOf(b) })
	p := &privatePostgres{bin: filepath.Dir(bins[len(bins)-1]), port: 5432, uid: -1, gid: -1}
	if postgresProcAttr(-1, -1) == nil {
		missing("a private PostgreSQL server is run with Linux's parent-death signal, so that it never outlives the test")
	}
	dir, err := os.MkdirTemp("", "paved-pg-")
	must(t, err)
	p.dir = dir
	// Registered before anything starts: cleanups run in reverse, the
	// server is stopped before its thread ends and its directory goes.
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	p.thread = newForkThread(t)
	t.Cleanup(func() { _ = p.stop(syscall.SIGQUIT) })
	if sock := socketPath(dir, p.port); len(sock) > maxSocketPath {
		missing("the private PostgreSQL server's socket %s would be %d bytes, over the %d a unix socket's path may have: set TMPDIR to a shorter directory (TMPDIR=/tmp)", sock, len(sock), maxSocketPath)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			missing("running as root, and there is no postgres user to run a private PostgreSQL server as (%v)", err)
		}
		p.uid, _ = strconv.Atoi(u.Uid)
		p.gid, _ = strconv.Atoi(u.Gid)
		must(t, os.Chown(dir, p.uid, p.gid))
		// Every directory above it must let the postgres user through.
		if out, err := p.output(p.command("/bin/sh", "-c", `test -w "$1"`, "sh", dir)); err != nil {
			missing("the postgres user cannot reach %s (%v %s): set TMPDIR to a directory it can traverse", dir, err, out)
		}
	}
	if out, err := p.output(p.command(filepath.Join(p.bin, "initdb"), "-D", p.data(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync")); err != nil {
		t.Fatalf("initdb of a private PostgreSQL server in %s: %v\n%s", p.data(), err, out)
	}
	if err := p.start(); err != nil {
		t.Fatalf("starting a private PostgreSQL server in %s: %v\n%s", dir, err, p.logTail())
	}
	return p
}

// versionOf is the major version in /usr/lib/postgresql/<version>/bin/initdb.
func versionOf(initdb string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return v
}

func (p *privatePostgres) data() string { return filepath.Join(p.dir, "data") }
func (p *privatePostgres) log() string  { return filepath.Join(p.dir, "server.log") }

// command is a program run as the server's user, in its directory,
// stopped with the test process: start it with p.output or p.startCmd,
// from p.thread.
func (p *privatePostgres) command(program string, args ...string) *exec.Cmd {
	cmd := exec.Command(program, args...)
	cmd.Dir = p.dir
	cmd.SysProcAttr = postgresProcAttr(p.uid, p.gid)
	return cmd
}

// output runs cmd from p.thread and returns its combined output.
func (p *privatePostgres) output(cmd *exec.Cmd) (out []byte, err error) {
	p.thread.do(func() { out, err = cmd.CombinedOutput() })
	return out, err
}

// startCmd starts cmd from p.thread.
func (p *privatePostgres) startCmd(cmd *exec.Cmd) (err error) {
	p.thread.do(func() { err = cmd.Start() })
	return err
}

// start starts the postmaster and returns once it accepts connections.
// Its socket is in its own directory; TCP is off (listen_addresses empty).
// fsync is off: the tests crash the server process, never the machine, and
// the page cache outlives a process.
func (p *privatePostgres) start() error {
	logf, err := os.OpenFile(p.log(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := p.command(filepath.Join(p.bin, "postgres"), "-D", p.data(), "-k", p.dir, "-p", strconv.Itoa(p.port),
		"-c", "listen_addresses=", "-c", "fsync=off")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := p.startCmd(cmd); err != nil {
		logf.Close()
		return err
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(exited)
	}()
	p.cmd, p.exited = cmd, exited
	ctx := context.Background()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		select {
		case <-exited:
			p.cmd = nil
			return fmt.Errorf("the server exited as it started: %v", cmd.ProcessState)
		default:
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		conn, err := pgx.Connect(cctx, p.url("postgres"))
		cancel()
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server did not accept connections within a minute: %v", err)
		}
	}
}

// stop sends the postmaster sig (SIGINT: a fast shutdown, sessions cut;
// SIGQUIT: an immediate one, as in a crash, recovered from the WAL at the
// next start) and waits for it to exit, killing it after 30 s.
func (p *privatePostgres) stop(sig syscall.Signal) error {
	if p.cmd == nil {
		return nil
	}
	defer func() { p.cmd = nil }()
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.exited:
		return nil
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return errors.New("the server did not stop within 30 s after " + sig.String() + ": killed")
	}
}

// restart restarts the server: mode "fast" (SIGINT: clients are
// disconnected, a clean shutdown) or "immediate" (SIGQUIT: the server
// processes quit at once, as in a crash, and it recovers from its WAL at
// start). With down > 0 it stays stopped that long before it starts again.
// It returns once the server accepts connections again.
func (p *privatePostgres) restart(t *testing.T, mode string, down time.Duration) {
	t.Helper()
	sig := map[string]syscall.Signal{"fast": syscall.SIGINT, "immediate": syscall.SIGQUIT}[mode]
	if sig == 0 {
		t.Fatalf("restart mode %q: fast or immediate", mode)
	}
	if err := p.stop(sig); err != nil {
		t.Fatalf("stopping the private PostgreSQL server (-m %s): %v\n%s", mode, err, p.logTail())
	}
	time.Sleep(down)
	if err := p.start(); err != nil {
		t.Fatalf("starting the private PostgreSQL server again: %v\n%s", err, p.logTail())
	}
}

// url is the URL of a database of the private server, through its socket.
func (p *privatePostgres) url(database string) string {
	return fmt.Sprintf("postgres://postgres@/%s?host=%s&port=%d&sslmode=disable", database, p.dir, p.port)
}

// createDatabase makes a database on the private server and returns its
// URL.
func (p *privatePostgres) createDatabase(t *testing.T, name string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, p.url("postgres"))
	must(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+name)
	must(t, err)
	return p.url(name)
}

// logTail is the end of the private server's log, for a failure message.
func (p *privatePostgres) logTail() string {
	b, _ := os.ReadFile(p.log())
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}
