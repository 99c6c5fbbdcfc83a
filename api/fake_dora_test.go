package api

import (
	"context"

	"paved.dev/paved"
)

func (f *fake) DORA(ctx context.Context, req paved.DORARequest) (*paved.DORAReport, error) {
	if err := f.call("DORA", req.App, req.Team, req.Window, req.Weekly); err != nil {
		return nil, err
	}
	r := paved.NewDORAReport(paved.DORAFigures{Deployments: 4, Succeeded: 3, Failed: 1, FailedChanges: 1}, req.Window)
	r.Scope, r.App, r.EnvType = "app", req.App, paved.EnvStaging
	if req.Weekly {
		r.Weeks = fakeWeeks
	}
	return &r, nil
}

var fakeWeeks = []paved.DORAWeek{{From: waiverAt, To: waiverAt.AddDate(0, 0, 7), Deployments: 4, Succeeded: 3, Failed: 1, FailedChanges: 1}}
