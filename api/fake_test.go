package api

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"paved.dev/paved"
)

// fake implements every service with maps, records each call with its
// arguments, and fails or panics on request.
type fake struct {
	mu          sync.Mutex
	calls       []string
	fail        map[string]error
	panicOn     string
	now         time.Time
	teams       []paved.Team
	users       []paved.User
	apps        map[string]paved.App
	envs        map[string]paved.Environment // by app/env
	defs        map[string][]paved.ResourceDefinition
	deployments map[string]*paved.Deployment
	events      map[string][]paved.Event
	resources   []paved.Resource
	audit       []paved.AuditEntry
	targets     map[string]paved.TargetInfo  // with the kubeconfig, as a store would keep it sealed
	health      map[string]paved.ProbeResult // by target or definition name
	status      map[string]paved.EnvironmentStatus
}

var (
	_ paved.TeamService        = (*fake)(nil)
	_ paved.UserService        = (*fake)(nil)
	_ paved.AppService         = (*fake)(nil)
	_ paved.EnvironmentService = (*fake)(nil)
	_ paved.DefinitionService  = (*fake)(nil)
	_ paved.DeploymentService  = (*fake)(nil)
	_ paved.ResourceService    = (*fake)(nil)
	_ paved.AuditService       = (*fake)(nil)
	_ paved.TargetService      = (*fake)(nil)
	_ paved.EventFollower      = (*fake)(nil)
)

var t0 = time.Date(2025, 11, 24, 9, 0, 0, 0, time.UTC)

func newFake() *fake {
	f := &fake{
		fail:        map[string]error{},
		now:         t0,
		teams:       []paved.Team{{Name: "shop", Cohort: 1, Pioneering: true, CreatedAt: t0}},
		users:       []paved.User{{Name: "alice", Role: paved.RoleAdmin, CreatedAt: t0}, {Name: "bob", Role: paved.RoleDeveloper, Teams: []string{"shop"}, CreatedAt: t0}},
		apps:        map[string]paved.App{"shop": {Name: "shop", Team: "shop", CreatedAt: t0}},
		envs:        map[string]paved.Environment{"shop/dev": {App: "shop", Name: "dev", Type: "development", Target: "gitops", Namespace: "shop-dev", CreatedAt: t0}},
		defs:        map[string][]paved.ResourceDefinition{},
		deployments: map[string]*paved.Deployment{},
		events:      map[string][]paved.Event{},
		resources: []paved.Resource{{
			UID: "postgres.default#api.db", App: "shop", Env: "dev", DefinitionID: "postgres-dev", Driver: "postgres",
			Outputs: map[string]any{"host": "pg", "port": 5432, "password": paved.Redacted}, Secrets: []string{"password"},
		}},
		audit:   []paved.AuditEntry{{ID: 1, Time: t0, Actor: "alice", Action: "deploy", Target: "shop/dev", Result: "ok"}},
		targets: map[string]paved.TargetInfo{"gitops": {Name: "gitops", Type: paved.TargetGitOps}},
		health: map[string]paved.ProbeResult{
			"gitops":       {Name: "gitops", Kind: "target", Status: paved.ProbeOK, Message: "reachable", CheckedAt: t0},
			"postgres-dev": {Name: "postgres-dev", Kind: "definition", Status: paved.ProbeFailed, Message: "connect to pg:5432: connection refused", CheckedAt: t0},
		},
		status: map[string]paved.EnvironmentStatus{"shop/dev": {App: "shop", Env: "dev", Target: "gitops", Deployment: "d1", Drift: []paved.Drift{{
			Ref: paved.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop-dev", Name: "api"}, State: "changed", Fields: []string{"spec.replicas: 2 → 5"},
		}}}},
	}
	f.defs["postgres-dev"] = []paved.ResourceDefinition{
		{ID: "postgres-dev", Type: "postgres", Driver: "postgres", Version: 1},
		{ID: "postgres-dev", Type: "postgres", Driver: "postgres", Version: 2, Criteria: []paved.Criteria{{EnvType: "development"}}},
	}
	f.deployments["d1"] = &paved.Deployment{ID: "d1", App: "shop", Env: "dev", Author: "alice", Status: paved.DeploymentSucceeded,
		Specs: map[string]string{"score.yaml": "apiVersion: score.dev/v1b1\n"}, CreatedAt: t0}
	f.events["d1"] = []paved.Event{
		{Seq: 1, Time: t0, Level: "info", Message: "queued"},
		{Seq: 2, Time: t0, Level: "info", Message: "applied"},
		{Seq: 3, Time: t0, Level: "info", Message: "ready"},
	}
	return f
}

