package platform

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/scaffold"
)

// builtinTemplates are the golden paths that come with paved, loaded once
// per process (6 ms the first time: BenchmarkBuiltins).
func builtinTemplates() ([]paved.Template, error) { return scaffold.Builtins() }

// ApplyTemplate stores a new version of a golden-path template (admins).
func (p *Platform) ApplyTemplate(ctx context.Context, t *paved.Template) (out *paved.Template, err error) {
	defer func() { p.audit(ctx, "template.apply", t.Name+" "+t.Version, err) }()
	u, err := requireAdmin(ctx, "applying a template")
	if err != nil {
		return nil, err
	}
	t.BuiltIn, t.AppliedBy, t.CreatedAt = false, "", time.Time{}
	if err := scaffold.Check(t); err != nil {
		return nil, paved.Errorf(paved.EINVALID, "template %s: %s", t.Name, paved.ErrorMessage(err))
	}
	latest, err := p.latestTemplate(ctx, t.Name)
	if err != nil && paved.ErrorCode(err) != paved.ENOTFOUND {
		return nil, err
	}
	if latest != nil {
		switch c := paved.CompareVersions(t.Version, latest.Version); {
		case c == 0 && latest.Digest == t.Digest:
			latest.Files = nil
			return latest, nil // unchanged
		case c == 0:
			return nil, paved.Errorf(paved.ECONFLICT, "template %s version %s exists with other content: give the changed template a new version", t.Name, t.Version)
		case c < 0:
			return nil, paved.Errorf(paved.ECONFLICT, "template %s: version %s is not newer than the latest, %s; give the new version a higher number", t.Name, t.Version, latest.Version)
		}
	}
	t.AppliedBy, t.CreatedAt = u.Name, p.now()
	if _, err := p.cfg.Store.PutTemplate(ctx, t); err != nil {
		return nil, err
	}
	out = withoutFiles(*t)
	return out, nil
}

func withoutFiles(t paved.Template) *paved.Template {
	t.Files = nil
	return &t
}

// ListTemplates lists the latest version of every template: a stored
// version newer than a built-in's takes its place.
func (p *Platform) ListTemplates(ctx context.Context) ([]paved.Template, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.allLatest(ctx)
}

