package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"paved.dev/paved"
)

// The lifecycle of teams, apps, users and environments past their
// creation: reading and changing a team, handing an app to another team,
// deleting teams, apps and users, moving an environment's expiry.

// wantResult fails unless err is nil when code is "", or carries code and
// every one of msgs.
func wantResult(t *testing.T, err error, code string, msgs ...string) {
	t.Helper()
	if code == "" {
		must(t, err)
		return
	}
	if len(msgs) == 0 {
		msgs = []string{""}
	}
	for _, msg := range msgs {
		wantError(t, err, code, msg)
	}
}

func testGetTeam(t *testing.T, s paved.Store) {
	ctx := context.Background()
	core := &paved.Team{Name: "core", Cohort: 2, Pioneering: true, CreatedAt: at(1)}
	must(t, s.CreateTeam(ctx, core))
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "billing", Cohort: 3, CreatedAt: at(2)}))
	for _, tc := range []struct {
		name, team string
		want       *paved.Team
		code, msg  string
	}{
		{name: "existing", team: "core", want: core},
		{name: "missing", team: "nope", code: paved.ENOTFOUND, msg: `team "nope" not found`},
		{name: "names are exact", team: "Core", code: paved.ENOTFOUND, msg: `team "Core" not found`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.GetTeam(ctx, tc.team)
			wantResult(t, err, tc.code, tc.msg)
			if tc.want != nil {
				sameJSON(t, "GetTeam", got, tc.want)
			}
		})
	}
}

func testUpdateTeam(t *testing.T, s paved.Store) {
	ctx := context.Background()
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "core", Cohort: 1, Pioneering: true, CreatedAt: at(1)}))
	billing := &paved.Team{Name: "billing", Cohort: 2, CreatedAt: at(2)}
	must(t, s.CreateTeam(ctx, billing))
	for _, tc := range []struct {
		name      string
		update    paved.Team
		want      *paved.Team // as read back; nil when the update fails
		code, msg string
	}{
		// Cohort and the flag change; the name and the creation time do
		// not, whatever the caller passes.
		{name: "cohort and flag", update: paved.Team{Name: "core", Cohort: 3, CreatedAt: at(9)},
			want: &paved.Team{Name: "core", Cohort: 3, CreatedAt: at(1)}},
		{name: "pioneering again", update: paved.Team{Name: "core", Cohort: 3, Pioneering: true},
			want: &paved.Team{Name: "core", Cohort: 3, Pioneering: true, CreatedAt: at(1)}},
		{name: "missing", update: paved.Team{Name: "nope", Cohort: 1}, code: paved.ENOTFOUND, msg: `team "nope" not found`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.update
			wantResult(t, s.UpdateTeam(ctx, &u), tc.code, tc.msg)
			if tc.want != nil {
				got, err := s.GetTeam(ctx, tc.want.Name)
				must(t, err)
				sameJSON(t, "GetTeam after UpdateTeam", got, tc.want)
			}
			// The other team never changes.
			got, err := s.GetTeam(ctx, "billing")
			must(t, err)
			sameJSON(t, "the other team", got, billing)
		})
	}
	if _, err := s.GetTeam(ctx, "nope"); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Fatalf("UpdateTeam of a missing team made it: %v", err)
	}
}