// call records a call and returns the failure set for method, if any.
func (f *fake) call(method string, args ...any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	parts := []string{method}
	for _, a := range args {
		parts = append(parts, fmt.Sprint(a))
	}
	f.calls = append(f.calls, strings.Join(parts, " "))
	if f.panicOn == method {
		panic("the fake panics in " + method)
	}
	return f.fail[method]
}

func (f *fake) lastCall() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		return ""
	}
	return f.calls[len(f.calls)-1]
}

func (f *fake) setFail(method string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[method] = err
}

func actorName(ctx context.Context) string {
	if u := paved.ActorFrom(ctx); u != nil {
		return u.Name
	}
	return "-"
}

func (f *fake) CreateTeam(ctx context.Context, t *paved.Team) error {
	if err := f.call("CreateTeam", t.Name, t.Cohort); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, x := range f.teams {
		if x.Name == t.Name {
			return paved.Errorf(paved.ECONFLICT, "team %q exists", t.Name)
		}
	}
	t.CreatedAt = f.now
	f.teams = append(f.teams, *t)
	return nil
}

func (f *fake) ListTeams(ctx context.Context) ([]paved.Team, error) {
	if err := f.call("ListTeams"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.teams), nil
}

func (f *fake) CreateUser(ctx context.Context, u *paved.User) error {
	if err := f.call("CreateUser", u.Name, u.Role, u.Teams); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	u.CreatedAt = f.now
	f.users = append(f.users, *u)
	return nil
}

func (f *fake) ListUsers(ctx context.Context) ([]paved.User, error) {
	if err := f.call("ListUsers"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.users), nil
}

func (f *fake) UpdateUser(ctx context.Context, name string, up paved.UserUpdate) (*paved.User, error) {
	if err := f.call("UpdateUser", name, up.Role != nil, up.Disabled != nil); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.users {
		if f.users[i].Name == name {
			if up.Role != nil {
				f.users[i].Role = *up.Role
			}
			if up.Disabled != nil {
				f.users[i].Disabled = *up.Disabled
			}
			u := f.users[i]
			return &u, nil
		}
	}
	return nil, paved.Errorf(paved.ENOTFOUND, "user %q not found", name)
}

func (f *fake) CreateToken(ctx context.Context, req *paved.TokenRequest) (*paved.IssuedToken, error) {
	if err := f.call("CreateToken", req.User, actorName(ctx)); err != nil {
		return nil, err
	}
	exp := f.now.Add(24 * time.Hour)
	return &paved.IssuedToken{Token: paved.Token{ID: "t1", User: req.User, Name: req.Name, CreatedAt: f.now, ExpiresAt: &exp}, Secret: "tok-" + req.User}, nil
}

func (f *fake) ListTokens(ctx context.Context, user string) ([]paved.Token, error) {
	if err := f.call("ListTokens", user); err != nil {
		return nil, err
	}
	return []paved.Token{{ID: "t1", User: user, Name: "ci", CreatedAt: f.now}}, nil
}

func (f *fake) RevokeTokens(ctx context.Context, user, id string) (int, error) {
	if err := f.call("RevokeTokens", user, id); err != nil {
		return 0, err
	}
	if id == "" {
		return 2, nil
	}
	return 1, nil
}

func (f *fake) RotateToken(ctx context.Context, user, id string) (*paved.IssuedToken, error) {
	if err := f.call("RotateToken", user, id); err != nil {
		return nil, err
	}
	return &paved.IssuedToken{Token: paved.Token{ID: id + "-rotated", User: user, CreatedAt: f.now}, Secret: "pvd_rotated"}, nil
}

