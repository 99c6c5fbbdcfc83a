package platform

import (
	"context"
	"fmt"
	"strings"

	"paved.dev/paved"
)

// ProductionReadyScorecard is the scorecard production readiness asks
// for, at its bar.
const ProductionReadyScorecard = "production-ready"

var _ paved.ScorecardService = (*Platform)(nil)

// scorecardsInForce are the stored scorecards' latest versions and the
// built-in ones no stored one replaces.
func (p *Platform) scorecardsInForce(ctx context.Context) ([]paved.Scorecard, error) {
	stored, err := p.cfg.Store.ListScorecards(ctx)
	if err != nil {
		return nil, err
	}
	return paved.ScorecardsInForce(stored, p.cfg.BuiltinScorecards), nil
}

// ListScorecards lists the scorecards in force.
func (p *Platform) ListScorecards(ctx context.Context) ([]paved.Scorecard, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.scorecardsInForce(ctx)
}

func (p *Platform) scorecardEngine() (paved.ScorecardEvaluator, error) {
	if p.cfg.Scorecards == nil {
		return nil, paved.Errorf(paved.EUNAVAILABLE, "this server evaluates no scorecards (it has no Rego engine)")
	}
	return p.cfg.Scorecards, nil
}

// ApplyScorecards stores new versions of scorecards, owned as policies
// are: by a stakeholder role or admin, changed only by a user of that
// role or an admin (a built-in one too: a stored scorecard of its id takes
// its place). A module that does not compile or whose rules are not well
// formed is refused; one that has not changed keeps its version. Audited.
func (p *Platform) ApplyScorecards(ctx context.Context, scs []paved.Scorecard) (out []paved.Scorecard, err error) {
	u, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	eng, err := p.scorecardEngine()
	if err != nil {
		return nil, err
	}
	inForce, err := p.scorecardsInForce(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]paved.Scorecard{}
	for _, sc := range inForce {
		byID[sc.ID] = sc
	}
	for i := range scs {
		sc := &scs[i]
		old, exists := byID[sc.ID]
		if sc.Owner == "" {
			sc.Owner = u.Role
			if exists {
				sc.Owner = old.Owner
			}
		}
		err := paved.ValidateName("scorecard id", sc.ID)
		if err == nil {
			err = checkOwner(u, "scorecard", "scorecards", sc.ID, sc.Owner, old.Owner, exists)
		}
		if err == nil {
			err = eng.CheckScorecard(ctx, *sc)
		}
		if err != nil {
			p.audit(ctx, "scorecards.apply", sc.ID, err)
			return out, err
		}
	}
	for _, sc := range scs {
		if old, ok := byID[sc.ID]; ok && old.Owner == sc.Owner && old.Module == sc.Module && old.Description == sc.Description {
			out = append(out, old)
			continue
		}
		sc.Version, sc.UpdatedBy, sc.CreatedAt = 0, u.Name, p.now()
		v, err := p.cfg.Store.PutScorecard(ctx, &sc)
		p.audit(ctx, "scorecards.apply", fmt.Sprintf("%s v%d owner=%s", sc.ID, v, sc.Owner), err)
		if err != nil {
			return out, err
		}
		out = append(out, sc)
	}
	return out, nil
}

// AppScorecards computes an app's results on the scorecards in force
// (only id when given) from the facts read once, and records each result
// that changed since the last recorded.
func (p *Platform) AppScorecards(ctx context.Context, appName, id string) (*paved.AppScorecards, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	eng, err := p.scorecardEngine()
	if err != nil {
		return nil, err
	}
	app, err := p.cfg.Store.GetApp(ctx, appName)
	if err != nil {
		return nil, err
	}
	scs, err := p.scorecardsInForce(ctx)
	if err != nil {
		return nil, err
	}
	if id != "" {
		scs, err = pick(scs, id)
		if err != nil {
			return nil, err
		}
	}
	facts, err := p.scorecardFacts(ctx, app)
	if err != nil {
		return nil, err
	}
	out := &paved.AppScorecards{App: app.Name, Facts: *facts, Scorecards: []paved.ScorecardResult{}}
	for _, sc := range scs {
		r, err := p.scorecardResult(ctx, eng, sc, facts)
		if err != nil {
			return nil, err
		}
		out.Scorecards = append(out.Scorecards, *r)
	}
	return out, nil
}

