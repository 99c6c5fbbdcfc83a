package paved

import (
	"errors"
	"time"
)

// ProbeStatus is the outcome of a probe of a target or a definition.
type ProbeStatus string

// Probe outcomes.
const (
	// ProbeOK: paved reached it and has the rights it needs.
	ProbeOK ProbeStatus = "ok"
	// ProbeFailed: it cannot be reached, or paved lacks rights; Message says
	// what to fix.
	ProbeFailed ProbeStatus = "failed"
	// ProbeLimited: only part could be checked (a program was found but has
	// no check mode); Message says what was and was not checked.
	ProbeLimited ProbeStatus = "limited"
	// ProbeNotChecked: nothing can be checked (a driver that reaches
	// nothing outside the cluster, a target without a probe).
	ProbeNotChecked ProbeStatus = "not_checked"
)

// ProbeResult is what a probe of a target or a definition found: can paved
// reach it with the rights it needs.
type ProbeResult struct {
	Name      string      `json:"name"`
	Kind      string      `json:"kind"` // target, definition
	Status    ProbeStatus `json:"status"`
	Message   string      `json:"message"`
	CheckedAt time.Time   `json:"checked_at"`
}

// OK reports whether the probe passed in full.
func (r *ProbeResult) OK() bool { return r.Status == ProbeOK }

// ErrProbeLimited marks a probe that could check only part of what it
// should; wrap it with what was checked.
var ErrProbeLimited = errors.New("only partly checked")