func (f *fake) WhoAmI(ctx context.Context) (*paved.User, error) {
	if err := f.call("WhoAmI"); err != nil {
		return nil, err
	}
	u := paved.ActorFrom(ctx)
	if u == nil {
		return nil, paved.Errorf(paved.EUNAUTHORIZED, "no caller")
	}
	return u, nil
}

func (f *fake) CreateApp(ctx context.Context, a *paved.App) error {
	if err := f.call("CreateApp", a.Name, a.Team); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	a.CreatedAt = f.now
	f.apps[a.Name] = *a
	return nil
}

func (f *fake) GetApp(ctx context.Context, name string) (*paved.App, error) {
	if err := f.call("GetApp", name); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.apps[name]
	if !ok {
		return nil, paved.Errorf(paved.ENOTFOUND, "app %q not found", name)
	}
	return &a, nil
}

func (f *fake) ListApps(ctx context.Context) ([]paved.App, error) {
	if err := f.call("ListApps"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var apps []paved.App
	for _, a := range f.apps {
		apps = append(apps, a)
	}
	slices.SortFunc(apps, func(a, b paved.App) int { return strings.Compare(a.Name, b.Name) })
	return apps, nil
}

func (f *fake) CreateEnvironment(ctx context.Context, req *paved.EnvironmentRequest) (*paved.Environment, error) {
	if err := f.call("CreateEnvironment", req.App, req.Name, req.Type, time.Duration(req.TTL), req.From); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	e := paved.Environment{App: req.App, Name: req.Name, Type: req.Type, Target: "gitops", Namespace: req.App + "-" + req.Name, Values: req.Values, CreatedAt: f.now}
	if req.TTL > 0 {
		exp := f.now.Add(time.Duration(req.TTL))
		e.ExpiresAt = &exp
	}
	f.envs[req.App+"/"+req.Name] = e
	return &e, nil
}

func (f *fake) GetEnvironment(ctx context.Context, app, env string) (*paved.Environment, error) {
	if err := f.call("GetEnvironment", app, env); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.envs[app+"/"+env]
	if !ok {
		return nil, paved.Errorf(paved.ENOTFOUND, "environment %s/%s not found", app, env)
	}
	return &e, nil
}

func (f *fake) ListEnvironments(ctx context.Context, app string) ([]paved.Environment, error) {
	if err := f.call("ListEnvironments", app); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var envs []paved.Environment
	for _, e := range f.envs {
		if e.App == app {
			envs = append(envs, e)
		}
	}
	slices.SortFunc(envs, func(a, b paved.Environment) int { return strings.Compare(a.Name, b.Name) })
	return envs, nil
}

func (f *fake) ResourceTypes(ctx context.Context, app, env string) ([]paved.TypeInfo, error) {
	if err := f.call("ResourceTypes", app, env); err != nil {
		return nil, err
	}
	return []paved.TypeInfo{{Type: "postgres", Definition: "postgres-dev", Driver: "postgres", Outputs: []paved.OutputSpec{{Name: "password", Secret: true}}}}, nil
}

func (f *fake) ApplyDefinitions(ctx context.Context, defs []paved.ResourceDefinition) ([]paved.ResourceDefinition, error) {
	if err := f.call("ApplyDefinitions", len(defs)); err != nil {
		return nil, err
	}
	if u := paved.ActorFrom(ctx); u == nil || u.Role != paved.RoleAdmin {
		return nil, paved.Errorf(paved.EFORBIDDEN, "only admins change resource definitions")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]paved.ResourceDefinition, len(defs))
	for i, d := range defs {
		d.Version = len(f.defs[d.ID]) + 1
		f.defs[d.ID] = append(f.defs[d.ID], d)
		out[i] = d
	}
	return out, nil
}

