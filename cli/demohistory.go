package cli

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/api"
)

// demoClock is the demo server's clock (server.Config.Now): held at each
// moment of the history while the demo seeds it, so that what the
// platform records (deployments, their times, audit, feedback) lands in
// the past exactly where the history puts it; the real time after.
type demoClock struct {
	mu sync.Mutex
	at time.Time // zero: the real time
}

func (c *demoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() {
		return time.Now()
	}
	return c.at
}

func (c *demoClock) set(t time.Time) {
	c.mu.Lock()
	c.at = t
	c.mu.Unlock()
}

func (c *demoClock) real() { c.set(time.Time{}) }

// historyWeeks is how long the seeded history is: whole weeks, Monday to
// Sunday, ending before the week the demo runs in.
const historyWeeks = 6

// historyStart is the history's first moment: Monday 09:00 UTC, six
// weeks before the Monday of now's week. Every event is at a fixed offset
// from it, so the history has the same shape whenever the demo runs.
func historyStart(now time.Time) time.Time {
	day := now.UTC().Truncate(24 * time.Hour)
	monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	return monday.AddDate(0, 0, -7*historyWeeks).Add(9 * time.Hour)
}

// history seeds several weeks of the MVP program through the API, as the
// people would have: the pioneering team deploying shop to dev three
// times a week and promoting to staging on Fridays, a preview reaped, a
// bad release rolled back; a second team (checkout, cohort 2) invited,
// scaffolding ledger from a golden path, deploying twice a week, denied
// once by the security pack, failing once and fixing it; stakeholders,
// a price list, a program with objectives and cohorts, feedback and a
// roadmap.
type history struct {
	*demo
	clock *demoClock
	t0    time.Time
	omar  *api.Client
	runs  int
}

// at holds the clock at day (from the history's Monday) and time of day.
func (h *history) at(day, hour, minute int) time.Time {
	t := h.t0.AddDate(0, 0, day).Add(time.Duration(hour-9)*time.Hour + time.Duration(minute)*time.Minute)
	h.clock.set(t)
	return t
}

// quiet waits for a deployment without printing its events and checks how
// it ended.
func (h *history) quiet(c *api.Client, dep *paved.Deployment, want paved.DeploymentStatus) error {
	if err := c.StreamEvents(h.ctx, dep.ID, 0, func(paved.Event) error { return nil }); err != nil {
		return err
	}
	final, err := c.GetDeployment(h.ctx, dep.ID)
	if err != nil {
		return err
	}
	if final.Status != want {
		return fmt.Errorf("history: deployment %s of %s/%s %s, want %s: %s", final.ID, final.App, final.Env, final.Status, want, final.Error)
	}
	h.runs++
	return nil
}

// deploy deploys specs at the clock's time, committed lead before.
func (h *history) deploy(c *api.Client, app string, specs map[string]string, sha string, lead time.Duration, fix bool, want paved.DeploymentStatus) error {
	commit := h.clock.Now().Add(-lead)
	dep, err := c.Deploy(h.ctx, &paved.DeployRequest{App: app, Env: "dev", Specs: specs, CommitSHA: sha, CommitTime: &commit, Fix: fix})
	if err != nil {
		return fmt.Errorf("history: deploying %s at %s: %w", app, h.clock.Now().Format(time.RFC3339), err)
	}
	return h.quiet(c, dep, want)
}

func (h *history) promote(c *api.Client, app string) error {
	dep, err := c.Promote(h.ctx, app, "dev", "staging")
	if err != nil {
		return fmt.Errorf("history: promoting %s: %w", app, err)
	}
	return h.quiet(c, dep, paved.DeploymentSucceeded)
}

// shopSpecs are the shop's files with the api at release n.
func shopSpecs(n int) map[string]string {
	m := specs(false)
	m["api.score.yaml"] = strings.Replace(m["api.score.yaml"], "shop-api:1.0.0", fmt.Sprintf("shop-api:1.0.%d", n), 1)
	return m
}

func (h *history) seed() error {
	start := h.at(0, 9, 0)
	h.say("History (as the people would have made it, %d weeks from %s):", historyWeeks, start.Format("Mon 2 Jan 2006"))
	if err := h.people(); err != nil {
		return err
	}
	if err := h.program(); err != nil {
		return err
	}
	if err := h.pioneers(); err != nil {
		return err
	}
	if err := h.checkout(); err != nil {
		return err
	}
	if err := h.feedback(); err != nil {
		return err
	}
	h.say("  %d deployments ran through the platform; the clock is the real one again\n", h.runs)
	return nil
}

