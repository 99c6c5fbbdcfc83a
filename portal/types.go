package portal

import (
	"fmt"
	"net/http"
	"strings"

	"paved.dev/paved"
)

type typesPage struct {
	Apps    []paved.App
	Envs    []paved.Environment
	App     string
	Env     string
	Types   []typeRow
	Problem string
}

func (typesPage) title() string { return "What can I use here?" }

// typeRow is a resource type with the snippet that declares it.
type typeRow struct {
	paved.TypeInfo
	Snippet string
}

// snippet is what to paste into score.yaml to use a type.
func snippet(t paved.TypeInfo) string {
	var b strings.Builder
	name := strings.NewReplacer(".", "-", "_", "-").Replace(t.Type)
	fmt.Fprintf(&b, "resources:\n  %s:\n    type: %s\n", name, t.Type)
	if t.Class != "" {
		fmt.Fprintf(&b, "    class: %s\n", t.Class)
	}
	var outs []string
	for _, o := range t.Outputs {
		if o.Name != paved.AnyOutput {
			outs = append(outs, o.Name)
		}
	}
	if len(outs) > 0 {
		fmt.Fprintf(&b, "# then, in a container: ${resources.%s.%s}\n", name, outs[0])
	}
	return b.String()
}

func (p *Portal) types(rq *request) error {
	q := rq.r.URL.Query()
	page := typesPage{App: q.Get("app"), Env: q.Get("env")}
	apps, err := p.svc.Apps.ListApps(rq.ctx)
	if err != nil {
		return err
	}
	page.Apps = apps
	if page.App == "" && len(apps) > 0 {
		page.App = apps[0].Name
	}
	if page.App != "" {
		if page.Envs, err = p.svc.Environments.ListEnvironments(rq.ctx, page.App); err != nil {
			return err
		}
		if page.Env == "" && len(page.Envs) > 0 {
			page.Env = page.Envs[0].Name
		}
	}
	status := http.StatusOK
	if page.App != "" && page.Env != "" {
		ts, err := p.svc.Environments.ResourceTypes(rq.ctx, page.App, page.Env)
		switch {
		case paved.ErrorCode(err) == paved.ENOTFOUND:
			page.Problem, status = paved.ErrorMessage(err), http.StatusNotFound
		case err != nil:
			return err
		}
		for _, t := range ts {
			page.Types = append(page.Types, typeRow{TypeInfo: t, Snippet: snippet(t)})
		}
	}
	p.render(rq.w, rq.r, rq, status, "types", page)
	return nil
}
