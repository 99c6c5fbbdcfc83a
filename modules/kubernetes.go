package modules

import (
	"context"
	"fmt"
	"log/slog"
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

func (k kubeTarget) Drift(ctx context.Context, dc paved.DeployContext, objects []paved.Object) ([]paved.Drift, error) {
	ds, err := k.Target.Drift(ctx, dc, objects)
	if err != nil {
		return nil, err
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
	// roll out.
	RolloutTimeout time.Duration
	// Installation names this installation in inventory labels and field
	// managers, so that installations sharing a cluster never touch each
	// other's objects.
	Installation string
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
// Kubernetes clusters.
func Targets(r *paved.Registry, o KubernetesOptions) error {
	return r.RegisterTargetType(paved.TargetKubernetes, func(info *paved.TargetInfo) (paved.Target, error) {
		wait := o.RolloutTimeout
		if wait <= 0 {
			wait = kubernetes.DefaultWaitTimeout
		}
		t, err := kubernetes.Open(kubernetes.Config{
			Name: info.Name, Kubeconfig: info.Kubeconfig, Context: info.Context, InCluster: info.InCluster,
			WaitTimeout: wait.String(),
		}, kubernetes.WithLogger(o.Logger), kubernetes.WithInstallation(o.Installation),
			kubernetes.WithClusterScopedKinds(o.ClusterScopedKinds...),
			kubernetes.WithInsecureKubeconfigExec(o.InsecureKubeconfigExec),
			kubernetes.WithInsecureKubeconfigFiles(o.InsecureKubeconfigFiles))
		if err != nil {
			return nil, err
		}
		return kubeTarget{t}, nil
	})
}