// people: the second team and its developer, the stakeholders, finance's
// price list, the platform team's probes.
func (h *history) people() error {
	a := h.admin
	if err := ignoreConflict(a.CreateTeam(h.ctx, &paved.Team{Name: "checkout", Cohort: 2})); err != nil {
		return err
	}
	for _, u := range []paved.User{{Name: "omar", Role: paved.RoleDeveloper, Teams: []string{"checkout"}},
		{Name: "sam", Role: paved.RoleSecurity}, {Name: "priya", Role: paved.RoleData}, {Name: "fran", Role: paved.RoleFinance}} {
		if err := ignoreConflict(a.CreateUser(h.ctx, &u)); err != nil {
			return err
		}
	}
	tok, err := a.CreateToken(h.ctx, &paved.TokenRequest{User: "omar", Name: "demo"})
	if err != nil {
		return err
	}
	h.omar = api.NewClient(h.base, tok.Secret)
	if _, err := a.ApplyPrices(h.ctx, &paved.PriceList{Currency: "EUR", VCPUHour: 0.04, MemoryGiBHour: 0.005, StorageGiBMonth: 0.1,
		DefaultCPU: 0.25, DefaultMemory: 0.25, Resources: []paved.ResourcePrice{{Type: "postgres", Monthly: 25}, {Type: "redis", Monthly: 12}}}); err != nil {
		return err
	}
	if _, err := a.ProbeTarget(h.ctx, "gitops"); err != nil {
		return err
	}
	if _, err := a.ProbeDefinitions(h.ctx, []string{"staging-postgres"}); err != nil {
		return err
	}
	h.say("  week 1: team checkout (cohort 2) and its developer omar; sam (security), priya (data) and fran (finance);")
	h.say("          fran's price list; the GitOps target and the staging database probed")
	return nil
}

func (h *history) program() error {
	_, err := h.admin.ApplyProgram(h.ctx, &paved.ProgramSpec{
		Objectives: []paved.Objective{
			{ID: "deploys", Title: "the pioneering team deploys to staging weekly", Metric: "deployment_frequency", Target: 1.0 / 7},
			{ID: "lead-time", Title: "change lead time under a day", Metric: "change_lead_time", Target: 24, AtMost: true},
			{ID: "fail-rate", Title: "change fail rate at most 15%", Metric: "change_fail_rate", Target: 0.15, AtMost: true},
		},
		GoldenPaths:       []string{"deploy a service with a database to dev", "open a preview for a pull request", "promote dev to staging", "scaffold a Go service (go-service)"},
		RepresentativeApp: "shop",
		Cohorts:           []paved.Cohort{{Number: 1, Name: "the pioneers"}, {Number: 2, Name: "checkout and payments", Priority: 1}, {Number: 3, Name: "the rest of retail", Priority: 2}},
		NextCohort:        2,
		Requirements:      []paved.Requirement{{Cohort: 2, Title: "the payment provider's keys from Vault"}},
	})
	if err != nil {
		return err
	}
	_, err = h.admin.Announce(h.ctx, &paved.Announcement{Audience: "the pioneers", Title: "the MVP starts: deploy shop with paved deploy"})
	h.say("  week 1: the program applied: 3 objectives, 4 golden paths, cohorts 1 to 3, cohort 2 next")
	return err
}

