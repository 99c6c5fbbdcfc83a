package platform

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/definition"
	"paved.dev/paved/engine"
)

// CreateApp adds an app owned by a team: admins, or developers of that team.
func (p *Platform) CreateApp(ctx context.Context, a *paved.App) (err error) {
	defer func() { p.audit(ctx, "app.create", a.Name, err) }()
	u, err := actor(ctx)
	if err != nil {
		return err
	}
	if u.Role != paved.RoleAdmin && !(u.Role == paved.RoleDeveloper && slices.Contains(u.Teams, a.Team)) {
		return paved.Errorf(paved.EFORBIDDEN, "creating an app of team %s needs the admin role or the developer role in that team", a.Team)
	}
	if err := engine.CheckName("app", a.Name); err != nil {
		return err
	}
	teams, err := p.cfg.Store.ListTeams(ctx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(teams, func(t paved.Team) bool { return t.Name == a.Team }) {
		return paved.Errorf(paved.EINVALID, "team: no team %q", a.Team)
	}
	a.CreatedAt = p.now()
	return p.cfg.Store.CreateApp(ctx, a)
}

// GetApp returns an app.
func (p *Platform) GetApp(ctx context.Context, name string) (*paved.App, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.cfg.Store.GetApp(ctx, name)
}

// ListApps lists apps.
func (p *Platform) ListApps(ctx context.Context) ([]paved.App, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.cfg.Store.ListApps(ctx)
}

// CreateEnvironment adds an environment to an app; with From it also deploys
// what runs there, with the new environment's definitions.
func (p *Platform) CreateEnvironment(ctx context.Context, req *paved.EnvironmentRequest) (env *paved.Environment, err error) {
	defer func() { p.audit(ctx, "env.create", req.App+"/"+req.Name, err) }()
	if _, _, err := p.requireTeam(ctx, req.App, "creating an environment"); err != nil {
		return nil, err
	}
	if err := engine.CheckName("env", req.Name); err != nil {
		return nil, err
	}
	if req.Type == "" {
		req.Type = "development"
		if req.From != "" {
			req.Type = "ephemeral"
		}
	}
	if !slices.Contains(definition.EnvTypes, req.Type) {
		return nil, paved.Errorf(paved.EINVALID, "type: %q is not one of %v", req.Type, definition.EnvTypes)
	}
	if err := p.mvpAllows(req.Type); err != nil {
		return nil, err
	}
	target, err := p.chooseTarget(ctx, req)
	if err != nil {
		return nil, err
	}
	env = &paved.Environment{
		App: req.App, Name: req.Name, Type: req.Type, Target: target,
		Values: req.Values, CreatedAt: p.now(),
	}
	if env.Namespace, err = p.namespace(req.App, req.Name, req.Type); err != nil {
		return nil, err
	}
	if other, err := p.namespaceUser(ctx, target, env.Namespace); err != nil {
		return nil, err
	} else if other != "" {
		return nil, paved.Errorf(paved.ECONFLICT, "namespace %s on target %s is already environment %s's; two environments sharing a namespace would overwrite and prune each other's objects: choose another environment name", env.Namespace, target, other)
	}
	ttl := time.Duration(req.TTL)
	switch {
	case req.Type == "ephemeral":
		if ttl == 0 {
			ttl = p.cfg.DefaultTTL
		}
		if ttl < 0 || ttl > p.cfg.MaxTTL {
			return nil, paved.Errorf(paved.EINVALID, "ttl: %v is beyond the maximum of %v for ephemeral environments; ask for less (or raise the server's --max-ttl)", ttl, p.cfg.MaxTTL)
		}
		exp := env.CreatedAt.Add(ttl)
		env.ExpiresAt = &exp
	case ttl != 0:
		return nil, paved.Errorf(paved.EINVALID, "ttl: only ephemeral environments expire; %s is %s", req.Name, req.Type)
	}
	var from *paved.Deployment
	if req.From != "" {
		src, err := p.cfg.Store.GetEnvironment(ctx, req.App, req.From)
		if err != nil {
			return nil, err
		}
		if from, err = p.lastSuccessful(ctx, src); err != nil {
			if paved.ErrorCode(err) == paved.ENOTFOUND {
				return nil, paved.Errorf(paved.EINVALID, "from: environment %s of %s has no successful deployment to clone", req.From, req.App)
			}
			return nil, err
		}
	}
	if err := p.cfg.Store.CreateEnvironment(ctx, env); err != nil {
		return nil, err
	}
	if from != nil {
		_, err := p.Deploy(ctx, &paved.DeployRequest{App: req.App, Env: req.Name, Specs: from.Specs, CommitSHA: from.CommitSHA, CommitTime: from.CommitTime})
		if err != nil {
			return env, fmt.Errorf("environment %s created, but deploying what runs in %s failed: %w", req.Name, req.From, err)
		}
	}
	return env, nil
}

// mvpAllows refuses production while the platform is an MVP.
func (p *Platform) mvpAllows(envType string) error {
	if envType == "production" && p.cfg.MVPMode {
		return paved.Errorf(paved.EFORBIDDEN, "production environments are refused in MVP mode: the platform serves non-production environments until its production-readiness checklist passes "+
			"(missing: stakeholder sign-offs from security, data and finance; a production target; production resource definitions; a rollback rehearsal). "+
			"An admin unlocks production by starting the server with --mvp-mode=false")
	}
	return nil
}

// GetEnvironment returns an environment.
func (p *Platform) GetEnvironment(ctx context.Context, app, env string) (*paved.Environment, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.cfg.Store.GetEnvironment(ctx, app, env)
}

// ListEnvironments lists an app's environments.
func (p *Platform) ListEnvironments(ctx context.Context, app string) ([]paved.Environment, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	if _, err := p.cfg.Store.GetApp(ctx, app); err != nil {
		return nil, err
	}
	return p.cfg.Store.ListEnvironments(ctx, app)
}

// ResourceTypes lists the resource types usable in an app's environment: for
// each type, the definition that a resource of the default class (and of
// each class a definition names) would get there.
func (p *Platform) ResourceTypes(ctx context.Context, app, envName string) ([]paved.TypeInfo, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	env, err := p.cfg.Store.GetEnvironment(ctx, app, envName)
	if err != nil {
		return nil, err
	}
	set, err := p.definitions(ctx)
	if err != nil {
		return nil, err
	}
	dc := paved.DeployContext{App: app, Env: env.Name, EnvType: env.Type, Namespace: env.Namespace}
	var out []paved.TypeInfo
	for _, typ := range set.Types() {
		classes := []string{""}
		for _, d := range set.Definitions() {
			for _, c := range d.Criteria {
				if d.Type == typ && c.Class != "" && !slices.Contains(classes, c.Class) {
					classes = append(classes, c.Class)
				}
			}
		}
		for _, class := range classes {
			d, err := set.Match(definition.Want{Type: typ, Class: class, Context: dc})
			if err != nil {
				continue
			}
			out = append(out, paved.TypeInfo{Type: typ, Class: class, Definition: d.ID, Driver: d.Driver, Description: d.Description, Outputs: d.Outputs})
		}
	}
	return out, nil
}

// definitions returns the set in force: the store's definitions over the
// built-in ones.
func (p *Platform) definitions(ctx context.Context) (*definition.Set, error) {
	defs, err := p.storedDefinitions(ctx)
	if err != nil {
		return nil, err
	}
	return definition.NewSet(p.cfg.Engine.Drivers, p.cfg.Engine.Builtin, defs)
}

// namespace names an environment's namespace: "<app>-<env>", or the
// template the server sets for the environment type ("{app}", "{env}",
// "{type}" replaced), e.g. "preview-{app}-{env}" for ephemeral ones.
func (p *Platform) namespace(app, env, envType string) (string, error) {
	tmpl, ok := p.cfg.NamespaceTemplates[envType]
	if !ok {
		return engine.Namespace(app, env), nil
	}
	ns := strings.NewReplacer("{app}", app, "{env}", env, "{type}", envType).Replace(tmpl)
	if err := engine.CheckName("namespace (from the "+envType+" template "+tmpl+")", ns); err != nil {
		return "", err
	}
	return ns, nil
}

// chooseTarget picks an environment's target: the one asked for, the source
// environment's when cloning, or the server's default. Putting an app on a
// target none of its environments uses yet (a cluster) is an admin's call.
func (p *Platform) chooseTarget(ctx context.Context, req *paved.EnvironmentRequest) (string, error) {
	target := req.Target
	if target == "" && req.From != "" {
		if src, err := p.cfg.Store.GetEnvironment(ctx, req.App, req.From); err == nil {
			target = src.Target
		}
	}
	if target == "" {
		target = p.cfg.DefaultTarget
	}
	if _, err := p.target(ctx, target); err != nil {
		return "", err
	}
	if u := paved.ActorFrom(ctx); target != p.cfg.DefaultTarget && u.Role != paved.RoleAdmin {
		envs, err := p.cfg.Store.ListEnvironments(ctx, req.App)
		if err != nil {
			return "", err
		}
		if !slices.ContainsFunc(envs, func(e paved.Environment) bool { return e.Target == target }) {
			return "", paved.Errorf(paved.EFORBIDDEN, "target %s: none of %s's environments uses it yet; an admin puts an app on a new target (paved env create --target as an admin)", target, req.App)
		}
	}
	return target, nil
}

// namespaceUser returns the environment ("app/env") that already deploys
// to a namespace of a target, or "".
func (p *Platform) namespaceUser(ctx context.Context, target, ns string) (string, error) {
	apps, err := p.cfg.Store.ListApps(ctx)
	if err != nil {
		return "", err
	}
	for _, a := range apps {
		envs, err := p.cfg.Store.ListEnvironments(ctx, a.Name)
		if err != nil {
			return "", err
		}
		for _, e := range envs {
			if e.Target == target && e.Namespace == ns {
				return e.App + "/" + e.Name, nil
			}
		}
	}
	return "", nil
}
