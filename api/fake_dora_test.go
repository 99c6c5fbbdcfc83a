package api

import (
	"context"

	"paved.dev/paved"
)

func (f *fake) DORA(ctx context.Context, req paved.DORARequest) (*paved.DORAReport, error) {
	if err := f.call("DORA", req.App, req.Team, req.Window); err != nil {
		return nil, err
	}
	r := paved.NewDORAReport(paved.DORAFigures{Deployments: 4, Succeeded: 3, Failed: 1, FailedChanges: 1}, req.Window)
	r.Scope, r.App, r.EnvType = "app", req.App, paved.EnvStaging
	return &r, nil
}
