package portal

import (
	"context"
	"errors"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"paved.dev/paved"
)

type appsPage struct {
	Apps  []paved.App
	Teams []paved.Team
	Team  string
}

func (appsPage) title() string { return "Apps" }

func (p *Portal) apps(rq *request) error {
	apps, err := p.svc.Apps.ListApps(rq.ctx)
	if err != nil {
		return err
	}
	teams, err := p.svc.Teams.ListTeams(rq.ctx)
	if err != nil {
		return err
	}
	team := rq.r.URL.Query().Get("team")
	if team != "" {
		apps = slices.DeleteFunc(apps, func(a paved.App) bool { return a.Team != team })
	}
	p.render(rq.w, rq.r, rq, http.StatusOK, "apps", appsPage{Apps: apps, Teams: teams, Team: team})
	return nil
}

// workload is one Score workload as a deployment ran it.
type workload struct {
	Name   string
	Images []string
}

// workloadsOf reads the workloads and their images from a deployment's
// Score specs; a spec that does not decode is shown by its file name.
func workloadsOf(specs map[string]string) []workload {
	var out []workload
	for file, spec := range specs {
		var s struct {
			Metadata struct {
				Name string `yaml:"name"`
			} `yaml:"metadata"`
			Containers map[string]struct {
				Image string `yaml:"image"`
			} `yaml:"containers"`
		}
		w := workload{Name: file}
		if err := yaml.Unmarshal([]byte(spec), &s); err == nil && s.Metadata.Name != "" {
			w.Name = s.Metadata.Name
			for _, c := range sortedKeys(s.Containers) {
				w.Images = append(w.Images, s.Containers[c].Image)
			}
		}
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// envRow is an environment on the app page.
type envRow struct {
	Env       paved.Environment
	Last      *paved.Deployment
	Workloads map[string]workload
	list      []workload
	Status    *paved.EnvironmentStatus
	StatusErr string
}

// driftTimeout bounds how long a page waits for a target to say what
// differs.
const driftTimeout = 3 * time.Second

func (p *Portal) envRow(rq *request, app string, e paved.Environment) (envRow, error) {
	row := envRow{Env: e, Workloads: map[string]workload{}}
	ds, err := p.svc.Deployments.ListDeployments(rq.ctx, paved.DeploymentFilter{App: app, Env: e.Name, Limit: 1})
	if err != nil {
		return row, err
	}
	if len(ds) > 0 {
		if row.Last, err = p.svc.Deployments.GetDeployment(rq.ctx, ds[0].ID); err != nil {
			return row, err
		}
		row.list = workloadsOf(row.Last.Specs)
		for _, w := range row.list {
			row.Workloads[w.Name] = w
		}
	}
	ctx, cancel := context.WithTimeout(rq.ctx, driftTimeout)
	defer cancel()
	if st, err := p.svc.Environments.EnvironmentStatus(ctx, app, e.Name); err == nil {
		row.Status = st
	} else {
		row.StatusErr = paved.ErrorMessage(err)
	}
	return row, nil
}

type appPage struct {
	App       *paved.App
	Rows      []envRow
	Workloads []string
	Graph     template.HTML
	GraphEnv  string
	MayChange bool
}

func (a appPage) title() string { return a.App.Name }

func (p *Portal) app(rq *request) error {
	a, err := p.svc.Apps.GetApp(rq.ctx, rq.r.PathValue("app"))
	if err != nil {
		return err
	}
	envs, err := p.svc.Environments.ListEnvironments(rq.ctx, a.Name)
	if err != nil {
		return err
	}
	page := appPage{App: a, MayChange: mayChange(rq.user, a.Team)}
	// Each environment is read on its own, a few at a time: its last
	// deployment, and its drift from its target, bounded in time (a
	// cluster that does not answer must not hold the page).
	page.Rows = make([]envRow, len(envs))
	errs := make([]error, len(envs))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, e := range envs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			page.Rows[i], errs[i] = p.envRow(rq, a.Name, e)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	names := map[string]bool{}
	for _, row := range page.Rows {
		for w := range row.Workloads {
			names[w] = true
		}
		if page.Graph == "" && row.Last != nil && row.Last.Plan != nil {
			page.Graph, page.GraphEnv = resourceGraph(row.Last, row.list), row.Env.Name
		}
	}
	page.Workloads = sortedKeys(names)
	p.render(rq.w, rq.r, rq, http.StatusOK, "app", page)
	return nil
}

// workloadOfUID is the workload a resource UID belongs to
// ("postgres.default#api.db" → "api"); "" for a shared resource.
func workloadOfUID(uid paved.ResourceUID) string {
	_, after, ok := strings.Cut(string(uid), "#")
	if !ok {
		return ""
	}
	w, _, ok := strings.Cut(after, ".")
	if !ok {
		return ""
	}
	return w
}
