package storetest

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"paved.dev/paved"
)

// template is version v of a template named name with one file.
func template(name, v, content string, created time.Time) *paved.Template {
	t := &paved.Template{Name: name, Version: v, Description: "a service", Owner: "platform",
		Parameters: json.RawMessage(`{"properties":{"port":{"default":8080,"type":"integer"}},"type":"object"}`),
		Files:      []paved.TemplateFile{{Path: "README.md.tmpl", Content: content}, {Path: "run.sh", Content: "#!/bin/sh\n", Executable: true}},
		AppliedBy:  "ada", CreatedAt: created}
	t.Digest = paved.TemplateDigest(t)
	return t
}

func testTemplates(t *testing.T, s paved.Store) {
	ctx := context.Background()
	got, err := s.ListTemplates(ctx)
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("ListTemplates of an empty store = %v", got)
	}
	if _, err := s.GetTemplate(ctx, "go-service", "1.0.0"); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Fatalf("GetTemplate of none: %v, want ENOTFOUND", err)
	}
	v1 := template("go-service", "1.0.0", "# {{.Name}}\n", at(1))
	v2 := template("go-service", "1.1.0", "# {{.Name}} v2\n", at(2))
	web := template("web", "0.1.0", "# web\n", at(3))
	for _, tpl := range []*paved.Template{v1, v2, web} {
		stored, err := s.PutTemplate(ctx, tpl)
		must(t, err)
		if !stored {
			t.Fatalf("PutTemplate(%s %s) of a new version: stored false", tpl.Name, tpl.Version)
		}
	}
	// The same version again: nothing stored, no error.
	again := template("go-service", "1.0.0", "# {{.Name}}\n", at(9))
	stored, err := s.PutTemplate(ctx, again)
	must(t, err)
	if stored {
		t.Fatal("PutTemplate of a version stored before with the same digest: stored true")
	}
	// The same version with other content: refused, the first kept.
	other := template("go-service", "1.0.0", "# changed\n", at(9))
	if _, err := s.PutTemplate(ctx, other); paved.ErrorCode(err) != paved.ECONFLICT {
		t.Fatalf("PutTemplate of a stored version with another digest: %v, want ECONFLICT", err)
	}
	g, err := s.GetTemplate(ctx, "go-service", "1.0.0")
	must(t, err)
	sameJSON(t, "GetTemplate", g, v1)

	list, err := s.ListTemplates(ctx)
	must(t, err)
	sameJSON(t, "ListTemplates", list, []paved.Template{*v2, *web})
	hist, err := s.TemplateHistory(ctx, "go-service")
	must(t, err)
	sameJSON(t, "TemplateHistory", hist, []paved.Template{*v1, *v2})
	none, err := s.TemplateHistory(ctx, "nope")
	must(t, err)
	if len(none) != 0 {
		t.Fatalf("TemplateHistory(nope) = %v", none)
	}

	// Stored order decides the latest, not the version's number (the
	// platform refuses older versions; a store keeps what it is given).
	must2(t, s, template("web", "0.0.9", "# older\n", at(4)))
	list, err = s.ListTemplates(ctx)
	must(t, err)
	if list[1].Version != "0.0.9" {
		t.Fatalf("latest web = %s, want the one stored last, 0.0.9", list[1].Version)
	}

	// What a store cannot keep as it is.
	for name, bad := range map[string]*paved.Template{
		"no version": {Name: "x", Digest: "sha256:x"},
		"NUL":        {Name: "x", Version: "1.0.0", Digest: "sha256:x", Files: []paved.TemplateFile{{Path: "a", Content: "\x00"}}},
		"not UTF-8":  {Name: "x", Version: "1.0.0", Digest: "sha256:x", Files: []paved.TemplateFile{{Path: "a", Content: "\xff"}}},
	} {
		if _, err := s.PutTemplate(ctx, bad); paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("PutTemplate(%s): %v, want EINVALID", name, err)
		}
	}
}

func must2(t *testing.T, s paved.Store, tpl *paved.Template) {
	t.Helper()
	if _, err := s.PutTemplate(context.Background(), tpl); err != nil {
		t.Fatal(err)
	}
}