func testDeleteTeam(t *testing.T, s paved.Store) {
	ctx := context.Background()
	for _, name := range []string{"core", "big", "billing", "solo"} {
		must(t, s.CreateTeam(ctx, &paved.Team{Name: name}))
	}
	must(t, s.CreateApp(ctx, &paved.App{Name: "shop", Team: "core"}))
	for i := range 5 {
		must(t, s.CreateApp(ctx, &paved.App{Name: fmt.Sprintf("a%d", i+1), Team: "big"}))
	}
	users := map[string][]string{
		"ana":   {"core", "billing", "solo"},
		"bob":   {"billing"},
		"cy":    {"solo"},
		"dan":   nil,
		"eve":   {"billing", "core"},
		"frank": {"billing-eu"}, // another team, whose name starts alike
	}
	for name, teams := range users {
		must(t, s.CreateUser(ctx, &paved.User{Name: name, Role: paved.RoleDeveloper, Teams: teams, CreatedAt: at(0)}))
	}
	teamsOf := func(t *testing.T, want map[string][]string) {
		t.Helper()
		for name, teams := range want {
			u, err := s.GetUser(ctx, name)
			must(t, err)
			sameJSON(t, "teams of "+name, u.Teams, teams)
		}
	}
	for _, tc := range []struct {
		name, team string
		setup      func(t *testing.T)
		code       string
		msgs       []string
		users      map[string][]string // every user's teams after
	}{
		{name: "owns an app", team: "core", code: paved.ECONFLICT,
			msgs:  []string{`team "core" still owns 1 app(s): shop;`, "paved app update APP --team OTHER", "paved app delete APP"},
			users: users},
		{name: "owns many apps", team: "big", code: paved.ECONFLICT,
			msgs: []string{`team "big" still owns 5 app(s): a1, a2, a3 and 2 more;`}, users: users},
		{name: "missing", team: "nope", code: paved.ENOTFOUND, msgs: []string{`team "nope" not found`}, users: users},
		// Its members stay, without it: their other teams stay, in order.
		{name: "members leave it", team: "billing",
			users: map[string][]string{"ana": {"core", "solo"}, "bob": nil, "cy": {"solo"}, "dan": nil, "eve": {"core"}, "frank": {"billing-eu"}}},
		{name: "again", team: "billing", code: paved.ENOTFOUND, msgs: []string{`team "billing" not found`}},
		{name: "once its app moved", team: "core",
			setup: func(t *testing.T) { must(t, s.UpdateApp(ctx, &paved.App{Name: "shop", Team: "solo"})) },
			users: map[string][]string{"ana": {"solo"}, "bob": nil, "cy": {"solo"}, "eve": nil}},
		{name: "once its apps are deleted", team: "big",
			setup: func(t *testing.T) {
				for i := range 5 {
					must(t, s.DeleteApp(ctx, fmt.Sprintf("a%d", i+1)))
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup(t)
			}
			err := s.DeleteTeam(ctx, tc.team)
			wantResult(t, err, tc.code, tc.msgs...)
			_, getErr := s.GetTeam(ctx, tc.team)
			switch {
			case tc.code == paved.ECONFLICT && getErr != nil:
				t.Fatalf("a refused DeleteTeam removed the team: %v", getErr)
			case tc.code == "" && paved.ErrorCode(getErr) != paved.ENOTFOUND:
				t.Fatalf("GetTeam after DeleteTeam = %v, want ENOTFOUND", getErr)
			}
			teamsOf(t, tc.users)
		})
	}
	teams, err := s.ListTeams(ctx)
	must(t, err)
	if len(teams) != 1 || teams[0].Name != "solo" {
		t.Fatalf("ListTeams after the deletions = %+v, want solo only", teams)
	}
	// The name is free again, and nobody is in the new team.
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "billing"}))
	teamsOf(t, map[string][]string{"bob": nil, "eve": nil})
}

func testUpdateApp(t *testing.T, s paved.Store) {
	ctx := context.Background()
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "core"}))
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "billing"}))
	must(t, s.CreateApp(ctx, &paved.App{Name: "shop", Team: "core", CreatedAt: at(1)}))
	cart := &paved.App{Name: "cart", Team: "core", CreatedAt: at(2)}
	must(t, s.CreateApp(ctx, cart))
	for _, tc := range []struct {
		name      string
		update    paved.App
		code, msg string
		team      string // shop's team after
	}{
		// Only the team and the on-call contact change, whatever else the
		// caller passes.
		{name: "handed to another team", update: paved.App{Name: "shop", Team: "billing", CreatedAt: at(9)}, team: "billing"},
		{name: "no such team", update: paved.App{Name: "shop", Team: "nope"}, code: paved.EINVALID, msg: `team: no team "nope"`, team: "billing"},
		{name: "no team", update: paved.App{Name: "shop"}, code: paved.EINVALID, msg: "team is required", team: "billing"},
		{name: "no such app", update: paved.App{Name: "blog", Team: "core"}, code: paved.ENOTFOUND, msg: `app "blog" not found`, team: "billing"},
		{name: "no such app nor team", update: paved.App{Name: "blog", Team: "nope"}, code: paved.ENOTFOUND, msg: `app "blog" not found`, team: "billing"},
		{name: "handed back", update: paved.App{Name: "shop", Team: "core"}, team: "core"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.update
			wantResult(t, s.UpdateApp(ctx, &a), tc.code, tc.msg)
			got, err := s.GetApp(ctx, "shop")
			must(t, err)
			sameJSON(t, "GetApp after UpdateApp", got, &paved.App{Name: "shop", Team: tc.team, CreatedAt: at(1)})
			got, err = s.GetApp(ctx, "cart")
			must(t, err)
			sameJSON(t, "the other app", got, cart)
		})
	}
	if _, err := s.GetApp(ctx, "blog"); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Fatalf("UpdateApp of a missing app made it: %v", err)
	}
}

