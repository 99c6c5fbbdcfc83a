// Package kubernetes is the paved target that applies rendered objects to a
// Kubernetes cluster with server-side apply under the field manager "paved",
// keeps an inventory of what it applied so that removed objects are pruned,
// and reports rollout status. Objects paved did not create are never touched.
package kubernetes

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"paved.dev/paved"
)

// FieldManager prefixes the server-side apply field manager of paved's
// writes; each environment applies as its own manager (FieldManagerFor), so
// that server-side apply reports a conflict when one environment's objects
// would overwrite another's, as it does for any other manager.
const FieldManager = "paved"

// Defaults for the options.
const (
	DefaultConcurrency  = 32
	DefaultWaitTimeout  = 2 * time.Minute
	DefaultPollInterval = time.Second
)

var (
	_ paved.Target       = (*Target)(nil)
	_ paved.TargetProber = (*Target)(nil)
)

// Target is one Kubernetes cluster.
type Target struct {
	name   string
	host   string
	dyn    dynamic.Interface
	api    *rest.RESTClient // discovery paths: /version, resource lists
	mapper *restMapper
	opts   options
}

type options struct {
	name         string
	concurrency  int
	waitTimeout  time.Duration
	pollInterval time.Duration
	probeNS      string
	logger       *slog.Logger

	// Tenancy and trust: inventory.go, legacy.go, confine.go, kubeconfig.go.
	installation  string
	adoptLegacy   bool
	clusterKinds  []string
	clusterScoped map[schema.GroupKind]bool
	insecureExec  bool
	insecureFiles bool
}

// Option changes how a Target behaves.
type Option func(*options)

// WithName names the target in messages and errors ("kubernetes target
// \"dev\" (https://...)").
func WithName(name string) Option { return func(o *options) { o.name = name } }

// WithConcurrency bounds how many objects of one stage are applied at once.
func WithConcurrency(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.concurrency = n
		}
	}
}

// WithWaitTimeout bounds how long Apply waits for workloads to roll out;
// 0 does not wait and reports workloads as applied or progressing.
func WithWaitTimeout(d time.Duration) Option { return func(o *options) { o.waitTimeout = d } }

// WithPollInterval sets how often rollout status is read while waiting.
func WithPollInterval(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.pollInterval = d
		}
	}
}

// WithProbeNamespace names the existing namespace in which Probe dry-runs a
// ConfigMap (default "default").
func WithProbeNamespace(ns string) Option { return func(o *options) { o.probeNS = ns } }

// WithLogger sets where the target logs what it does besides req.Log.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// Config is how a cluster is registered: a kubeconfig (inline or a file)
// with an optional context, or the in-cluster service account.
type Config struct {
	Name           string `json:"name" yaml:"name"`
	Kubeconfig     string `json:"kubeconfig,omitempty" yaml:"kubeconfig,omitempty"`
	KubeconfigPath string `json:"kubeconfig_path,omitempty" yaml:"kubeconfig_path,omitempty"`
	Context        string `json:"context,omitempty" yaml:"context,omitempty"`
	InCluster      bool   `json:"in_cluster,omitempty" yaml:"in_cluster,omitempty"`
	Concurrency    int    `json:"concurrency,omitempty" yaml:"concurrency,omitempty"`
	// WaitTimeout is a Go duration ("2m"); empty means DefaultWaitTimeout and
	// "0" means do not wait for rollouts.
	WaitTimeout string `json:"wait_timeout,omitempty" yaml:"wait_timeout,omitempty"`
}

// Open builds a Target from a registration. It does not contact the cluster;
// Probe does.
func Open(cfg Config, extra ...Option) (*Target, error) {
	opts := []Option{WithName(cfg.Name), WithConcurrency(cfg.Concurrency)}
	if cfg.WaitTimeout != "" {
		d, err := time.ParseDuration(cfg.WaitTimeout)
		if err != nil || d < 0 {
			return nil, paved.Errorf(paved.EINVALID, "kubernetes target %q: wait_timeout %q is not a duration such as 2m or 0", cfg.Name, cfg.WaitTimeout)
		}
		opts = append(opts, WithWaitTimeout(d))
	}
	opts = append(opts, extra...)
	sources := 0
	for _, set := range []bool{cfg.Kubeconfig != "", cfg.KubeconfigPath != "", cfg.InCluster} {
		if set {
			sources++
		}
	}
	if sources != 1 {
		return nil, paved.Errorf(paved.EINVALID, "kubernetes target %q: set exactly one of kubeconfig, kubeconfig_path and in_cluster", cfg.Name)
	}
	switch {
	case cfg.InCluster:
		return InCluster(opts...)
	case cfg.KubeconfigPath != "":
		return FromKubeconfigFile(cfg.KubeconfigPath, cfg.Context, opts...)
	default:
		return FromKubeconfig([]byte(cfg.Kubeconfig), cfg.Context, opts...)
	}
}

