package paved

import "time"

// Observer is told what the platform does as it happens, for metrics
// (package metrics implements it for Prometheus). Its methods must be
// cheap and never block.
type Observer interface {
	// DeploymentFinished: a deployment ended (a gate's refusal included);
	// took is from its start to its end, 0 when it never started.
	DeploymentFinished(kind DeploymentKind, envType EnvType, status DeploymentStatus, took time.Duration)
	// GateDecided: a gate judged a plan: "allow", "warn" or "deny" (the
	// most severe of its findings after waivers).
	GateDecided(gate, decision string)
	// Reaped: the reaper acted on an expired environment: "deleted" or
	// "failed".
	Reaped(action string)
}

// NopObserver observes nothing.
type NopObserver struct{}

func (NopObserver) DeploymentFinished(DeploymentKind, EnvType, DeploymentStatus, time.Duration) {}
func (NopObserver) GateDecided(string, string)                                                  {}
func (NopObserver) Reaped(string)                                                               {}