func testDeleteApp(t *testing.T, s paved.Store) {
	ctx := context.Background()
	seed(t, s) // shop with its environment dev
	must(t, s.CreateApp(ctx, &paved.App{Name: "cart", Team: "core"}))
	for _, env := range []string{"pr-3", "dev", "pr-1", "pr-2"} {
		must(t, s.CreateEnvironment(ctx, &paved.Environment{App: "cart", Name: env, Type: paved.EnvEphemeral}))
	}
	// blog has deployments and their events, but no environment any more.
	must(t, s.CreateApp(ctx, &paved.App{Name: "blog", Team: "core"}))
	blogDev := &paved.Environment{App: "blog", Name: "dev", Type: paved.EnvDevelopment}
	must(t, s.CreateEnvironment(ctx, blogDev))
	var kept []*paved.Deployment
	for i, id := range []string{"b1", "b2"} {
		d := SampleDeployment("blog", "dev", id, at(i), 2)
		d.EnvID, d.EnvType = blogDev.ID, blogDev.Type
		f := at(i + 1)
		d.FinishedAt = &f
		must(t, s.CreateDeployment(ctx, d))
		kept = append(kept, d)
	}
	for _, msg := range []string{"plan", "apply"} {
		must(t, s.AppendEvent(ctx, "b1", &paved.Event{Level: "info", Message: msg, Time: at(1)}))
	}
	must(t, s.DeleteEnvironment(ctx, "blog", "dev"))

	for _, tc := range []struct {
		name, app string
		setup     func(t *testing.T)
		code      string
		msgs      []string
	}{
		{name: "has an environment", app: "shop", code: paved.ECONFLICT,
			msgs: []string{`app "shop" still has 1 environment(s): dev;`, "paved env delete ENV --app shop"}},
		{name: "has many environments", app: "cart", code: paved.ECONFLICT,
			msgs: []string{`app "cart" still has 4 environment(s): dev, pr-1, pr-2 and 1 more;`}},
		{name: "missing", app: "nope", code: paved.ENOTFOUND, msgs: []string{`app "nope" not found`}},
		{name: "has deployments", app: "blog"},
		{name: "again", app: "blog", code: paved.ENOTFOUND, msgs: []string{`app "blog" not found`}},
		{name: "once its environment is gone", app: "shop",
			setup: func(t *testing.T) { must(t, s.DeleteEnvironment(ctx, "shop", "dev")) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup(t)
			}
			wantResult(t, s.DeleteApp(ctx, tc.app), tc.code, tc.msgs...)
			_, getErr := s.GetApp(ctx, tc.app)
			switch {
			case tc.code == paved.ECONFLICT && getErr != nil:
				t.Fatalf("a refused DeleteApp removed the app: %v", getErr)
			case tc.code == "" && paved.ErrorCode(getErr) != paved.ENOTFOUND:
				t.Fatalf("GetApp after DeleteApp = %v, want ENOTFOUND", getErr)
			}
		})
	}
	apps, err := s.ListApps(ctx)
	must(t, err)
	if len(apps) != 1 || apps[0].Name != "cart" {
		t.Fatalf("ListApps after the deletions = %+v, want cart only", apps)
	}
	envs, err := s.ListEnvironments(ctx, paved.EnvironmentFilter{App: "cart"})
	must(t, err)
	if len(envs) != 4 {
		t.Fatalf("a refused DeleteApp left cart %d environments, want 4", len(envs))
	}

	// The deployments of the deleted app stay, in full, with their events:
	// by app, across apps, by id, as their environment's last successful.
	ds, err := s.ListDeployments(ctx, paved.DeploymentFilter{App: "blog"})
	must(t, err)
	sameJSON(t, "ListDeployments of a deleted app", ids(ds), []string{"b2", "b1"})
	ds, err = s.ListDeployments(ctx, paved.DeploymentFilter{})
	must(t, err)
	sameJSON(t, "ListDeployments across apps", ids(ds), []string{"b2", "b1"})
	for _, want := range kept {
		got, err := s.GetDeployment(ctx, want.ID)
		must(t, err)
		sameJSON(t, "GetDeployment of a deleted app", got, want)
	}
	events, err := s.Events(ctx, "b1", 0)
	must(t, err)
	if len(events) != 2 || events[1].Message != "apply" {
		t.Fatalf("events of a deleted app's deployment = %+v, want plan and apply", events)
	}
	last, err := s.LastSuccessful(ctx, blogDev.ID)
	must(t, err)
	if last.ID != "b2" {
		t.Fatalf("LastSuccessful of a deleted app's environment = %s, want b2", last.ID)
	}
	// A deployment still needs its app.
	wantError(t, s.CreateDeployment(ctx, deployment("b3", "dev", at(5), 0)), paved.ENOTFOUND, `app "shop" not found`)
	d := deployment("b3", "dev", at(5), 0)
	d.App = "blog"
	wantError(t, s.CreateDeployment(ctx, d), paved.ENOTFOUND, `app "blog" not found`)
}