// FromKubeconfig builds a Target from kubeconfig bytes and a context name
// ("" for the kubeconfig's current context). A user that would make paved
// run a program or read a local file is refused unless the options allow it
// (kubeconfig.go).
func FromKubeconfig(kubeconfig []byte, contextName string, opts ...Option) (*Target, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	raw, err := clientcmd.Load(kubeconfig)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "kubernetes target %q: the kubeconfig cannot be read: %w", o.name, err)
	}
	return fromRaw(raw, contextName, o)
}

// FromKubeconfigFile builds a Target from a kubeconfig file.
func FromKubeconfigFile(path, contextName string, opts ...Option) (*Target, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	raw, err := clientcmd.LoadFromFile(path)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "kubernetes target %q: the kubeconfig %s cannot be read: %w", o.name, path, err)
	}
	return fromRaw(raw, contextName, o)
}

func fromRaw(raw *clientcmdapi.Config, contextName string, o options) (*Target, error) {
	if contextName != "" {
		if _, ok := raw.Contexts[contextName]; !ok {
			return nil, paved.Errorf(paved.EINVALID, "kubernetes target %q: the kubeconfig has no context %q (it has %s)", o.name, contextName, contextNames(raw))
		}
	}
	// Before ClientConfig, which already reads a tokenFile.
	if err := checkKubeconfig(raw, contextName, o); err != nil {
		return nil, err
	}
	cfg, err := clientcmd.NewNonInteractiveClientConfig(*raw, contextName, &clientcmd.ConfigOverrides{}, nil).ClientConfig()
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "kubernetes target %q: the kubeconfig is not usable: %w", o.name, err)
	}
	return newTarget(cfg, o)
}

// InCluster builds a Target from the service account paved runs as in a
// Pod. Its token and CA are files, but ones the operator put there, not a
// registrant: the kubeconfig checks do not apply.
func InCluster(opts ...Option) (*Target, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	cfg, err := rest.InClusterConfig()
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "kubernetes target %q: in-cluster configuration: %w", o.name, err)
	}
	return newTarget(cfg, o)
}

// New builds a Target from a client configuration, which the caller
// trusts: the kubeconfig checks do not apply.
func New(cfg *rest.Config, opts ...Option) (*Target, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	return newTarget(rest.CopyConfig(cfg), o)
}

func newOptions(opts []Option) (options, error) {
	o := options{
		name:         "kubernetes",
		concurrency:  DefaultConcurrency,
		waitTimeout:  DefaultWaitTimeout,
		pollInterval: DefaultPollInterval,
		probeNS:      "default",
		adoptLegacy:  true,
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if err := checkInstallation(o); err != nil {
		return o, err
	}
	kinds, err := parseClusterKinds(o.name, o.clusterKinds)
	if err != nil {
		return o, err
	}
	o.clusterScoped = kinds
	return o, nil
}

func newTarget(cfg *rest.Config, o options) (*Target, error) {
	// client-go's default of 5 requests a second would make a 600-object
	// apply take two minutes. The bounded concurrency already limits the
	// load, and the apiserver's priority and fairness protects it, so no
	// client-side rate limit is set unless the kubeconfig's user asks.
	if cfg.QPS == 0 {
		cfg.QPS = -1
	}
	cfg.UserAgent = "paved"
	// Deprecation warnings would go to client-go's global logger; the
	// per-request log is where a user reads what happened.
	cfg.WarningHandler = rest.NoWarnings{}
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "kubernetes target %q: %w", o.name, err)
	}
	dyn, err := dynamic.NewForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "kubernetes target %q: %w", o.name, err)
	}
	api, err := newAPIClient(cfg, hc)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "kubernetes target %q: %w", o.name, err)
	}
	return &Target{
		name:   o.name,
		host:   cfg.Host,
		dyn:    dyn,
		api:    api,
		mapper: newRESTMapper(api),
		opts:   o,
	}, nil
}

// String names the target in messages.
func (t *Target) String() string {
	return fmt.Sprintf("kubernetes target %q (%s)", t.name, t.host)
}

func contextNames(raw *clientcmdapi.Config) string {
	if len(raw.Contexts) == 0 {
		return "none"
	}
	names := make([]string, 0, len(raw.Contexts))
	for n := range raw.Contexts {
		names = append(names, fmt.Sprintf("%q", n))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
