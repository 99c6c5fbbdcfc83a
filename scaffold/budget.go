package scaffold

import (
	"errors"
	"fmt"
	"text/template"
	"time"

	"paved.dev/paved"
)

// limits of one rendering (every file of a template, on the server):
// text/template cannot be cancelled, so the functions a template calls,
// each loop iteration and each template call, and every write check them
// (funcs.go, steps.go).
type limits struct {
	// Time is the wall-clock budget of the whole rendering.
	Time time.Duration
	// Steps bounds range iterations, template calls and function calls
	// together; a list made by until, untilStep or seq costs its length.
	Steps int
	// FileBytes bounds one rendered file, TotalBytes all of them.
	FileBytes, TotalBytes int
	// Value bounds any value a function returns: a string's bytes, a
	// list's or a map's elements counted all the way down.
	Value int
}

// defaultLimits are the limits of every rendering: far above what the
// built-ins need (a few thousand steps, 30 KiB), far below what would
// hold the server up.
func defaultLimits() limits {
	return limits{Time: 2 * time.Second, Steps: 250_000, FileBytes: 4 << 20, TotalBytes: 16 << 20, Value: 4 << 20}
}

// budget is what remains of one rendering's limits.
type budget struct {
	lim      limits
	deadline time.Time
	steps    int
	bytes    int
	lib      template.FuncMap
}

func newBudget(lim limits) *budget {
	return &budget{lim: lim, deadline: time.Now().Add(lim.Time)}
}

// errBudget marks a rendering stopped by its limits.
var errBudget = errors.New("limit")

// budgetError is a limit reached, said so that the template's author
// knows which.
type budgetError struct{ msg string }

func (e *budgetError) Error() string { return e.msg }
func (e *budgetError) Unwrap() error { return errBudget }

// step spends n steps and checks the deadline.
func (b *budget) step(n int) error {
	if b.steps += n; b.steps > b.lim.Steps {
		return &budgetError{fmt.Sprintf("the template ran more than %d steps (loop iterations, template and function calls): a loop or a recursion too long", b.lim.Steps)}
	}
	return b.inTime()
}

func (b *budget) inTime() error {
	if time.Now().After(b.deadline) {
		return &budgetError{fmt.Sprintf("rendering took longer than %v: a loop or a recursion too long", b.lim.Time)}
	}
	return nil
}

// limitError says which limit a rendering reached, as EINVALID (the
// template's fault, not the server's).
func limitError(t *paved.Template, file string, err error) error {
	return paved.Errorf(paved.EINVALID, "%s (template %s %s): %s", file, t.Name, t.Version, err)
}

// limited fails a write past the file's or the rendering's byte budget,
// or past its deadline: a template that loops cannot fill the server's
// memory or hold it.
type limited struct {
	w interface {
		Write([]byte) (int, error)
		Len() int
	}
	b *budget
}

func (l *limited) Write(p []byte) (int, error) {
	if err := l.b.inTime(); err != nil {
		return 0, err
	}
	if l.w.Len()+len(p) > l.b.lim.FileBytes {
		return 0, &budgetError{fmt.Sprintf("the rendered file is larger than %d bytes", l.b.lim.FileBytes)}
	}
	if l.b.bytes+len(p) > l.b.lim.TotalBytes {
		return 0, &budgetError{fmt.Sprintf("the rendered files are larger than %d bytes together", l.b.lim.TotalBytes)}
	}
	l.b.bytes += len(p)
	return l.w.Write(p)
}