func pick(scs []paved.Scorecard, id string) ([]paved.Scorecard, error) {
	var ids []string
	for _, sc := range scs {
		if sc.ID == id {
			return []paved.Scorecard{sc}, nil
		}
		ids = append(ids, sc.ID)
	}
	return nil, paved.Errorf(paved.ENOTFOUND, "no scorecard %s; the scorecards are %s (paved scorecards list)", id, strings.Join(ids, ", "))
}

// scorecardResult evaluates one scorecard over the facts, computes the
// level, and records the result when it changed.
func (p *Platform) scorecardResult(ctx context.Context, eng paved.ScorecardEvaluator, sc paved.Scorecard, facts *paved.ScorecardFacts) (*paved.ScorecardResult, error) {
	ev, err := eng.EvaluateScorecard(ctx, sc, facts)
	if err != nil {
		return nil, err
	}
	r := &paved.ScorecardResult{App: facts.App, Scorecard: sc.ID, Version: sc.Version, ScorecardEvaluation: *ev, At: facts.At}
	r.Level, r.Next, r.Missing = paved.Level(ev.Rules)
	if _, err := p.cfg.Store.RecordScorecardResult(ctx, r.Record()); err != nil {
		return nil, err
	}
	return r, nil
}

// ScorecardHistory lists an app's recorded results on a scorecard, newest
// first: one per change. The history outlives the app and the scorecard.
func (p *Platform) ScorecardHistory(ctx context.Context, app, id string, limit int) ([]paved.ScorecardRecord, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	if limit < 0 || limit > 1000 {
		return nil, paved.Errorf(paved.EINVALID, "limit: %d; give 1 to 1000, or 0 for 100", limit)
	}
	return p.cfg.Store.ScorecardResults(ctx, app, id, limit)
}

// scorecardItem is production readiness's scorecard item: the app at
// the production-ready scorecard's bar (silver when it names none) or
// above. Without a scorecard engine or that scorecard there is no item.
func (p *Platform) scorecardItem(ctx context.Context, app *paved.App, item func(id, title string, done bool, why string, role paved.Role)) error {
	if p.cfg.Scorecards == nil {
		return nil
	}
	scs, err := p.scorecardsInForce(ctx)
	if err != nil {
		return err
	}
	scs, err = pick(scs, ProductionReadyScorecard)
	if err != nil {
		return nil
	}
	facts, err := p.scorecardFacts(ctx, app)
	if err != nil {
		return err
	}
	r, err := p.scorecardResult(ctx, p.cfg.Scorecards, scs[0], facts)
	if err != nil {
		return err
	}
	bar := r.Bar
	if bar == "" {
		bar = paved.LevelSilver
	}
	title := fmt.Sprintf("the %s scorecard at %s or above", ProductionReadyScorecard, bar)
	if r.Level.Rank() >= bar.Rank() {
		item("scorecard", title, true, "", "")
		return nil
	}
	// What the bar needs: every failing rule at or below it.
	var needs []string
	for _, rule := range r.Rules {
		if !rule.Pass && rule.Level.Rank() <= bar.Rank() {
			needs = append(needs, rule.Title+" ("+rule.Hint+")")
		}
	}
	level := string(r.Level)
	if level == "" {
		level = "no level"
	}
	item("scorecard", title, false, fmt.Sprintf("%s is at %s; %s needs: %s (paved scorecard --app %s --scorecard %s)",
		app.Name, level, bar, strings.Join(needs, "; "), app.Name, ProductionReadyScorecard), "")
	return nil
}
