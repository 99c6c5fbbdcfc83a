package paved

import (
	"reflect"
	"testing"
)

func TestLevel(t *testing.T) {
	rule := func(id string, l ScorecardLevel, pass bool) ScorecardRule {
		return ScorecardRule{ID: id, Level: l, Title: id, Pass: pass}
	}
	for _, tc := range []struct {
		name        string
		rules       []ScorecardRule
		level, next ScorecardLevel
		missing     []string
	}{
		{name: "no rules", level: "", next: ""},
		{name: "bronze fails", rules: []ScorecardRule{rule("a", LevelBronze, false), rule("b", LevelBronze, true)},
			level: "", next: LevelBronze, missing: []string{"a"}},
		{name: "bronze only, all pass", rules: []ScorecardRule{rule("a", LevelBronze, true)}, level: LevelBronze},
		{name: "silver fails", rules: []ScorecardRule{rule("a", LevelBronze, true), rule("s", LevelSilver, false), rule("g", LevelGold, true)},
			level: LevelBronze, next: LevelSilver, missing: []string{"s"}},
		{name: "gold passes but bronze fails", rules: []ScorecardRule{rule("a", LevelBronze, false), rule("s", LevelSilver, true), rule("g", LevelGold, true)},
			level: "", next: LevelBronze, missing: []string{"a"}},
		{name: "all pass", rules: []ScorecardRule{rule("g", LevelGold, true), rule("a", LevelBronze, true), rule("s", LevelSilver, true)},
			level: LevelGold},
		{name: "a level without rules is skipped", rules: []ScorecardRule{rule("a", LevelBronze, true), rule("g", LevelGold, true)},
			level: LevelGold},
		{name: "the next level lists lower failures too", rules: []ScorecardRule{rule("a", LevelBronze, true), rule("g2", LevelGold, false), rule("g1", LevelGold, false)},
			level: LevelBronze, next: LevelGold, missing: []string{"g1", "g2"}},
		{name: "only silver rules", rules: []ScorecardRule{rule("s", LevelSilver, true)}, level: LevelSilver},
	} {
		t.Run(tc.name, func(t *testing.T) {
			level, next, missing := Level(tc.rules)
			if level != tc.level || next != tc.next || !reflect.DeepEqual(missing, tc.missing) {
				t.Errorf("Level = %q, %q, %v; want %q, %q, %v", level, next, missing, tc.level, tc.next, tc.missing)
			}
		})
	}
}

func TestLevelRank(t *testing.T) {
	for l, want := range map[ScorecardLevel]int{"": 0, "platinum": 0, LevelBronze: 1, LevelSilver: 2, LevelGold: 3} {
		if got := l.Rank(); got != want {
			t.Errorf("%q.Rank() = %d, want %d", l, got, want)
		}
	}
}

func TestScorecardRecordSame(t *testing.T) {
	r := &ScorecardResult{App: "shop", Scorecard: "mvp", Version: 1, Level: LevelBronze, ScorecardEvaluation: ScorecardEvaluation{Rules: []ScorecardRule{
		{ID: "b", Pass: true}, {ID: "a", Pass: true}, {ID: "c"}}}}
	rec := r.Record()
	if want := []string{"a", "b"}; !reflect.DeepEqual(rec.Passed, want) || !reflect.DeepEqual(rec.Failed, []string{"c"}) {
		t.Fatalf("Record = %+v", rec)
	}
	for _, tc := range []struct {
		name   string
		change func(*ScorecardRecord)
		same   bool
	}{
		{"identical", func(*ScorecardRecord) {}, true},
		{"another time", func(o *ScorecardRecord) { o.At = o.At.Add(1) }, true},
		{"another level", func(o *ScorecardRecord) { o.Level = LevelSilver }, false},
		{"another version", func(o *ScorecardRecord) { o.Version = 2 }, false},
		{"a rule flipped", func(o *ScorecardRecord) { o.Passed, o.Failed = []string{"a", "b", "c"}, []string{} }, false},
	} {
		o := r.Record()
		tc.change(o)
		if got := rec.Same(o); got != tc.same {
			t.Errorf("%s: Same = %v, want %v", tc.name, got, tc.same)
		}
	}
}
