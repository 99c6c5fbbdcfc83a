// Package metrics serves the platform's Prometheus metrics (/metrics): it
// implements paved.Observer, which the platform calls where things happen,
// and reads the queue depth when scraped.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"paved.dev/paved"
)

// Metrics is the registry of paved_* metrics and the observer that feeds it.
type Metrics struct {
	reg         *prometheus.Registry
	deployments *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	gates       *prometheus.CounterVec
	reaper      *prometheus.CounterVec
}

var _ paved.Observer = (*Metrics)(nil)

// New registers the metrics; queueDepth is read at every scrape (the
// deployments queued on this server and not started yet).
func New(queueDepth func() int) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		deployments: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "paved_deployments_total",
			Help: "Deployments that ended on this server (gate refusals included), by status, kind and environment type."},
			[]string{"status", "kind", "env_type"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "paved_deployment_duration_seconds",
			Help: "How long deployments ran, from start to end, by status and environment type.",
			// 100 ms to about 27 minutes.
			Buckets: prometheus.ExponentialBuckets(0.1, 2.5, 12)},
			[]string{"status", "env_type"}),
		gates: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "paved_policy_decisions_total",
			Help: "Plans judged by a gate (the policy gate, a cost check), by gate and decision: allow, warn or deny."},
			[]string{"gate", "decision"}),
		reaper: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "paved_reaper_actions_total",
			Help: "What the reaper did with expired ephemeral environments: deleted or failed."},
			[]string{"action"}),
	}
	m.reg.MustRegister(m.deployments, m.duration, m.gates, m.reaper,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "paved_deployment_queue_depth",
			Help: "Deployments queued on this server that have not started."},
			func() float64 { return float64(queueDepth()) }))
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

func (m *Metrics) DeploymentFinished(kind paved.DeploymentKind, envType paved.EnvType, status paved.DeploymentStatus, took time.Duration) {
	m.deployments.WithLabelValues(string(status), string(kind), string(envType)).Inc()
	if took > 0 {
		m.duration.WithLabelValues(string(status), string(envType)).Observe(took.Seconds())
	}
}

func (m *Metrics) GateDecided(gate, decision string) { m.gates.WithLabelValues(gate, decision).Inc() }

func (m *Metrics) Reaped(action string) { m.reaper.WithLabelValues(action).Inc() }