func (f *fake) ListDefinitions(ctx context.Context) ([]paved.ResourceDefinition, error) {
	if err := f.call("ListDefinitions"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []paved.ResourceDefinition
	for _, h := range f.defs {
		out = append(out, h[len(h)-1])
	}
	slices.SortFunc(out, func(a, b paved.ResourceDefinition) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (f *fake) DefinitionHistory(ctx context.Context, id string) ([]paved.ResourceDefinition, error) {
	if err := f.call("DefinitionHistory", id); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	h, ok := f.defs[id]
	if !ok {
		return nil, paved.Errorf(paved.ENOTFOUND, "definition %q not found", id)
	}
	return slices.Clone(h), nil
}

func (f *fake) Plan(ctx context.Context, req *paved.DeployRequest) (*paved.Plan, error) {
	if err := f.call("Plan", req.App, req.Env, len(req.Specs), req.CommitSHA); err != nil {
		return nil, err
	}
	return &paved.Plan{App: req.App, Env: req.Env, Base: "d1",
		Objects: []paved.PlannedObject{{Ref: paved.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop-dev", Name: "api"},
			Action: paved.PlanUpdate, Diff: "-image: a\n+image: b\n"}},
		Resources: []paved.PlannedResource{{UID: "redis.default#api.cache", Action: paved.PlanCreate,
			Definition: paved.DefinitionRef{ID: "redis", Driver: "template"}}}}, nil
}

func (f *fake) Deploy(ctx context.Context, req *paved.DeployRequest) (*paved.Deployment, error) {
	if err := f.call("Deploy", req.App, req.Env, len(req.Specs), req.CommitSHA); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	d := &paved.Deployment{ID: fmt.Sprintf("d%d", len(f.deployments)+1), App: req.App, Env: req.Env, Author: actorName(ctx),
		CommitSHA: req.CommitSHA, CommitTime: req.CommitTime, Specs: req.Specs, Status: paved.DeploymentQueued, CreatedAt: f.now}
	f.deployments[d.ID] = d
	cp := *d
	return &cp, nil
}

func (f *fake) GetDeployment(ctx context.Context, id string) (*paved.Deployment, error) {
	if err := f.call("GetDeployment", id); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.deployments[id]
	if !ok {
		return nil, paved.Errorf(paved.ENOTFOUND, "deployment %q not found", id)
	}
	cp := *d
	return &cp, nil
}

func (f *fake) ListDeployments(ctx context.Context, flt paved.DeploymentFilter) ([]paved.Deployment, error) {
	if err := f.call("ListDeployments", flt.App, flt.Env, flt.Limit, flt.Statuses); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []paved.Deployment
	for _, d := range f.deployments {
		if (flt.App == "" || d.App == flt.App) && (flt.Env == "" || d.Env == flt.Env) {
			out = append(out, *d)
		}
	}
	slices.SortFunc(out, func(a, b paved.Deployment) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (f *fake) Events(ctx context.Context, id string, after int64) ([]paved.Event, error) {
	if err := f.call("Events", id, after); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []paved.Event
	for _, e := range f.events[id] {
		if e.Seq > after {
			out = append(out, e)
		}
	}
	return out, nil
}

// FollowEvents follows a deployment the way the platform's publisher does,
// from the fake's Events and GetDeployment (whose failures it returns): it
// sends what is new every few milliseconds until the deployment has
// finished and every event was sent, or ctx ends.
func (f *fake) FollowEvents(ctx context.Context, id string, after int64, send func(paved.Event) error) (*paved.Deployment, error) {
	if err := f.call("FollowEvents", id, after); err != nil {
		return nil, err
	}
	for {
		// The status first: when it says finished, the events read next
		// are all there will be.
		d, err := f.GetDeployment(ctx, id)
		if err != nil {
			return nil, err
		}
		evs, err := f.Events(ctx, id, after)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if err := send(e); err != nil {
				return nil, err
			}
			after = e.Seq
		}
		if d.Status.Finished() {
			return d, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// appendEvent adds the next event to a deployment's log.
func (f *fake) appendEvent(id, msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events[id] = append(f.events[id], paved.Event{Seq: int64(len(f.events[id]) + 1), Time: f.now, Level: "info", Message: msg})
}

func (f *fake) setStatus(id string, status paved.DeploymentStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deployments[id].Status = status
}

func (f *fake) Rollback(ctx context.Context, id string) (*paved.Deployment, error) {
	if err := f.call("Rollback", id); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	old, ok := f.deployments[id]
	if !ok {
		return nil, paved.Errorf(paved.ENOTFOUND, "deployment %q not found", id)
	}
	return &paved.Deployment{ID: "r-" + id, App: old.App, Env: old.Env, Author: actorName(ctx), Specs: old.Specs, Kind: paved.KindRollback, Source: id, Status: paved.DeploymentQueued, CreatedAt: f.now}, nil
}

func (f *fake) Promote(ctx context.Context, app, from, to string) (*paved.Deployment, error) {
	if err := f.call("Promote", app, from, to); err != nil {
		return nil, err
	}
	return &paved.Deployment{ID: "p1", App: app, Env: to, Author: actorName(ctx), Status: paved.DeploymentQueued, CreatedAt: f.now}, nil
}

func (f *fake) ListResources(ctx context.Context, app, env string) ([]paved.Resource, error) {
	if err := f.call("ListResources", app, env); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.resources), nil
}

func (f *fake) PruneResources(ctx context.Context, app, env string, opt paved.PruneOptions) (*paved.PruneResult, error) {
	if err := f.call("PruneResources", app, env, opt); err != nil {
		return nil, err
	}
	return &paved.PruneResult{App: app, Env: env, DryRun: opt.DryRun, Pruned: []paved.PrunedResource{}}, nil
}

func (f *fake) Outputs(ctx context.Context, app, env string, uid paved.ResourceUID, reveal bool) (map[string]any, error) {
	if err := f.call("Outputs", app, env, uid, reveal); err != nil {
		return nil, err
	}
	pw := paved.Redacted
	if reveal {
		pw = "s3cret"
	}
	return map[string]any{"host": "pg", "port": 5432, "password": pw}, nil
}

func (f *fake) ListAudit(ctx context.Context, flt paved.AuditFilter) ([]paved.AuditEntry, error) {
	if err := f.call("ListAudit", flt.Limit, flt.Actor); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.audit), nil
}

func (f *fake) RegisterTarget(ctx context.Context, t *paved.TargetInfo) (*paved.TargetInfo, error) {
	if err := f.call("RegisterTarget", t.Name, t.Type, len(t.Kubeconfig), t.Context, t.InCluster); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.targets[t.Name]; ok {
		return nil, paved.Errorf(paved.ECONFLICT, "target %s exists", t.Name)
	}
	stored := *t
	stored.Server = "https://10.0.0.1:6443"
	stored.CreatedAt = f.now
	f.targets[t.Name] = stored
	// Like a careless service: the handler must not pass the kubeconfig on.
	return &stored, nil
}

func (f *fake) ListTargets(ctx context.Context) ([]paved.TargetInfo, error) {
	if err := f.call("ListTargets"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []paved.TargetInfo
	for _, t := range f.targets {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b paved.TargetInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (f *fake) ProbeTarget(ctx context.Context, name string) (*paved.ProbeResult, error) {
	if err := f.call("ProbeTarget", name); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.targets[name]; !ok {
		return nil, paved.Errorf(paved.ENOTFOUND, "target %q not found", name)
	}
	h, ok := f.health[name]
	if !ok {
		h = paved.ProbeResult{Name: name, Kind: "target", Status: paved.ProbeOK, Message: "reachable", CheckedAt: f.now}
	}
	return &h, nil
}

func (f *fake) EnvironmentStatus(ctx context.Context, app, env string) (*paved.EnvironmentStatus, error) {
	if err := f.call("EnvironmentStatus", app, env); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.status[app+"/"+env]
	if !ok {
		return nil, paved.Errorf(paved.ENOTFOUND, "environment %s/%s not found", app, env)
	}
	return &st, nil
}

func (f *fake) ProbeDefinitions(ctx context.Context, ids []string) ([]paved.ProbeResult, error) {
	if err := f.call("ProbeDefinitions", ids); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(ids) == 0 {
		ids = slices.Sorted(maps.Keys(f.defs))
	}
	var out []paved.ProbeResult
	for _, id := range ids {
		if _, ok := f.defs[id]; !ok {
			return nil, paved.Errorf(paved.ENOTFOUND, "definition %s not found", id)
		}
		h, ok := f.health[id]
		if !ok {
			h = paved.ProbeResult{Name: id, Kind: "definition", Status: paved.ProbeOK, Message: "connected", CheckedAt: f.now}
		}
		out = append(out, h)
	}
	return out, nil
}
