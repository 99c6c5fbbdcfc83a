package modules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/target/kubernetes"
)

// kubeTarget adapts the Kubernetes target's drift report to the domain's:
// a composition concern, so that the target knows nothing of how paved
// shows drift.
type kubeTarget struct{ *kubernetes.Target }

var (
	_ paved.Target       = kubeTarget{}
	_ paved.TargetProber = kubeTarget{}
	_ paved.DriftReader  = kubeTarget{}
)

func (k kubeTarget) Apply(ctx context.Context, req *paved.ApplyRequest) (*paved.ApplyResult, error) {
	res, err := k.Target.Apply(ctx, req)
	return res, withServerFlags(err)
}

func (k kubeTarget) Drift(ctx context.Context, dc paved.DeployContext, objects []paved.Object) ([]paved.Drift, error) {
	ds, err := k.Target.Drift(ctx, dc, objects)
	if err != nil {
		return nil, withServerFlags(err)
	}
	out := make([]paved.Drift, 0, len(ds))
	for _, d := range ds {
		pd := paved.Drift{Ref: d.Ref, State: paved.DriftChanged, Reason: d.Reason}
		if d.Missing {
			pd.State = paved.DriftMissing
		}
		for _, f := range d.Fields {
			s := fmt.Sprintf("%s: applied %v, live %v", f.Path, f.Applied, f.Live)
			if d.Ref.Kind == "Secret" {
				// A Secret's values never leave paved, not even in a drift report.
				s = f.Path + ": changed"
			}
			if f.Manager != "" {
				s += " (now owned by " + f.Manager + ")"
			}
			pd.Fields = append(pd.Fields, s)
		}
		out = append(out, pd)
	}
	return out, nil
}

// KubernetesOptions configure the clusters registered at run time.
type KubernetesOptions struct {
	// RolloutTimeout bounds how long a deployment waits for workloads to
	// roll out; 0 means kubernetes.DefaultWaitTimeout.
	RolloutTimeout time.Duration
	// RolloutPoll is how often a rollout's progress is read; 0 means
	// kubernetes.DefaultPollInterval.
	RolloutPoll time.Duration
	// Installation names this installation in inventory labels and field
	// managers, so that installations sharing a cluster never touch each
	// other's objects.
	Installation string
	// NoLegacyAdoption stops adopting objects that paved versions without
	// installation ids applied (kubernetes.WithLegacyAdoption(false)): for
	// once every installation sharing the clusters has redeployed.
	// Adoption is on by default.
	NoLegacyAdoption bool
	// ClusterScopedKinds may be applied besides the environment's own
	// Namespace ("apiextensions.k8s.io/CustomResourceDefinition").
	ClusterScopedKinds []string
	// InsecureKubeconfigExec and InsecureKubeconfigFiles let registered
	// kubeconfigs run programs (exec, auth-provider) or read files on the
	// server (tokenFile, certificate paths): off, as in Flux.
	InsecureKubeconfigExec  bool
	InsecureKubeconfigFiles bool
	Logger                  *slog.Logger
}

// Targets registers the target types that are registered at run time:
// Kubernetes clusters. Bad ClusterScopedKinds fail it, naming the entry.
func Targets(r *paved.Registry, o KubernetesOptions) error {
	if err := kubernetes.ValidateClusterScopedKinds(o.ClusterScopedKinds...); err != nil {
		return paved.Errorf(paved.EINVALID, "server flag --cluster-scoped-kinds: %w", err)
	}
	return r.RegisterTargetType(paved.TargetKubernetes, func(info *paved.TargetInfo) (paved.Target, error) {
		wait := o.RolloutTimeout
		if wait <= 0 {
			wait = kubernetes.DefaultWaitTimeout
		}
		t, err := kubernetes.Open(kubernetes.Config{
			Name: info.Name, Kubeconfig: info.Kubeconfig, Context: info.Context, InCluster: info.InCluster,
		}, kubernetes.WithWaitTimeout(wait), kubernetes.WithPollInterval(o.RolloutPoll), kubernetes.WithLogger(o.Logger), kubernetes.WithInstallation(o.Installation),
			kubernetes.WithLegacyAdoption(!o.NoLegacyAdoption),
			kubernetes.WithClusterScopedKinds(o.ClusterScopedKinds...),
			kubernetes.WithInsecureKubeconfigExec(o.InsecureKubeconfigExec),
			kubernetes.WithInsecureKubeconfigFiles(o.InsecureKubeconfigFiles))
		if err != nil {
			return nil, withServerFlags(err)
		}
		return kubeTarget{t}, nil
	})
}

// serverFlags are the server flags that set the target's options. The
// target's errors name its options (and wrap a cause for each); paved
// server users set flags, so the errors they see name those too.
var serverFlags = []struct {
	cause        error
	option, flag string
}{
	{kubernetes.ErrClusterScopedKind, "WithClusterScopedKinds", "--cluster-scoped-kinds"},
	{kubernetes.ErrKubeconfigExec, "WithInsecureKubeconfigExec", "--insecure-kubeconfig-exec"},
	{kubernetes.ErrKubeconfigFiles, "WithInsecureKubeconfigFiles", "--insecure-kubeconfig-files"},
}

// withServerFlags names, in an error that names a target option, the
// server flag that sets it instead, keeping its code and causes.
func withServerFlags(err error) error {
	msg, named := paved.ErrorMessage(err), false
	for _, f := range serverFlags {
		if errors.Is(err, f.cause) {
			msg, named = strings.ReplaceAll(msg, f.option, "server flag "+f.flag), true
		}
	}
	if !named {
		return err
	}
	return &paved.Error{Code: paved.ErrorCode(err), Message: msg, Err: err}
}