// testConcurrentTemplates puts one version from many writers at once: one
// stores it, the others find it stored; with other content, one wins and
// the others get ECONFLICT.
func testConcurrentTemplates(t *testing.T, s paved.Store) {
	ctx := context.Background()
	const n = 8
	var wg sync.WaitGroup
	stored := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			content := "same\n"
			if i%2 == 1 {
				content = "other\n"
			}
			stored[i], errs[i] = s.PutTemplate(ctx, template("svc", "1.0.0", content, at(1)))
		})
	}
	wg.Wait()
	wins, conflicts := 0, 0
	for i := range n {
		switch {
		case errs[i] == nil && stored[i]:
			wins++
		case paved.ErrorCode(errs[i]) == paved.ECONFLICT:
			conflicts++
		case errs[i] != nil:
			t.Fatalf("writer %d: %v", i, errs[i])
		}
	}
	if wins != 1 || conflicts != n/2 {
		t.Fatalf("%d stored it and %d got ECONFLICT; want 1 and %d", wins, conflicts, n/2)
	}
	h, err := s.TemplateHistory(ctx, "svc")
	must(t, err)
	if len(h) != 1 {
		t.Fatalf("%d versions stored, want 1", len(h))
	}
}

func testScaffolds(t *testing.T, s paved.Store) {
	ctx := context.Background()
	d, set, err := s.ScaffoldTimeSaved(ctx)
	must(t, err)
	if set || d != 0 {
		t.Fatalf("ScaffoldTimeSaved of a new store = %v, %v; want unset", d, set)
	}
	must(t, s.SetScaffoldTimeSaved(ctx, 6*time.Hour))
	must(t, s.SetScaffoldTimeSaved(ctx, 90*time.Minute))
	if d, set, err = s.ScaffoldTimeSaved(ctx); err != nil || !set || d != 90*time.Minute {
		t.Fatalf("ScaffoldTimeSaved = %v, %v, %v; want 1h30m0s, true", d, set, err)
	}
	if err := s.SetScaffoldTimeSaved(ctx, -time.Hour); paved.ErrorCode(err) != paved.EINVALID {
		t.Fatalf("SetScaffoldTimeSaved(-1h): %v, want EINVALID", err)
	}

	a := &paved.Scaffold{ID: "s1", App: "orders", Team: "payments", Template: "go-service", Version: "1.0.0", CreatedBy: "dana", CreatedAt: at(1), TimeSaved: paved.Duration(8 * time.Hour)}
	b := &paved.Scaffold{ID: "s2", App: "site", Team: "web", Template: "static-site", Version: "1.0.0", CreatedBy: "ada", CreatedAt: at(3), TimeSaved: paved.Duration(2 * time.Hour)}
	c := &paved.Scaffold{ID: "s3", App: "billing", Team: "payments", Template: "go-service", Version: "1.1.0", CreatedBy: "dana", CreatedAt: at(2), TimeSaved: paved.Duration(90 * time.Minute)}
	for _, sc := range []*paved.Scaffold{a, b, c} {
		must(t, s.CreateScaffold(ctx, sc))
	}
	if err := s.CreateScaffold(ctx, &paved.Scaffold{ID: "s1", App: "x", Team: "x", Template: "x", Version: "1.0.0", CreatedBy: "x"}); paved.ErrorCode(err) != paved.ECONFLICT {
		t.Fatalf("CreateScaffold of an id stored before: %v, want ECONFLICT", err)
	}
	if err := s.CreateScaffold(ctx, &paved.Scaffold{ID: "s9"}); paved.ErrorCode(err) != paved.EINVALID {
		t.Fatalf("CreateScaffold without fields: %v, want EINVALID", err)
	}
	for _, tc := range []struct {
		f    paved.ScaffoldFilter
		want []paved.Scaffold
	}{
		{paved.ScaffoldFilter{}, []paved.Scaffold{*b, *c, *a}},
		{paved.ScaffoldFilter{Team: "payments"}, []paved.Scaffold{*c, *a}},
		{paved.ScaffoldFilter{Template: "static-site"}, []paved.Scaffold{*b}},
		{paved.ScaffoldFilter{Team: "payments", Template: "static-site"}, nil},
	} {
		got, err := s.ListScaffolds(ctx, tc.f)
		must(t, err)
		if tc.want == nil && len(got) == 0 {
			continue
		}
		sameJSON(t, "ListScaffolds", got, tc.want)
	}
}