func testDeleteUser(t *testing.T, s paved.Store) {
	ctx := context.Background()
	for _, name := range []string{"ana", "bob", "cy"} {
		must(t, s.CreateUser(ctx, &paved.User{Name: name, Role: paved.RoleDeveloper, Teams: []string{"core"}}))
	}
	tokens := map[string][]string{"ana": {"ana-1", "ana-2"}, "bob": {"bob-1"}} // user: hashes
	for user, hashes := range tokens {
		for _, h := range hashes {
			must(t, s.CreateToken(ctx, &paved.Token{ID: h, User: user, Hash: []byte(h)}))
		}
	}
	// A revoked token goes too.
	_, err := s.RevokeTokens(ctx, "ana", "ana-2", at(0))
	must(t, err)
	must(t, s.Audit(ctx, &paved.AuditEntry{Actor: "ana", Action: "app.create", Target: "shop", Time: at(1)}))

	for _, tc := range []struct {
		name, user string
		code, msg  string
		gone       []string // token hashes no longer found
	}{
		{name: "with tokens", user: "ana", gone: []string{"ana-1", "ana-2"}},
		{name: "without tokens", user: "cy"},
		{name: "missing", user: "nope", code: paved.ENOTFOUND, msg: `user "nope" not found`},
		{name: "again", user: "ana", code: paved.ENOTFOUND, msg: `user "ana" not found`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantResult(t, s.DeleteUser(ctx, tc.user), tc.code, tc.msg)
			if tc.code == "" {
				_, err := s.GetUser(ctx, tc.user)
				wantError(t, err, paved.ENOTFOUND, fmt.Sprintf("user %q not found", tc.user))
			}
			for _, h := range tc.gone {
				_, _, err := s.TokenByHash(ctx, []byte(h))
				wantError(t, err, paved.ENOTFOUND, "token not found")
			}
			left, err := s.ListTokens(ctx, paved.TokenFilter{User: tc.user})
			must(t, err)
			if tc.code == "" && len(left) != 0 {
				t.Fatalf("tokens of a deleted user: %+v", left)
			}
			// Another user's tokens stay.
			tok, owner, err := s.TokenByHash(ctx, []byte("bob-1"))
			must(t, err)
			if tok.ID != "bob-1" || owner.Name != "bob" {
				t.Fatalf("bob's token after deleting %s: %+v of %+v", tc.user, tok, owner)
			}
		})
	}
	users, err := s.ListUsers(ctx)
	must(t, err)
	if len(users) != 1 || users[0].Name != "bob" {
		t.Fatalf("ListUsers after the deletions = %+v, want bob only", users)
	}
	all, err := s.ListTokens(ctx, paved.TokenFilter{})
	must(t, err)
	if len(all) != 1 || all[0].ID != "bob-1" {
		t.Fatalf("ListTokens after the deletions = %+v, want bob-1 only", all)
	}
	// What the user did stays in the audit log.
	audit, err := s.ListAudit(ctx, paved.AuditFilter{Actor: "ana"})
	must(t, err)
	if len(audit) != 1 || audit[0].Action != "app.create" {
		t.Fatalf("audit of a deleted user = %+v, want their app.create", audit)
	}
	// No token for a user that is gone; the name is free again, without
	// the old tokens.
	wantError(t, s.CreateToken(ctx, &paved.Token{User: "ana", Hash: []byte("ana-3")}), paved.ENOTFOUND, `user "ana" not found`)
	must(t, s.CreateUser(ctx, &paved.User{Name: "ana", Role: paved.RoleViewer}))
	left, err := s.ListTokens(ctx, paved.TokenFilter{User: "ana"})
	must(t, err)
	if len(left) != 0 {
		t.Fatalf("a new user of a deleted user's name has tokens: %+v", left)
	}
}

