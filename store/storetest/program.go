package storetest

import (
	"context"
	"reflect"
	"sync"
	"testing"

	"paved.dev/paved"
)

func testProgram(t *testing.T, s paved.Store) {
	ctx := context.Background()
	if _, err := s.GetProgram(ctx); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Fatalf("GetProgram before any = %v, want ENOTFOUND", err)
	}
	p := &paved.Program{Version: 1, Iteration: 1, StartedAt: at(1), ProgramSpec: paved.ProgramSpec{
		Objectives:  []paved.Objective{{ID: "daily", Title: "deploys daily", Metric: "deployment_frequency", Target: 1}},
		GoldenPaths: []string{"go-service"}, Cohorts: []paved.Cohort{{Number: 2, Name: "payments", Priority: 1}}, NextCohort: 2,
	}}
	must(t, s.PutProgram(ctx, p))
	got, err := s.GetProgram(ctx)
	must(t, err)
	if !reflect.DeepEqual(got, p) {
		t.Errorf("GetProgram = %+v, want %+v", got, p)
	}
	if err := s.PutProgram(ctx, p); paved.ErrorCode(err) != paved.ECONFLICT {
		t.Errorf("a put on a stale version = %v, want ECONFLICT", err)
	}
	// Of two concurrent changes of one version, one wins.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := *got
			q.Version = 2
			q.Iteration = 10 + i
			errs[i] = s.PutProgram(ctx, &q)
		}()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Errorf("two concurrent puts of version 2: %v, %v; want one conflict", errs[0], errs[1])
	}
	got, err = s.GetProgram(ctx)
	must(t, err)
	if got.Version != 2 || (got.Iteration != 10 && got.Iteration != 11) {
		t.Errorf("after the race: version %d iteration %d", got.Version, got.Iteration)
	}
}

func testFeedbackAndRoadmap(t *testing.T, s paved.Store) {
	ctx := context.Background()
	if fs, err := s.ListFeedback(ctx, nil, 0); err != nil || fs == nil || len(fs) != 0 {
		t.Fatalf("ListFeedback with none = %#v, %v", fs, err)
	}
	a := &paved.Feedback{Author: "dana", Text: "previews take too long", Source: "cli", At: at(1)}
	b := &paved.Feedback{Author: "ana", Text: "want redis in staging ✓", Source: "portal", At: at(2)}
	must(t, s.CreateFeedback(ctx, a))
	must(t, s.CreateFeedback(ctx, b))
	if a.ID == 0 || b.ID <= a.ID {
		t.Errorf("feedback ids %d, %d", a.ID, b.ID)
	}
	fs, err := s.ListFeedback(ctx, nil, 0)
	must(t, err)
	if want := []paved.Feedback{*b, *a}; !reflect.DeepEqual(fs, want) {
		t.Errorf("ListFeedback = %+v, want %+v", fs, want)
	}
	since := at(2)
	if fs, _ := s.ListFeedback(ctx, &since, 0); len(fs) != 1 || fs[0].ID != b.ID {
		t.Errorf("ListFeedback since = %+v", fs)
	}
	if fs, _ := s.ListFeedback(ctx, nil, 1); len(fs) != 1 || fs[0].ID != b.ID {
		t.Errorf("ListFeedback limit 1 = %+v", fs)
	}
	if err := s.CreateFeedback(ctx, &paved.Feedback{Author: "x", Text: "  ", Source: "cli"}); paved.ErrorCode(err) != paved.EINVALID {
		t.Errorf("empty feedback = %v", err)
	}
	if err := s.CreateFeedback(ctx, &paved.Feedback{Author: "x", Text: string(make([]byte, paved.MaxFeedback+1)), Source: "cli"}); paved.ErrorCode(err) != paved.EINVALID {
		t.Errorf("oversized feedback = %v", err)
	}

	fast := &paved.RoadmapItem{ID: "fast-previews", Title: "Faster previews", Status: paved.RoadmapProposed, CreatedAt: at(3), UpdatedAt: at(3)}
	redis := &paved.RoadmapItem{ID: "redis-staging", Title: "Redis in staging", Status: paved.RoadmapPlanned, CreatedAt: at(4), UpdatedAt: at(4)}
	docs := &paved.RoadmapItem{ID: "docs", Title: "Docs", Status: paved.RoadmapProposed, CreatedAt: at(5), UpdatedAt: at(5)}
	for _, it := range []*paved.RoadmapItem{fast, redis, docs} {
		must(t, s.PutRoadmapItem(ctx, it))
	}
	if _, err := s.LinkFeedback(ctx, a.ID, "nope"); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Errorf("linking to a missing item = %v", err)
	}
	if _, err := s.LinkFeedback(ctx, 999999, "docs"); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Errorf("linking missing feedback = %v", err)
	}
	f, err := s.LinkFeedback(ctx, a.ID, "fast-previews")
	must(t, err)
	if f.Item != "fast-previews" || f.Text != a.Text {
		t.Errorf("linked feedback = %+v", f)
	}
	_, err = s.LinkFeedback(ctx, b.ID, "fast-previews")
	must(t, err)
	for _, v := range []struct {
		item, voter string
		added       bool
	}{{"docs", "dana", true}, {"docs", "ana", true}, {"docs", "dana", false}, {"fast-previews", "dana", true}} {
		added, err := s.AddVote(ctx, v.item, v.voter, at(6))
		must(t, err)
		if added != v.added {
			t.Errorf("AddVote(%s, %s) = %v, want %v", v.item, v.voter, added, v.added)
		}
	}
	if _, err := s.AddVote(ctx, "nope", "dana", at(6)); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Errorf("a vote for a missing item = %v", err)
	}
	items, err := s.ListRoadmapItems(ctx)
	must(t, err)
	var order []string
	for _, it := range items {
		order = append(order, it.ID)
	}
	if want := []string{"docs", "fast-previews", "redis-staging"}; !reflect.DeepEqual(order, want) {
		t.Errorf("roadmap order %v, want %v (proposed by votes, then planned)", order, want)
	}
	got, err := s.GetRoadmapItem(ctx, "fast-previews")
	must(t, err)
	if got.Votes != 1 || !reflect.DeepEqual(got.Feedback, []int64{a.ID, b.ID}) || !got.CreatedAt.Equal(at(3)) {
		t.Errorf("GetRoadmapItem = %+v", got)
	}
	// An update keeps the creation time and the votes.
	must(t, s.PutRoadmapItem(ctx, &paved.RoadmapItem{ID: "fast-previews", Title: "Faster previews", Status: paved.RoadmapInProgress, CreatedAt: at(9), UpdatedAt: at(9)}))
	got, err = s.GetRoadmapItem(ctx, "fast-previews")
	must(t, err)
	if got.Status != paved.RoadmapInProgress || !got.CreatedAt.Equal(at(3)) || !got.UpdatedAt.Equal(at(9)) || got.Votes != 1 {
		t.Errorf("updated item = %+v", got)
	}
	if err := s.PutRoadmapItem(ctx, &paved.RoadmapItem{ID: "x", Title: "x", Status: "someday"}); paved.ErrorCode(err) != paved.EINVALID {
		t.Errorf("an unknown status = %v", err)
	}
	if _, err := s.GetRoadmapItem(ctx, "nope"); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Errorf("GetRoadmapItem of none = %v", err)
	}
}
