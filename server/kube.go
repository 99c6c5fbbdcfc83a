package server

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/target/kubernetes"
)

// kubeTarget adapts the Kubernetes target's drift report to the domain's.
type kubeTarget struct{ *kubernetes.Target }

var (
	_ paved.Target        = kubeTarget{}
	_ paved.TargetChecker = kubeTarget{}
	_ paved.DriftChecker  = kubeTarget{}
)

func (k kubeTarget) Drift(ctx context.Context, dc paved.DeployContext, objects []paved.Object) ([]paved.Drift, error) {
	ds, err := k.Target.Drift(ctx, dc, objects)
	if err != nil {
		return nil, err
	}
	out := make([]paved.Drift, 0, len(ds))
	for _, d := range ds {
		pd := paved.Drift{Ref: d.Ref, State: "changed"}
		if d.Missing {
			pd.State = "missing"
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

// kubeFactory builds registered Kubernetes targets.
func kubeFactory(log *slog.Logger, wait time.Duration) func(info *paved.TargetInfo) (paved.Target, error) {
	return func(info *paved.TargetInfo) (paved.Target, error) {
		t, err := kubernetes.Open(kubernetes.Config{
			Name: info.Name, Kubeconfig: info.Kubeconfig, Context: info.Context, InCluster: info.InCluster,
			WaitTimeout: wait.String(),
		}, kubernetes.WithLogger(log))
		if err != nil {
			return nil, err
		}
		return kubeTarget{t}, nil
	}
}