// pioneers: shop to dev Monday, Wednesday and Friday, to staging on
// Fridays; a preview reaped in week 2, a bad release rolled back in week 3.
func (h *history) pioneers() error {
	release := 0
	for w := range historyWeeks {
		for _, wd := range []int{0, 2, 4} {
			day := 7*w + wd
			h.at(day, 10, 0)
			release++
			// Commits wait between 2 and 26 hours for their deployment.
			lead := time.Duration(2+(release*7)%25) * time.Hour
			if err := h.deploy(h.dev, "shop", shopSpecs(release), fmt.Sprintf("a%06d", release), lead, false, paved.DeploymentSucceeded); err != nil {
				return err
			}
			if w == 1 && wd == 2 {
				if err := h.preview(day); err != nil {
					return err
				}
			}
			if w == 2 && wd == 2 {
				// A release that broke checkout's calls: rolled back 40
				// minutes later.
				h.at(day, 14, 0)
				release++
				if err := h.deploy(h.dev, "shop", shopSpecs(release), fmt.Sprintf("a%06d", release), 90*time.Minute, false, paved.DeploymentSucceeded); err != nil {
					return err
				}
				h.at(day, 14, 40)
				rb, err := h.dev.RollbackEnvironment(h.ctx, "shop", "dev")
				if err != nil {
					return err
				}
				if err := h.quiet(h.dev, rb, paved.DeploymentSucceeded); err != nil {
					return err
				}
			}
		}
		h.at(7*w+4, 15, 0)
		if err := h.promote(h.dev, "shop"); err != nil {
			return err
		}
		if w == historyWeeks-2 {
			// The promotion broke staging's smoke tests: rolled back half
			// an hour later, so that staging, which DORA measures during
			// the MVP, has a failed change and its recovery too.
			h.at(7*w+4, 15, 30)
			rb, err := h.dev.RollbackEnvironment(h.ctx, "shop", "staging")
			if err != nil {
				return err
			}
			if err := h.quiet(h.dev, rb, paved.DeploymentSucceeded); err != nil {
				return err
			}
		}
	}
	h.say("  weeks 1-%d: dana deployed shop to dev three times a week and promoted it to staging on Fridays;", historyWeeks)
	h.say("          a preview (pr-7) reaped in week 2; a bad release rolled back after 40 minutes in week 3;")
	h.say("          a promotion rolled back in staging after 30 minutes in week %d", historyWeeks-1)
	return nil
}

// preview opens pr-7 from dev for four hours and lets the reaper take it.
func (h *history) preview(day int) error {
	h.at(day, 11, 0)
	if _, err := h.dev.CreateEnvironment(h.ctx, &paved.EnvironmentRequest{App: "shop", Name: "pr-7", From: "dev", TTL: paved.Duration(4 * time.Hour)}); err != nil {
		return err
	}
	h.runs++
	h.at(day, 15, 30)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		_, err := h.dev.GetEnvironment(h.ctx, "shop", "pr-7")
		if paved.ErrorCode(err) == paved.ENOTFOUND {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("history: the preview pr-7 was not reaped")
		}
	}
}

// checkout: invited in week 3, scaffolds ledger from go-service and
// deploys it Tuesdays and Thursdays; a :latest image denied, a bucket
// whose provisioner fails, and the fix.
func (h *history) checkout() error {
	h.at(14, 9, 30)
	if _, err := h.admin.InviteCohort(h.ctx, 2); err != nil {
		return err
	}
	if _, err := h.admin.Announce(h.ctx, &paved.Announcement{Audience: "cohort 2", Title: "you are invited: paved new --template go-service"}); err != nil {
		return err
	}
	h.at(15, 10, 0)
	sc, err := h.omar.Scaffold(h.ctx, &paved.RenderRequest{Template: "go-service", Name: "ledger", Team: "checkout"})
	if err != nil {
		return err
	}
	var score string
	for _, f := range sc.Rendering.Files {
		if f.Path == "score.yaml" {
			score = f.Content
		}
	}
	if score == "" {
		return fmt.Errorf("history: the go-service template rendered no score.yaml")
	}
	// score.yaml says image: . for the image CI builds; the demo's CI
	// builds REGISTRY/ledger:0.1.N (paved deploy --image would put it there).
	image := func(tag string) map[string]string {
		return map[string]string{"score.yaml": strings.Replace(score, "image: . ", fmt.Sprintf("image: %v/ledger:%s ", sc.Rendering.Params["registry"], tag), 1)}
	}
	ledger := func(n int) map[string]string { return image(fmt.Sprintf("0.1.%d", n)) }
	if _, err := h.omar.CreateEnvironment(h.ctx, &paved.EnvironmentRequest{App: "ledger", Name: "dev", Type: "development"}); err != nil {
		return err
	}
	if _, err := h.admin.CreateEnvironment(h.ctx, &paved.EnvironmentRequest{App: "ledger", Name: "staging", Type: "staging"}); err != nil {
		return err
	}
	h.at(15, 11, 30)
	if err := h.deploy(h.omar, "ledger", ledger(0), "b000000", 90*time.Minute, false, paved.DeploymentSucceeded); err != nil {
		return err
	}
	// Thursday: an image without a version, which the security pack denies.
	h.at(17, 10, 0)
	latest := image("latest")
	if _, err := h.omar.Deploy(h.ctx, &paved.DeployRequest{App: "ledger", Env: "dev", Specs: latest}); paved.ErrorCode(err) != paved.EFORBIDDEN {
		return fmt.Errorf("history: an image tagged latest was not denied: %v", err)
	}
	if _, err := h.omar.RequestWaiver(h.ctx, &paved.WaiverRequest{Rule: "security/sec-limits", App: "ledger", Env: "dev",
		Reason: "a load test needs the limits lifted for a week", TTL: paved.Duration(7 * 24 * time.Hour)}); err != nil {
		return err
	}
	n := 0
	for w := 2; w < historyWeeks; w++ {
		for _, wd := range []int{1, 3} {
			day := 7*w + wd
			if day <= 17 {
				continue
			}
			n++
			h.at(day, 11, 0)
			if day == 22 {
				if err := h.failAndFix(ledger(n)); err != nil {
					return err
				}
				continue
			}
			if err := h.deploy(h.omar, "ledger", ledger(n), fmt.Sprintf("b%06d", n), time.Duration(4+n%6)*time.Hour, false, paved.DeploymentSucceeded); err != nil {
				return err
			}
			if wd == 3 && w%2 == 1 {
				h.at(day, 16, 0)
				if err := h.promote(h.omar, "ledger"); err != nil {
					return err
				}
			}
		}
	}
	h.say("  week 3: cohort 2 invited; omar scaffolded ledger from go-service (paved new) and deployed it the next day;")
	h.say("          an image tagged :latest denied by the security pack; a waiver asked for")
	h.say("  weeks 3-%d: ledger deployed to dev twice a week, to staging every other week; in week 4 a bucket whose", historyWeeks)
	h.say("          provisioner failed, fixed two hours later (a deployment marked --fix)")
	return nil
}

