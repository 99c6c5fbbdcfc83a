package platform

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"paved.dev/paved"
	"paved.dev/paved/score"
)

const catalogAPIVersion = "backstage.io/v1alpha1"

// Catalog exports the platform as Backstage entities: a Group per team, a
// System per app (owned by its team), a Component per workload of the
// app's environments' last successful deployments (depending on the
// Resources it declares), and a Resource per active resource, named after
// the app, environment and Score identity. Every user reads it.
func (p *Platform) Catalog(ctx context.Context) ([]paved.CatalogEntity, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	teams, err := p.cfg.Store.ListTeams(ctx)
	if err != nil {
		return nil, err
	}
	apps, err := p.cfg.Store.ListApps(ctx)
	if err != nil {
		return nil, err
	}
	loader, err := score.NewLoader()
	if err != nil {
		return nil, err
	}
	var out []paved.CatalogEntity
	for _, t := range teams {
		out = append(out, paved.CatalogEntity{APIVersion: catalogAPIVersion, Kind: "Group",
			Metadata: paved.CatalogMetadata{Name: catalogName(t.Name), Title: t.Name, Labels: teamLabels(t)},
			Spec:     map[string]any{"type": "team", "children": []any{}}})
	}
	for _, a := range apps {
		es, err := p.appEntities(ctx, loader, a)
		if err != nil {
			return nil, err
		}
		out = append(out, es...)
	}
	order := map[string]int{"Group": 0, "System": 1, "Component": 2, "Resource": 3}
	slices.SortFunc(out, func(a, b paved.CatalogEntity) int {
		return cmp.Or(cmp.Compare(order[a.Kind], order[b.Kind]), strings.Compare(a.Metadata.Name, b.Metadata.Name))
	})
	return out, nil
}

func teamLabels(t paved.Team) map[string]string {
	l := map[string]string{"paved.dev/cohort": fmt.Sprint(t.Cohort)}
	if t.Pioneering {
		l["paved.dev/pioneering"] = "true"
	}
	return l
}

// appEntities are an app's System, Components and Resources.
func (p *Platform) appEntities(ctx context.Context, loader *score.Loader, a paved.App) ([]paved.CatalogEntity, error) {
	owner := paved.CatalogRef("Group", catalogName(a.Team))
	system := catalogName(a.Name)
	sys := paved.CatalogEntity{APIVersion: catalogAPIVersion, Kind: "System",
		Metadata: paved.CatalogMetadata{Name: system, Title: a.Name}, Spec: map[string]any{"owner": owner}}
	if a.OnCall != "" {
		sys.Metadata.Annotations = map[string]string{"paved.dev/on-call": a.OnCall}
	}
	out := []paved.CatalogEntity{sys}
	envs, err := p.cfg.Store.ListEnvironments(ctx, paved.EnvironmentFilter{App: a.Name})
	if err != nil {
		return nil, err
	}
	resources := map[string]paved.CatalogEntity{}
	stored, err := p.cfg.Store.ListResources(ctx, paved.ResourceFilter{App: a.Name, Status: paved.ResourceActive})
	if err != nil {
		return nil, err
	}
	for _, r := range stored {
		name := catalogName(a.Name + "-" + r.Env + "-" + string(r.UID))
		resources[name] = paved.CatalogEntity{APIVersion: catalogAPIVersion, Kind: "Resource",
			Metadata: paved.CatalogMetadata{Name: name, Title: string(r.UID) + " (" + r.Env + ")",
				Labels:      map[string]string{"paved.dev/env": catalogName(r.Env)},
				Annotations: map[string]string{"paved.dev/definition": r.DefinitionID, "paved.dev/driver": r.Driver}},
			Spec: map[string]any{"type": r.UID.Type(), "owner": owner, "system": system}}
	}
	// A workload's dependencies over every environment it runs in.
	deps := map[string]map[string]bool{}
	for _, e := range envs {
		last, err := p.cfg.Store.LastSuccessful(ctx, e.ID)
		if paved.ErrorCode(err) == paved.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, file := range slices.Sorted(maps.Keys(last.Specs)) {
			w, err := loader.Load(file, []byte(last.Specs[file]), "", score.Options{})
			if err != nil {
				return nil, fmt.Errorf("deployment %s: %s: %w", last.ID, file, err)
			}
			if deps[w.Name] == nil {
				deps[w.Name] = map[string]bool{}
			}
			for rname, r := range w.Spec.Resources {
				uid := paved.NewResourceUID(w.Name, rname, r.Type, deref(r.Class), deref(r.Id))
				if res := catalogName(a.Name + "-" + e.Name + "-" + string(uid)); resources[res].Kind != "" {
					deps[w.Name][paved.CatalogRef("Resource", res)] = true
				}
			}
		}
	}
	for _, w := range slices.Sorted(maps.Keys(deps)) {
		dependsOn := []any{}
		for _, d := range slices.Sorted(maps.Keys(deps[w])) {
			dependsOn = append(dependsOn, d)
		}
		out = append(out, paved.CatalogEntity{APIVersion: catalogAPIVersion, Kind: "Component",
			Metadata: paved.CatalogMetadata{Name: catalogName(a.Name + "-" + w), Title: w},
			Spec: map[string]any{"type": "service", "lifecycle": "experimental", "owner": owner, "system": system,
				"dependsOn": dependsOn}})
	}
	for _, name := range slices.Sorted(maps.Keys(resources)) {
		out = append(out, resources[name])
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

var notInName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// catalogName makes a Backstage entity name: letters, digits and -_. (any
// other run of characters becomes "-"), starting and ending with a letter
// or digit, at most 63 characters (a longer one keeps its start and a
// digest of the whole, so that names stay unique).
func catalogName(s string) string {
	n := strings.Trim(notInName.ReplaceAllString(s, "-"), "-_.")
	if len(n) > 63 {
		sum := sha256.Sum256([]byte(s))
		n = strings.Trim(n[:54], "-_.") + "-" + hex.EncodeToString(sum[:4])
	}
	if n == "" {
		n = "x"
	}
	return n
}