func testSetExpiry(t *testing.T, s paved.Store) {
	ctx := context.Background()
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "core"}))
	must(t, s.CreateApp(ctx, &paved.App{Name: "shop", Team: "core"}))
	envs := map[string]*paved.Environment{}
	for i, e := range []struct {
		name    string
		expires int // seconds of at(); -1 for none
	}{{"pr-1", 10}, {"pr-2", 20}, {"dev", -1}} {
		env := &paved.Environment{App: "shop", Name: e.name, Type: paved.EnvEphemeral, CreatedAt: at(i)}
		if e.expires >= 0 {
			x := at(e.expires)
			env.ExpiresAt = &x
		}
		must(t, s.CreateEnvironment(ctx, env))
		envs[e.name] = env
	}
	zone := time.FixedZone("UTC-3", -3*3600)
	for _, tc := range []struct {
		name      string
		id        func() string
		at        time.Time
		code, msg string
		expired   []string  // ExpiredEnvironments at at(25) after
		want      time.Time // the environment's expiry as read back; zero to skip
	}{
		{name: "later", id: func() string { return envs["pr-1"].ID }, at: at(30),
			expired: []string{"pr-2"}, want: at(30)},
		{name: "earlier", id: func() string { return envs["pr-2"].ID }, at: at(5),
			expired: []string{"pr-2"}, want: at(5)},
		{name: "an environment that had none", id: func() string { return envs["dev"].ID }, at: at(1),
			expired: []string{"dev", "pr-2"}, want: at(1)},
		// Kept as every time is: UTC, cut to the microsecond.
		{name: "another zone, nanoseconds", id: func() string { return envs["pr-1"].ID },
			at:      time.Date(2026, 3, 1, 9, 0, 3, 123456789, zone),
			expired: []string{"dev", "pr-1", "pr-2"}, want: time.Date(2026, 3, 1, 12, 0, 3, 123456000, time.UTC)},
		{name: "missing", id: func() string { return "e-nope" }, at: at(0), code: paved.ENOTFOUND, msg: `environment "e-nope" not found`,
			expired: []string{"dev", "pr-1", "pr-2"}},
		// An environment deleted and created again is another incarnation:
		// the old id names none.
		{name: "an earlier incarnation", at: at(0), code: paved.ENOTFOUND, msg: "not found",
			id: func() string {
				old := envs["pr-2"].ID
				must(t, s.DeleteEnvironment(ctx, "shop", "pr-2"))
				again := &paved.Environment{App: "shop", Name: "pr-2", Type: paved.EnvEphemeral}
				must(t, s.CreateEnvironment(ctx, again))
				envs["pr-2"] = again
				return old
			},
			expired: []string{"dev", "pr-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := tc.id()
			wantResult(t, s.SetExpiry(ctx, id, tc.at), tc.code, tc.msg)
			got, err := s.ExpiredEnvironments(ctx, at(25))
			must(t, err)
			var names []string
			for _, e := range got {
				names = append(names, e.Name)
			}
			sameJSON(t, "ExpiredEnvironments at +25s", names, tc.expired)
			if tc.want.IsZero() {
				return
			}
			for _, e := range got {
				if e.ID == id && (e.ExpiresAt == nil || !e.ExpiresAt.Equal(tc.want)) {
					t.Fatalf("ExpiresAt = %v, want %v", e.ExpiresAt, tc.want)
				}
			}
			for name, e := range envs {
				if e.ID != id {
					continue
				}
				read, err := s.GetEnvironment(ctx, "shop", name)
				must(t, err)
				if read.ExpiresAt == nil || !read.ExpiresAt.Equal(tc.want) || read.ExpiresAt.Location() != time.UTC {
					t.Fatalf("GetEnvironment's ExpiresAt = %v, want %v", read.ExpiresAt, tc.want)
				}
			}
		})
	}
}

