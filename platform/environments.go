package platform

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/definition"
)

// CreateEnvironment adds an environment to an app; with From it also
// deploys what runs there (a clone), with the new environment's
// definitions.
func (p *Platform) CreateEnvironment(ctx context.Context, req *paved.EnvironmentRequest) (env *paved.Environment, err error) {
	defer func() { p.audit(ctx, "env.create", req.App+"/"+req.Name, err) }()
	u, app, err := p.requireTeam(ctx, req.App, "creating an environment")
	if err != nil {
		return nil, err
	}
	if err := paved.ValidateName("env", req.Name); err != nil {
		return nil, err
	}
	if req.Type == "" {
		req.Type = defaultType(req)
	}
	if !req.Type.Valid() {
		return nil, paved.Errorf(paved.EINVALID, "type: %q is not one of %s", req.Type, paved.EnvTypeList())
	}
	if u.Role != paved.RoleAdmin && !p.developerMay(req.Type) {
		return nil, paved.Errorf(paved.EFORBIDDEN, "creating a %s environment needs the admin role: developers may create %s environments on this server; ask an admin to create it, or to start the server with a wider --developer-env-types", req.Type, joinTypes(p.cfg.DeveloperEnvTypes))
	}
	if err := p.readyForProduction(ctx, req.App, req.Type); err != nil {
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
	ttl := time.Duration(req.TTL)
	switch {
	case req.Type == paved.EnvEphemeral:
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
			return nil, err
		}
		if from == nil {
			return nil, paved.Errorf(paved.EINVALID, "from: environment %s of %s has no successful deployment to clone", req.From, req.App)
		}
	}
	if err := p.cfg.Store.CreateEnvironment(ctx, env); err != nil {
		return nil, err
	}
	if from != nil {
		_, err := p.submit(ctx, &intent{kind: paved.KindClone, author: u, app: app, env: env, specs: from.Specs,
			commitSHA: from.CommitSHA, commitTime: from.CommitTime, source: from.ID})
		if err != nil {
			return env, paved.Errorf(paved.ErrorCode(err), "environment %s created, but deploying what runs in %s failed: %s", req.Name, req.From, paved.ErrorMessage(err))
		}
	}
	return env, nil
}

// defaultType is the type of an environment that names none: the type its
// name is (staging, production...), ephemeral for a clone, development
// otherwise.
func defaultType(req *paved.EnvironmentRequest) paved.EnvType {
	if t := paved.EnvType(req.Name); t.Valid() {
		return t
	}
	if req.From != "" {
		return paved.EnvEphemeral
	}
	return paved.EnvDevelopment
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
	return p.cfg.Store.ListEnvironments(ctx, paved.EnvironmentFilter{App: app})
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
	// Matched as a deployment's resources are: with its team and values.
	dc, err := p.contextOf(ctx, env)
	if err != nil {
		return nil, err
	}
	return typesFor(set, dc), nil
}

// typesFor lists the resource types (and classes) a definition in set
// provides in the deploy context dc, with the definition that does.
func typesFor(set *definition.Set, dc paved.DeployContext) []paved.TypeInfo {
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
	return out
}

// namespace names an environment's namespace: "<app>-<env>", or the
// template the server sets for the environment type ("{app}", "{env}",
// "{type}" replaced), e.g. "preview-{app}-{env}" for ephemeral ones.
func (p *Platform) namespace(app, env string, envType paved.EnvType) (string, error) {
	tmpl, ok := p.cfg.NamespaceTemplates[string(envType)]
	if !ok {
		return paved.Namespace(app, env), nil
	}
	ns := strings.NewReplacer("{app}", app, "{env}", env, "{type}", string(envType)).Replace(tmpl)
	if err := paved.ValidateName("namespace (from the "+string(envType)+" template "+tmpl+")", ns); err != nil {
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
		envs, err := p.cfg.Store.ListEnvironments(ctx, paved.EnvironmentFilter{App: req.App, Target: target})
		if err != nil {
			return "", err
		}
		if len(envs) == 0 {
			return "", paved.Errorf(paved.EFORBIDDEN, "target %s: none of %s's environments uses it yet; an admin puts an app on a new target (paved env create --target as an admin)", target, req.App)
		}
	}
	return target, nil
}

// deployContext says where an environment's deployments go; the team that
// owns the app labels the namespace.
func deployContext(env *paved.Environment, app *paved.App) paved.DeployContext {
	dc := paved.DeployContext{App: env.App, Env: env.Name, EnvType: env.Type, Namespace: env.Namespace, Values: env.Values}
	if app != nil {
		dc.Team = app.Team
	}
	return dc
}

// contextOf is deployContext reading the app.
func (p *Platform) contextOf(ctx context.Context, env *paved.Environment) (paved.DeployContext, error) {
	app, err := p.cfg.Store.GetApp(ctx, env.App)
	if err != nil {
		return paved.DeployContext{}, err
	}
	return deployContext(env, app), nil
}

// joinTypes lists environment types for a message: "ephemeral, development".
func joinTypes(ts []paved.EnvType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// ExtendEnvironment sets an ephemeral environment to expire ttl from now
// (at most the server's maximum TTL): whoever may create it may extend it.
func (p *Platform) ExtendEnvironment(ctx context.Context, app, name string, ttl paved.Duration) (env *paved.Environment, err error) {
	defer func() { p.audit(ctx, "env.extend", fmt.Sprintf("%s/%s ttl=%v", app, name, time.Duration(ttl)), err) }()
	u, _, err := p.requireTeam(ctx, app, "extending an environment")
	if err != nil {
		return nil, err
	}
	env, err = p.cfg.Store.GetEnvironment(ctx, app, name)
	if err != nil {
		return nil, err
	}
	if env.Type != paved.EnvEphemeral {
		return nil, paved.Errorf(paved.EINVALID, "env: only ephemeral environments expire; %s/%s is %s", app, name, env.Type)
	}
	if u.Role != paved.RoleAdmin && !p.developerMay(env.Type) {
		return nil, paved.Errorf(paved.EFORBIDDEN, "extending a %s environment needs the admin role, as creating one does", env.Type)
	}
	d := time.Duration(ttl)
	if d <= 0 || d > p.cfg.MaxTTL {
		return nil, paved.Errorf(paved.EINVALID, "ttl: give a duration from now between 1s and the maximum of %v (the server's --max-ttl), such as 24h; got %v", p.cfg.MaxTTL, d)
	}
	at := p.now().Add(d)
	if err := p.cfg.Store.SetExpiry(ctx, env.ID, at); err != nil {
		return nil, err
	}
	env.ExpiresAt = &at
	return env, nil
}