func (p *Platform) allLatest(ctx context.Context) ([]paved.Template, error) {
	stored, err := p.cfg.Store.ListTemplates(ctx)
	if err != nil {
		return nil, err
	}
	builtin, err := builtinTemplates()
	if err != nil {
		return nil, err
	}
	// The store lists the version of each stored last, which is not the
	// highest when a scaffold stored the older built-in it came from:
	// the latest is the highest of every version.
	names := map[string]bool{}
	for _, t := range append(builtin, stored...) {
		names[t.Name] = true
	}
	var out []paved.Template
	for name := range names {
		t, err := p.latestTemplate(ctx, name)
		if err != nil {
			return nil, err
		}
		out = append(out, *withoutFiles(*t))
	}
	slices.SortFunc(out, func(a, b paved.Template) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// TemplateHistory lists every version of a template, oldest first: the
// stored ones and this paved's built-in one.
func (p *Platform) TemplateHistory(ctx context.Context, name string) ([]paved.Template, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	vs, err := p.versions(ctx, name)
	if err != nil {
		return nil, err
	}
	var out []paved.Template
	for _, t := range vs {
		out = append(out, *withoutFiles(t))
	}
	return out, nil
}

// versions are a template's versions by version, or ENOTFOUND naming the
// templates there are.
func (p *Platform) versions(ctx context.Context, name string) ([]paved.Template, error) {
	vs, err := p.cfg.Store.TemplateHistory(ctx, name)
	if err != nil {
		return nil, err
	}
	builtin, err := builtinTemplates()
	if err != nil {
		return nil, err
	}
	for _, b := range builtin {
		if b.Name == name && !slices.ContainsFunc(vs, func(t paved.Template) bool { return t.Version == b.Version }) {
			vs = append(vs, b)
		}
	}
	if len(vs) == 0 {
		all, err := p.allLatest(ctx)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, t := range all {
			names = append(names, t.Name)
		}
		return nil, paved.Errorf(paved.ENOTFOUND, "no template %q; there are %s (paved templates list)", name, strings.Join(names, ", "))
	}
	slices.SortStableFunc(vs, func(a, b paved.Template) int { return paved.CompareVersions(a.Version, b.Version) })
	return vs, nil
}

func (p *Platform) latestTemplate(ctx context.Context, name string) (*paved.Template, error) {
	vs, err := p.versions(ctx, name)
	if err != nil {
		return nil, err
	}
	return &vs[len(vs)-1], nil
}

// GetTemplate returns a version of a template, files and all ("" for the
// latest).
func (p *Platform) GetTemplate(ctx context.Context, name, version string) (*paved.Template, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.template(ctx, name, version)
}

func (p *Platform) template(ctx context.Context, name, version string) (*paved.Template, error) {
	vs, err := p.versions(ctx, name)
	if err != nil {
		return nil, err
	}
	if version == "" {
		return &vs[len(vs)-1], nil
	}
	if err := paved.ValidateVersion("version", version); err != nil {
		return nil, err
	}
	var have []string
	for i, t := range vs {
		if t.Version == version {
			return &vs[i], nil
		}
		have = append(have, t.Version)
	}
	return nil, paved.Errorf(paved.ENOTFOUND, "template %s has no version %s; it has %s (paved templates history %s)", name, version, strings.Join(have, ", "), name)
}

// RenderTemplate renders a version of a template with parameters,
// recording nothing (paved upgrade renders the recorded and the new
// version this way).
func (p *Platform) RenderTemplate(ctx context.Context, req *paved.RenderRequest) (*paved.Rendering, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	t, err := p.template(ctx, req.Template, req.Version)
	if err != nil {
		return nil, err
	}
	return p.render(ctx, t, req)
}

// maxRenders bounds the renderings running at once: half the processors
// (at least one), so that templates rendering up to their time limit
// (scaffold.Render's) leave the rest of the server its share.
func maxRenders() int { return max(1, runtime.GOMAXPROCS(0)/2) }

// renderWait is how long a rendering waits for its turn.
const renderWait = 10 * time.Second

// render renders a template when a slot is free: text/template cannot be
// cancelled, so the number running at once is what bounds the server's
// work (each is bounded in time, steps and bytes by scaffold.Render).
func (p *Platform) render(ctx context.Context, t *paved.Template, req *paved.RenderRequest) (*paved.Rendering, error) {
	wait := time.NewTimer(renderWait)
	defer wait.Stop()
	select {
	case p.renders <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-wait.C:
		return nil, paved.Errorf(paved.ETOOMANY, "the server is rendering %d templates already and none finished within %v: try again later", cap(p.renders), renderWait)
	}
	defer func() { <-p.renders }()
	return scaffold.Render(t, req)
}

// Scaffold renders a template for a new service, registers its app and
// records the scaffold with the time it saved.
func (p *Platform) Scaffold(ctx context.Context, req *paved.RenderRequest) (res *paved.ScaffoldResult, err error) {
	defer func() {
		p.audit(ctx, "scaffold.create", fmt.Sprintf("%s from %s %s", req.Name, req.Template, req.Version), err)
	}()
	u, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if u.Role != paved.RoleAdmin && !(u.Role == paved.RoleDeveloper && slices.Contains(u.Teams, req.Team)) {
		return nil, paved.Errorf(paved.EFORBIDDEN, "scaffolding a service of team %s needs the admin role or the developer role in that team; %s is %s", req.Team, u.Name, u.Role)
	}
	t, err := p.template(ctx, req.Template, req.Version)
	if err != nil {
		return nil, err
	}
	r, err := p.render(ctx, t, req)
	if err != nil {
		return nil, err
	}
	if _, err := p.cfg.Store.GetApp(ctx, req.Name); err == nil {
		return nil, paved.Errorf(paved.ECONFLICT, "name: app %s exists already; choose another name", req.Name)
	}
	saved, err := p.scaffoldTimeSaved(ctx)
	if err != nil {
		return nil, err
	}
	if t.BuiltIn {
		// Keep the built-in version this scaffold came from, so that an
		// upgrade can render it after paved moved on to a newer one.
		if _, err := p.cfg.Store.PutTemplate(ctx, &paved.Template{Name: t.Name, Version: t.Version, Description: t.Description, Owner: t.Owner,
			Parameters: t.Parameters, Files: t.Files, Digest: t.Digest, BuiltIn: true, AppliedBy: "paved", CreatedAt: p.now()}); err != nil {
			return nil, err
		}
	}
	if err := p.CreateApp(ctx, &paved.App{Name: req.Name, Team: req.Team}); err != nil {
		return nil, err
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	s := paved.Scaffold{ID: "s-" + hex.EncodeToString(b), App: req.Name, Team: req.Team, Template: t.Name, Version: t.Version,
		CreatedBy: u.Name, CreatedAt: p.now(), TimeSaved: saved}
	if err := p.cfg.Store.CreateScaffold(ctx, &s); err != nil {
		// The app was registered for this scaffold alone: without its
		// record it goes too, so that trying again can succeed.
		if derr := p.cfg.Store.DeleteApp(ctx, req.Name); derr != nil {
			return nil, fmt.Errorf("%w (and removing the app %s registered for it failed: %v)", err, req.Name, derr)
		}
		return nil, err
	}
	return &paved.ScaffoldResult{Scaffold: s, Rendering: *r}, nil
}

// ListScaffolds lists scaffolds newest first with the time they saved.
func (p *Platform) ListScaffolds(ctx context.Context, f paved.ScaffoldFilter) (*paved.ScaffoldReport, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	ss, err := p.cfg.Store.ListScaffolds(ctx, f)
	if err != nil {
		return nil, err
	}
	rep := &paved.ScaffoldReport{Items: ss, Count: len(ss)}
	if rep.Items == nil {
		rep.Items = []paved.Scaffold{}
	}
	for _, s := range ss {
		rep.TimeSaved += s.TimeSaved
	}
	return rep, nil
}

// MaxScaffoldTimeSaved bounds the assumption: a scaffold saving more than
// a quarter of a year is a typo.
const MaxScaffoldTimeSaved = 1000 * time.Hour

// ScaffoldTimeSaved is the time each new scaffold is recorded to save.
// Every user reads it.
func (p *Platform) ScaffoldTimeSaved(ctx context.Context) (paved.Duration, error) {
	if _, err := requireReader(ctx); err != nil {
		return 0, err
	}
	return p.scaffoldTimeSaved(ctx)
}

func (p *Platform) scaffoldTimeSaved(ctx context.Context) (paved.Duration, error) {
	d, set, err := p.cfg.Store.ScaffoldTimeSaved(ctx)
	if err != nil {
		return 0, err
	}
	if !set {
		d = paved.DefaultScaffoldTimeSaved
	}
	return paved.Duration(d), nil
}

// SetScaffoldTimeSaved sets the time each new scaffold is recorded to
// save (admins); scaffolds recorded before keep theirs.
func (p *Platform) SetScaffoldTimeSaved(ctx context.Context, d paved.Duration) (err error) {
	defer func() { p.audit(ctx, "settings.scaffold_time_saved", time.Duration(d).String(), err) }()
	if _, err := requireAdmin(ctx, "setting the time a scaffold saves"); err != nil {
		return err
	}
	if d < 0 || time.Duration(d) > MaxScaffoldTimeSaved {
		return paved.Errorf(paved.EINVALID, "time_saved: %v; give a duration from 0s to %v, such as 6h", time.Duration(d), MaxScaffoldTimeSaved)
	}
	return p.cfg.Store.SetScaffoldTimeSaved(ctx, time.Duration(d))
}