// testConcurrentDeletes races each delete with the create of what would
// stop it or hang off it: one of the two goes first, and the store ends as
// that order says (never with a dangling row, never with an internal
// error).
func testConcurrentDeletes(t *testing.T, s paved.Store) {
	ctx := context.Background()
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "core"}))
	race := func(a, b func() error) (errA, errB error) {
		var wg sync.WaitGroup
		wg.Go(func() { errA = a() })
		wg.Go(func() { errB = b() })
		wg.Wait()
		return errA, errB
	}
	const rounds = 10
	for i := range rounds {
		app := fmt.Sprintf("app-%d", i)
		must(t, s.CreateApp(ctx, &paved.App{Name: app, Team: "core"}))
		envErr, delErr := race(
			func() error {
				return s.CreateEnvironment(ctx, &paved.Environment{App: app, Name: "dev", Type: paved.EnvDevelopment})
			},
			func() error { return s.DeleteApp(ctx, app) })
		switch {
		case envErr == nil && paved.ErrorCode(delErr) == paved.ECONFLICT:
			must(t, s.DeleteEnvironment(ctx, app, "dev"))
			must(t, s.DeleteApp(ctx, app))
		case delErr == nil && paved.ErrorCode(envErr) == paved.ENOTFOUND:
		default:
			t.Fatalf("CreateEnvironment beside DeleteApp: %v and %v, want one to win", envErr, delErr)
		}

		must(t, s.CreateApp(ctx, &paved.App{Name: app, Team: "core"}))
		id := fmt.Sprintf("d-%d", i)
		depErr, delErr := race(
			func() error { return s.CreateDeployment(ctx, &paved.Deployment{ID: id, App: app, Env: "dev"}) },
			func() error { return s.DeleteApp(ctx, app) })
		_, getErr := s.GetDeployment(ctx, id)
		switch {
		case delErr != nil:
			t.Fatalf("DeleteApp beside CreateDeployment: %v, want it deleted either way", delErr)
		case depErr == nil && getErr != nil:
			t.Fatalf("a deployment stored before its app was deleted is gone: %v", getErr)
		case depErr != nil && (paved.ErrorCode(depErr) != paved.ENOTFOUND || getErr == nil):
			t.Fatalf("CreateDeployment beside DeleteApp: %v (stored: %v), want ENOTFOUND and nothing stored", depErr, getErr)
		}

		team := fmt.Sprintf("team-%d", i)
		must(t, s.CreateTeam(ctx, &paved.Team{Name: team}))
		appErr, delErr := race(
			func() error { return s.CreateApp(ctx, &paved.App{Name: team + "-app", Team: team}) },
			func() error { return s.DeleteTeam(ctx, team) })
		switch {
		case appErr == nil && paved.ErrorCode(delErr) == paved.ECONFLICT:
		case delErr == nil && paved.ErrorCode(appErr) == paved.ENOTFOUND:
		default:
			t.Fatalf("CreateApp beside DeleteTeam: %v and %v, want one to win", appErr, delErr)
		}

		user := fmt.Sprintf("user-%d", i)
		must(t, s.CreateUser(ctx, &paved.User{Name: user, Role: paved.RoleViewer}))
		tokErr, delErr := race(
			func() error { return s.CreateToken(ctx, &paved.Token{User: user, Hash: []byte(user)}) },
			func() error { return s.DeleteUser(ctx, user) })
		if delErr != nil || (tokErr != nil && paved.ErrorCode(tokErr) != paved.ENOTFOUND) {
			t.Fatalf("CreateToken beside DeleteUser: %v and %v, want the user deleted either way", tokErr, delErr)
		}
		if _, _, err := s.TokenByHash(ctx, []byte(user)); paved.ErrorCode(err) != paved.ENOTFOUND {
			t.Fatalf("a token outlived its deleted user: %v", err)
		}
	}
}