// failAndFix adds a bucket whose provisioner the object store refuses:
// the deployment fails; the fix, without the bucket, succeeds.
func (h *history) failAndFix(specs map[string]string) error {
	if _, err := h.admin.ApplyDefinitions(h.ctx, []paved.ResourceDefinition{{
		ID: "ledger-bucket", Type: "s3", Driver: "cmd", Description: "the object store's buckets, by the storage team's provisioner",
		Criteria: []paved.Criteria{{App: "ledger"}},
		Inputs:   map[string]any{"program": []any{"/bin/sh", "-c", "echo 'the object store refused the credentials of the ledger team' >&2; exit 3"}},
	}}); err != nil {
		return err
	}
	bucket := map[string]string{"score.yaml": specs["score.yaml"] + "  bucket:\n    type: s3\n"}
	if err := h.deploy(h.omar, "ledger", bucket, "b100000", 3*time.Hour, false, paved.DeploymentFailed); err != nil {
		return err
	}
	h.at(22, 13, 0)
	return h.deploy(h.omar, "ledger", specs, "b100001", 30*time.Minute, true, paved.DeploymentSucceeded)
}

// feedback from both teams, triaged into the roadmap, with votes.
func (h *history) feedback() error {
	h.at(3, 16, 0)
	f1, err := h.dev.GiveFeedback(h.ctx, "cloning a preview takes a minute; could it be faster?", "cli")
	if err != nil {
		return err
	}
	h.at(20, 12, 0)
	f2, err := h.omar.GiveFeedback(h.ctx, "the ledger needs the payment provider's keys from Vault", "cli")
	if err != nil {
		return err
	}
	h.at(38, 17, 0)
	if _, err := h.dev.GiveFeedback(h.ctx, "the rollback saved our Wednesday release", "portal"); err != nil {
		return err
	}
	h.at(21, 9, 0)
	for _, it := range []paved.RoadmapItem{{ID: "vault", Title: "Vault secrets as a resource type", Status: paved.RoadmapPlanned},
		{ID: "faster-previews", Title: "faster preview environments", Status: paved.RoadmapInProgress}} {
		if _, err := h.admin.PutRoadmapItem(h.ctx, &it); err != nil {
			return err
		}
	}
	if _, err := h.admin.Triage(h.ctx, f1.ID, "faster-previews"); err != nil {
		return err
	}
	if _, err := h.admin.Triage(h.ctx, f2.ID, "vault"); err != nil {
		return err
	}
	for _, v := range []struct {
		c    *api.Client
		item string
	}{{h.omar, "vault"}, {h.dev, "vault"}, {h.dev, "faster-previews"}} {
		if _, err := v.c.Vote(h.ctx, v.item); ignoreConflict(err) != nil {
			return err
		}
	}
	h.say("  feedback from dana and omar, triaged into the roadmap (Vault secrets planned, faster previews in progress), with votes")
	return nil
}
