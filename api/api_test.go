package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"paved.dev/paved"
)

// logBuffer collects the server's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type harness struct {
	fake   *fake
	server *Server
	srv    *httptest.Server
	logs   *logBuffer
	admin  *Client // alice, admin
	dev    *Client // bob, developer
}

var users = map[string]*paved.User{
	"admin-token": {Name: "alice", Role: paved.RoleAdmin, CreatedAt: t0},
	"dev-token":   {Name: "bob", Role: paved.RoleDeveloper, Teams: []string{"shop"}, CreatedAt: t0},
}

func authenticate(ctx context.Context, token string) (*paved.User, error) {
	if token == "store-down" {
		return nil, paved.Errorf(paved.EUNAVAILABLE, "the store is not reachable")
	}
	u, ok := users[token]
	if !ok {
		return nil, paved.Errorf(paved.EUNAUTHORIZED, "the token is not valid: unknown or expired token")
	}
	return u, nil
}

func newHarness(t testing.TB, mounts map[string]http.Handler) *harness {
	t.Helper()
	return newHarnessWith(t, mounts, false)
}

// newPushHarness is a harness whose event streams take the push path, as
// production's do: the fake is the service's EventFollower too.
func newPushHarness(t testing.TB) *harness {
	t.Helper()
	return newHarnessWith(t, nil, true)
}

func newHarnessWith(t testing.TB, mounts map[string]http.Handler, push bool) *harness {
	t.Helper()
	h := &harness{fake: newFake(), logs: &logBuffer{}}
	var events paved.EventFollower
	if push {
		events = h.fake
	}
	h.server = NewServer(Config{
		Services: Services{Teams: h.fake, Users: h.fake, Apps: h.fake, Environments: h.fake, Definitions: h.fake, Deployments: h.fake, Policies: h.fake, Prices: h.fake, Waivers: h.fake, Readiness: h.fake, Settings: h.fake, DORA: h.fake, Catalog: h.fake,
			Resources: h.fake, Audit: h.fake, Targets: h.fake, Events: events},
		Authenticate: authenticate,
		Logger:       slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Version:      "1.2.3",
		Mounts:       mounts,
		PollInterval: 10 * time.Millisecond,
	})
	h.srv = httptest.NewServer(h.server.Handler())
	t.Cleanup(func() {
		h.server.Close()
		h.srv.Close()
	})
	h.admin = NewClient(h.srv.URL, "admin-token")
	h.dev = NewClient(h.srv.URL, "dev-token")
	return h
}

// raw sends a request as curl would and returns status, headers and body.
func (h *harness) raw(t *testing.T, method, path, token, body string, header ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// errorOf decodes an error body.
func errorOf(t *testing.T, body string) errorBody {
	t.Helper()
	var er errorResponse
	if err := json.Unmarshal([]byte(body), &er); err != nil || er.Error.Code == "" {
		t.Fatalf("not an error body: %q", body)
	}
	return er.Error
}

// sameJSON compares values as they look on the wire.
func sameJSON(t *testing.T, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	var gv, wv any
	_ = json.Unmarshal(g, &gv)
	_ = json.Unmarshal(w, &wv)
	if !reflect.DeepEqual(gv, wv) {
		t.Errorf("got  %s\nwant %s", g, w)
	}
}

// TestRoundTrip calls every service method through the real client and
// server and checks both what the service was asked and what came back.
func TestRoundTrip(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	commit := t0.Add(-time.Hour)
	exp := t0.Add(48 * time.Hour)
	extended := t0.Add(24 * time.Hour)
	specs := map[string]string{"api.score.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: api\n"}

	tests := []struct {
		name     string
		call     func(c *Client) (any, error)
		wantCall string
		want     any
	}{
		{"CreateTeam", func(c *Client) (any, error) {
			team := &paved.Team{Name: "payments", Cohort: 2}
			return team, c.CreateTeam(ctx, team)
		}, "CreateTeam payments 2", paved.Team{Name: "payments", Cohort: 2, CreatedAt: t0}},
		{"ListTeams", func(c *Client) (any, error) { return c.ListTeams(ctx) }, "ListTeams",
			[]paved.Team{{Name: "shop", Cohort: 1, Pioneering: true, CreatedAt: t0}, {Name: "payments", Cohort: 2, CreatedAt: t0}}},
		{"CreateUser", func(c *Client) (any, error) {
			u := &paved.User{Name: "carol", Role: paved.RoleSecurity}
			return u, c.CreateUser(ctx, u)
		}, "CreateUser carol security []", paved.User{Name: "carol", Role: paved.RoleSecurity, CreatedAt: t0}},
		{"ListUsers", func(c *Client) (any, error) { return c.ListUsers(ctx) }, "ListUsers",
			[]paved.User{*users["admin-token"], *users["dev-token"], {Name: "carol", Role: paved.RoleSecurity, CreatedAt: t0}}},
		{"CreateToken", func(c *Client) (any, error) {
			tok, err := c.CreateToken(ctx, &paved.TokenRequest{User: "carol", Name: "ci"})
			if err != nil {
				return nil, err
			}
			return tok.Secret + " " + tok.ID + " " + tok.Name, nil
		}, "CreateToken carol alice", "tok-carol t1 ci"},
		{"ListTokens", func(c *Client) (any, error) { return c.ListTokens(ctx, "carol") }, "ListTokens carol",
			[]paved.Token{{ID: "t1", User: "carol", Name: "ci", CreatedAt: t0}}},
		{"RevokeTokens one", func(c *Client) (any, error) { return c.RevokeTokens(ctx, "carol", "t1") }, "RevokeTokens carol t1", 1},
		{"RevokeTokens all", func(c *Client) (any, error) { return c.RevokeTokens(ctx, "carol", "") }, "RevokeTokens carol ", 2},
		{"RotateToken", func(c *Client) (any, error) {
			tok, err := c.RotateToken(ctx, "carol", "t1")
			if err != nil {
				return nil, err
			}
			return tok.Secret + " " + tok.ID, nil
		}, "RotateToken carol t1", "pvd_rotated t1-rotated"},
		{"UpdateUser", func(c *Client) (any, error) {
			off := true
			return c.UpdateUser(ctx, "carol", paved.UserUpdate{Disabled: &off})
		}, "UpdateUser carol false true", paved.User{Name: "carol", Role: paved.RoleSecurity, Disabled: true, CreatedAt: t0}},
		{"WhoAmI", func(c *Client) (any, error) { return c.WhoAmI(ctx) }, "WhoAmI", users["admin-token"]},
		{"DeleteUser", func(c *Client) (any, error) { return nil, c.DeleteUser(ctx, "carol") }, "DeleteUser carol", nil},
		{"GetTeam", func(c *Client) (any, error) { return c.GetTeam(ctx, "shop") }, "GetTeam shop", paved.Team{Name: "shop", Cohort: 1, Pioneering: true, CreatedAt: t0}},
		{"UpdateTeam", func(c *Client) (any, error) {
			two := 2
			return c.UpdateTeam(ctx, "shop", paved.TeamUpdate{Cohort: &two})
		}, "UpdateTeam shop true false", paved.Team{Name: "shop", Cohort: 2, Pioneering: true, CreatedAt: t0}},

		{"CreateApp", func(c *Client) (any, error) {
			a := &paved.App{Name: "billing", Team: "payments"}
			return a, c.CreateApp(ctx, a)
		}, "CreateApp billing payments", paved.App{Name: "billing", Team: "payments", CreatedAt: t0}},
		{"GetApp", func(c *Client) (any, error) { return c.GetApp(ctx, "shop") }, "GetApp shop", paved.App{Name: "shop", Team: "shop", CreatedAt: t0}},
		{"ListApps", func(c *Client) (any, error) { return c.ListApps(ctx) }, "ListApps",
			[]paved.App{{Name: "billing", Team: "payments", CreatedAt: t0}, {Name: "shop", Team: "shop", CreatedAt: t0}}},
		{"CreateEnvironment", func(c *Client) (any, error) {
			return c.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "shop", Name: "pr-1", Type: "ephemeral", TTL: paved.Duration(48 * time.Hour), From: "dev"})
		}, "CreateEnvironment shop pr-1 ephemeral 48h0m0s dev",
			paved.Environment{App: "shop", Name: "pr-1", Type: "ephemeral", Target: "gitops", Namespace: "shop-pr-1", ExpiresAt: &exp, CreatedAt: t0}},
		{"GetEnvironment", func(c *Client) (any, error) { return c.GetEnvironment(ctx, "shop", "dev") }, "GetEnvironment shop dev",
			paved.Environment{App: "shop", Name: "dev", Type: "development", Target: "gitops", Namespace: "shop-dev", CreatedAt: t0}},
		{"ListEnvironments", func(c *Client) (any, error) { return c.ListEnvironments(ctx, "shop") }, "ListEnvironments shop",
			[]paved.Environment{
				{App: "shop", Name: "dev", Type: "development", Target: "gitops", Namespace: "shop-dev", CreatedAt: t0},
				{App: "shop", Name: "pr-1", Type: "ephemeral", Target: "gitops", Namespace: "shop-pr-1", ExpiresAt: &exp, CreatedAt: t0},
			}},
		{"ExtendEnvironment", func(c *Client) (any, error) {
			return c.ExtendEnvironment(ctx, "shop", "pr-1", paved.Duration(24*time.Hour))
		},
			"ExtendEnvironment shop pr-1 24h0m0s", paved.Environment{App: "shop", Name: "pr-1", Type: "ephemeral", Target: "gitops", Namespace: "shop-pr-1", ExpiresAt: &extended, CreatedAt: t0}},
		{"DeleteEnvironment", func(c *Client) (any, error) { return c.DeleteEnvironment(ctx, "shop", "pr-1", paved.DeleteOptions{}) }, "DeleteEnvironment shop pr-1 false",
			paved.EnvironmentDeletion{App: "shop", Env: "pr-1", Objects: 3}},
		{"DeleteEnvironment forced", func(c *Client) (any, error) {
			return c.DeleteEnvironment(ctx, "shop", "pr-2", paved.DeleteOptions{Force: true})
		}, "DeleteEnvironment shop pr-2 true",
			paved.EnvironmentDeletion{App: "shop", Env: "pr-2", Objects: 3, Forgotten: []string{"3 objects in namespace shop-pr-1 on target gone (unreachable)"}}},
		{"ResourceTypes", func(c *Client) (any, error) { return c.ResourceTypes(ctx, "shop", "dev") }, "ResourceTypes shop dev",
			[]paved.TypeInfo{{Type: "postgres", Definition: "postgres-dev", Driver: "postgres", Outputs: []paved.OutputSpec{{Name: "password", Secret: true}}}}},
		{"UpdateApp", func(c *Client) (any, error) {
			team := "payments"
			return c.UpdateApp(ctx, "billing", paved.AppUpdate{Team: &team})
		}, "UpdateApp billing payments", paved.App{Name: "billing", Team: "payments", CreatedAt: t0}},
		{"DeleteApp", func(c *Client) (any, error) { return c.DeleteApp(ctx, "billing", true) }, "DeleteApp billing true", paved.AppDeletion{App: "billing"}},
		{"DeleteTeam", func(c *Client) (any, error) { return nil, c.DeleteTeam(ctx, "payments") }, "DeleteTeam payments", nil},

		{"ApplyDefinitions", func(c *Client) (any, error) {
			return c.ApplyDefinitions(ctx, []paved.ResourceDefinition{{ID: "redis-dev", Type: "redis", Driver: "redis", Inputs: map[string]any{"host": "redis", "port": 6379.0}}})
		}, "ApplyDefinitions 1", []paved.ResourceDefinition{{ID: "redis-dev", Type: "redis", Driver: "redis", Inputs: map[string]any{"host": "redis", "port": 6379.0}, Version: 1}}},
		{"ListDefinitions", func(c *Client) (any, error) { return c.ListDefinitions(ctx) }, "ListDefinitions",
			[]paved.ResourceDefinition{
				{ID: "postgres-dev", Type: "postgres", Driver: "postgres", Version: 2, Criteria: []paved.Criteria{{EnvType: "development"}}},
				{ID: "redis-dev", Type: "redis", Driver: "redis", Inputs: map[string]any{"host": "redis", "port": 6379.0}, Version: 1},
			}},
		{"DefinitionHistory", func(c *Client) (any, error) { return c.DefinitionHistory(ctx, "postgres-dev") }, "DefinitionHistory postgres-dev",
			[]paved.ResourceDefinition{
				{ID: "postgres-dev", Type: "postgres", Driver: "postgres", Version: 1},
				{ID: "postgres-dev", Type: "postgres", Driver: "postgres", Version: 2, Criteria: []paved.Criteria{{EnvType: "development"}}},
			}},
		{"DeleteDefinition", func(c *Client) (any, error) { return c.DeleteDefinition(ctx, "redis-dev") }, "DeleteDefinition redis-dev",
			paved.ResourceDefinition{ID: "redis-dev", Type: "redis", Driver: "redis", Inputs: map[string]any{"host": "redis", "port": 6379.0}, Version: 2, Deleted: true}},

		{"Plan", func(c *Client) (any, error) {
			return c.Plan(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs, CommitSHA: "abc123"})
		}, "Plan shop dev 1 abc123", paved.Plan{App: "shop", Env: "dev", Base: "d1",
			Objects: []paved.PlannedObject{{Ref: paved.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop-dev", Name: "api"},
				Action: paved.PlanUpdate, Diff: "-image: a\n+image: b\n"}},
			Resources: []paved.PlannedResource{{UID: "redis.default#api.cache", Action: paved.PlanCreate,
				Definition: paved.DefinitionRef{ID: "redis", Driver: "template"}}}}},
		{"Deploy", func(c *Client) (any, error) {
			return c.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs, CommitSHA: "abc123", CommitTime: &commit})
		}, "Deploy shop dev 1 abc123", paved.Deployment{ID: "d2", App: "shop", Env: "dev", Author: "alice", CommitSHA: "abc123", CommitTime: &commit,
			Specs: specs, Status: paved.DeploymentQueued, CreatedAt: t0}},
		{"GetDeployment", func(c *Client) (any, error) { return c.GetDeployment(ctx, "d1") }, "GetDeployment d1",
			paved.Deployment{ID: "d1", App: "shop", Env: "dev", Author: "alice", Status: paved.DeploymentSucceeded,
				Specs: map[string]string{"score.yaml": "apiVersion: score.dev/v1b1\n"}, CreatedAt: t0}},
		{"ListDeployments", func(c *Client) (any, error) {
			ds, err := c.ListDeployments(ctx, paved.DeploymentFilter{App: "shop", Env: "dev", Limit: 5, Statuses: []paved.DeploymentStatus{paved.DeploymentQueued, paved.DeploymentSucceeded}})
			ids := []string{}
			for _, d := range ds {
				ids = append(ids, d.ID)
			}
			return ids, err
		}, "ListDeployments shop dev 5 [queued succeeded]", []string{"d1", "d2"}},
		{"ListDeployments across apps, no limit", func(c *Client) (any, error) {
			ds, err := c.ListDeployments(ctx, paved.DeploymentFilter{})
			return len(ds), err
		}, "ListDeployments   0 []", 2},
		{"Events", func(c *Client) (any, error) { return c.Events(ctx, "d1", 1) }, "Events d1 1",
			[]paved.Event{{Seq: 2, Time: t0, Level: "info", Message: "applied"}, {Seq: 3, Time: t0, Level: "info", Message: "ready"}}},
		{"Rollback", func(c *Client) (any, error) { return c.Rollback(ctx, "d1") }, "Rollback d1",
			paved.Deployment{ID: "r-d1", App: "shop", Env: "dev", Author: "alice", Specs: map[string]string{"score.yaml": "apiVersion: score.dev/v1b1\n"},
				Kind: paved.KindRollback, Source: "d1", Status: paved.DeploymentQueued, CreatedAt: t0}},
		{"RollbackEnvironment", func(c *Client) (any, error) { return c.RollbackEnvironment(ctx, "shop", "dev") }, "RollbackEnvironment shop dev",
			paved.Deployment{ID: "r-d1", App: "shop", Env: "dev", Author: "alice", Kind: paved.KindRollback, Source: "d1", Status: paved.DeploymentQueued, CreatedAt: t0}},
		{"Promote", func(c *Client) (any, error) { return c.Promote(ctx, "shop", "dev", "staging") }, "Promote shop dev staging",
			paved.Deployment{ID: "p1", App: "shop", Env: "staging", Author: "alice", Status: paved.DeploymentQueued, CreatedAt: t0}},

		{"ListResources", func(c *Client) (any, error) { return c.ListResources(ctx, "shop", "dev") }, "ListResources shop dev", h.fake.resources},
		{"Outputs redacted", func(c *Client) (any, error) { return c.Outputs(ctx, "shop", "dev", "postgres.default#api.db", false) },
			"Outputs shop dev postgres.default#api.db false", map[string]any{"host": "pg", "port": 5432, "password": paved.Redacted}},
		{"PruneResources", func(c *Client) (any, error) {
			return c.PruneResources(ctx, "shop", "dev", paved.PruneOptions{IncludeData: true})
		}, "PruneResources shop dev {true false []}", &paved.PruneResult{App: "shop", Env: "dev", Pruned: []paved.PrunedResource{}}},
		{"Outputs revealed", func(c *Client) (any, error) { return c.Outputs(ctx, "shop", "dev", "postgres.default#api.db", true) },
			"Outputs shop dev postgres.default#api.db true", map[string]any{"host": "pg", "port": 5432, "password": "s3cret"}},
		{"Outputs of a uid with a slash and a space", func(c *Client) (any, error) { return c.Outputs(ctx, "shop", "dev", "dns.default#shared/a b", false) },
			"Outputs shop dev dns.default#shared/a b false", map[string]any{"host": "pg", "port": 5432, "password": paved.Redacted}},
		{"ListAudit", func(c *Client) (any, error) { return c.ListAudit(ctx, paved.AuditFilter{Limit: 7, Actor: "alice"}) }, "ListAudit 7 alice", h.fake.audit},

		{"RegisterTarget", func(c *Client) (any, error) {
			return c.RegisterTarget(ctx, &paved.TargetInfo{Name: "prod-eu", Type: paved.TargetKubernetes, Kubeconfig: "apiVersion: v1\nkind: Config\n", Context: "eu"})
		}, "RegisterTarget prod-eu kubernetes 28 eu false",
			paved.TargetInfo{Name: "prod-eu", Type: paved.TargetKubernetes, Context: "eu", Server: "https://10.0.0.1:6443", CreatedAt: t0}},
		{"RegisterTarget in the cluster", func(c *Client) (any, error) {
			return c.RegisterTarget(ctx, &paved.TargetInfo{Name: "here", InCluster: true})
		}, "RegisterTarget here  0  true", paved.TargetInfo{Name: "here", InCluster: true, Server: "https://10.0.0.1:6443", CreatedAt: t0}},
		{"ListTargets", func(c *Client) (any, error) { return c.ListTargets(ctx) }, "ListTargets",
			[]paved.TargetInfo{
				{Name: "gitops", Type: paved.TargetGitOps},
				{Name: "here", InCluster: true, Server: "https://10.0.0.1:6443", CreatedAt: t0},
				{Name: "prod-eu", Type: paved.TargetKubernetes, Context: "eu", Server: "https://10.0.0.1:6443", CreatedAt: t0},
			}},
		{"ProbeTarget", func(c *Client) (any, error) { return c.ProbeTarget(ctx, "gitops") }, "ProbeTarget gitops",
			paved.ProbeResult{Name: "gitops", Kind: "target", Status: paved.ProbeOK, Message: "reachable", CheckedAt: t0}},
		{"EnvironmentStatus", func(c *Client) (any, error) { return c.EnvironmentStatus(ctx, "shop", "dev") }, "EnvironmentStatus shop dev", h.fake.status["shop/dev"]},
		{"RemoveTarget", func(c *Client) (any, error) { return nil, c.RemoveTarget(ctx, "here") }, "RemoveTarget here", nil},
		{"ProbeDefinitions", func(c *Client) (any, error) { return c.ProbeDefinitions(ctx, []string{"postgres-dev", "redis-dev"}) },
			"ProbeDefinitions [postgres-dev redis-dev]", []paved.ProbeResult{
				{Name: "postgres-dev", Kind: "definition", Status: paved.ProbeFailed, Message: "connect to pg:5432: connection refused", CheckedAt: t0},
				{Name: "redis-dev", Kind: "definition", Status: paved.ProbeOK, Message: "connected", CheckedAt: t0},
			}},
		{"ApplyPolicies", func(c *Client) (any, error) {
			return c.ApplyPolicies(ctx, []paved.Policy{{ID: "pii", Owner: paved.RoleData, Kind: paved.PolicyDeployment, Module: "package paved.pii\n"}})
		}, "ApplyPolicies 1", []paved.Policy{{ID: "pii", Owner: paved.RoleData, Kind: paved.PolicyDeployment, Module: "package paved.pii\n", Version: 1}}},
		{"ListPolicies", func(c *Client) (any, error) { return c.ListPolicies(ctx) }, "ListPolicies",
			[]paved.Policy{{ID: "security", Owner: paved.RoleSecurity, Kind: paved.PolicyDeployment, Module: "package paved.security\n"}}},
		{"PolicyHistory", func(c *Client) (any, error) { return c.PolicyHistory(ctx, "k8s") }, "PolicyHistory k8s",
			[]paved.Policy{{ID: "k8s", Owner: paved.RoleData, Kind: paved.PolicyConftest, Module: "package main\n", Version: 1}}},
		{"ApplyPrices", func(c *Client) (any, error) {
			return c.ApplyPrices(ctx, &paved.PriceList{Currency: "USD", VCPUHour: 0.05})
		}, "ApplyPrices USD",
			paved.PriceList{Currency: "USD", VCPUHour: 0.05, Version: 1}},
		{"CostReport", func(c *Client) (any, error) { return c.CostReport(ctx, paved.CostFilter{Team: "pioneers"}) }, "CostReport pioneers  ",
			paved.CostReport{Currency: "USD", Monthly: 12.5, Estimate: true, Environments: []paved.EnvCost{{Team: "pioneers", App: "shop", Env: "dev", Monthly: 12.5}}, Teams: []paved.TeamCost{}}},
		{"RequestWaiver", func(c *Client) (any, error) {
			return c.RequestWaiver(ctx, &paved.WaiverRequest{Rule: "security/sec-limits", App: "shop", Env: "dev", Reason: "load test", TTL: paved.Duration(time.Hour)})
		}, "RequestWaiver security/sec-limits shop dev", paved.Waiver{ID: "w-1", Rule: "security/sec-limits", App: "shop", Env: "dev", Reason: "load test",
			Status: paved.WaiverRequested, RequestedBy: "alice", RequestedAt: waiverAt, Owner: paved.RoleSecurity, ExpiresAt: waiverAt}},
		{"DecideWaiver", func(c *Client) (any, error) { return c.DecideWaiver(ctx, "w-1", true) }, "DecideWaiver w-1 true",
			paved.Waiver{ID: "w-1", Status: paved.WaiverApproved, RequestedAt: waiverAt, ExpiresAt: waiverAt}},
		{"ListWaivers", func(c *Client) (any, error) {
			return c.ListWaivers(ctx, paved.WaiverFilter{App: "shop", Status: paved.WaiverApproved})
		}, "ListWaivers shop  approved",
			[]paved.Waiver{{ID: "w-1", App: "shop", RequestedAt: waiverAt, ExpiresAt: waiverAt}}},
		{"Readiness", func(c *Client) (any, error) { return c.Readiness(ctx, "shop") }, "Readiness shop",
			paved.Readiness{App: "shop", Items: []paved.ReadinessItem{{ID: "rollback", Title: "a rollback exercised", Why: "roll back once"}}, SignOffs: []paved.SignOff{}}},
		{"SignOff", func(c *Client) (any, error) { return c.SignOff(ctx, "shop") }, "SignOff shop",
			paved.SignOff{App: "shop", Role: paved.RoleSecurity, By: "alice", At: waiverAt, Valid: true}},
		{"MVPMode", func(c *Client) (any, error) { return c.MVPMode(ctx) }, "MVPMode", true},
		{"Catalog", func(c *Client) (any, error) { return c.Catalog(ctx) }, "Catalog", []paved.CatalogEntity{{APIVersion: "backstage.io/v1alpha1", Kind: "Group",
			Metadata: paved.CatalogMetadata{Name: "pioneers"}, Spec: map[string]any{"type": "team", "children": []any{}}}}},
		{"DORA", func(c *Client) (any, error) {
			return c.DORA(ctx, paved.DORARequest{App: "shop", Window: 28 * 24 * time.Hour})
		}, "DORA shop  672h0m0s false", func() paved.DORAReport {
			r := paved.NewDORAReport(paved.DORAFigures{Deployments: 4, Succeeded: 3, Failed: 1, FailedChanges: 1}, 28*24*time.Hour)
			r.Scope, r.App, r.EnvType = "app", "shop", paved.EnvStaging
			return r
		}()},
		{"DORA, weekly", func(c *Client) (any, error) {
			return c.DORA(ctx, paved.DORARequest{Team: "pioneers", Window: 7 * 24 * time.Hour, Weekly: true})
		}, "DORA  pioneers 168h0m0s true", func() paved.DORAReport {
			r := paved.NewDORAReport(paved.DORAFigures{Deployments: 4, Succeeded: 3, Failed: 1, FailedChanges: 1}, 7*24*time.Hour)
			r.Scope, r.EnvType, r.Weeks = "app", paved.EnvStaging, fakeWeeks
			return r
		}()},
		{"SetMVPMode", func(c *Client) (any, error) { return nil, c.SetMVPMode(ctx, false) }, "SetMVPMode false", nil},
		{"GetPrices", func(c *Client) (any, error) { return c.GetPrices(ctx) }, "GetPrices", paved.PriceList{Currency: "EUR", VCPUHour: 0.04, Version: 2}},
		{"ProbeDefinitions, all of them", func(c *Client) (any, error) {
			hs, err := c.ProbeDefinitions(ctx, nil)
			return len(hs), err
		}, "ProbeDefinitions []", 2},
	}
	// Every method of every service interface has a case above.
	for _, iface := range []reflect.Type{
		reflect.TypeFor[paved.TeamService](), reflect.TypeFor[paved.UserService](), reflect.TypeFor[paved.AppService](),
		reflect.TypeFor[paved.EnvironmentService](), reflect.TypeFor[paved.DefinitionService](),
		reflect.TypeFor[paved.DeploymentService](), reflect.TypeFor[paved.ResourceService](), reflect.TypeFor[paved.AuditService](),
		reflect.TypeFor[paved.TargetService](), reflect.TypeFor[paved.PolicyService](), reflect.TypeFor[paved.PriceService](), reflect.TypeFor[paved.WaiverService](), reflect.TypeFor[paved.ReadinessService](), reflect.TypeFor[paved.SettingsService](),
		reflect.TypeFor[paved.DORAService](), reflect.TypeFor[paved.CatalogService](),
	} {
		for m := range iface.Methods() {
			if !slices.ContainsFunc(tests, func(tt struct {
				name     string
				call     func(c *Client) (any, error)
				wantCall string
				want     any
			}) bool {
				return strings.HasPrefix(tt.wantCall, m.Name+" ") || tt.wantCall == m.Name
			}) {
				t.Errorf("%s.%s has no round-trip case", iface.Name(), m.Name)
			}
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.call(h.admin)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if call := h.fake.lastCall(); call != tt.wantCall {
				t.Errorf("service called with %q, want %q", call, tt.wantCall)
			}
			sameJSON(t, got, tt.want)
		})
	}
}

func TestHealth(t *testing.T) {
	h := newHarness(t, nil)
	got, err := NewClient(h.srv.URL, "").Health(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := (&ServerStatus{Status: "ok", Version: "1.2.3"}); *got != *want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestAuth(t *testing.T) {
	h := newHarness(t, nil)
	tests := []struct {
		name, method, path, header, body string
		wantStatus                       int
		wantMessage                      string
	}{
		{"no token", "GET", "/api/apps", "", "", 401, "no bearer token: log in with paved login"},
		{"unknown token", "GET", "/api/apps", "Bearer nope", "", 401, "the token is not valid: unknown or expired token"},
		{"not a bearer token", "GET", "/api/apps", "Basic YWxpY2U6cHc=", "", 401, `no bearer token: the Authorization header must be "Bearer <token>"; log in with paved login`},
		{"empty bearer token", "GET", "/api/whoami", "Bearer ", "", 401, `no bearer token: the Authorization header must be "Bearer <token>"; log in with paved login`},
		{"store down while authenticating", "GET", "/api/apps", "Bearer store-down", "", 503, "authenticate: the store is not reachable"},
		{"forbidden by the service", "PUT", "/api/definitions", "Bearer dev-token", `{"items":[]}`, 403, "only admins change resource definitions"},
		{"health needs no token", "GET", "/api/healthz", "", "", 200, ""},
		{"openapi needs no token", "GET", "/api/openapi.json", "", "", 200, ""},
		{"lowercase scheme", "GET", "/api/whoami", "bearer dev-token", "", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hdr []string
			if tt.header != "" {
				hdr = []string{"Authorization", tt.header}
			}
			status, header, body := h.raw(t, tt.method, tt.path, "", tt.body, hdr...)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", status, tt.wantStatus, body)
			}
			if tt.wantMessage == "" {
				return
			}
			if got := errorOf(t, body).Message; got != tt.wantMessage {
				t.Errorf("message %q, want %q", got, tt.wantMessage)
			}
			if status == 401 && header.Get("WWW-Authenticate") == "" {
				t.Error("a 401 without WWW-Authenticate")
			}
		})
	}

	t.Run("client sees the codes", func(t *testing.T) {
		ctx := context.Background()
		for _, tc := range []struct {
			c    *Client
			want string
		}{
			{NewClient(h.srv.URL, ""), paved.EUNAUTHORIZED},
			{NewClient(h.srv.URL, "wrong"), paved.EUNAUTHORIZED},
			{h.dev, paved.EFORBIDDEN},
			{h.admin, ""},
		} {
			_, err := tc.c.ApplyDefinitions(ctx, nil)
			if got := paved.ErrorCode(err); got != tc.want {
				t.Errorf("token %q: code %q, want %q (%v)", tc.c.token, got, tc.want, err)
			}
		}
	})

	t.Run("the actor reaches the service", func(t *testing.T) {
		u, err := h.dev.WhoAmI(context.Background())
		if err != nil || u.Name != "bob" {
			t.Fatalf("WhoAmI = %+v, %v", u, err)
		}
	})

	t.Run("no Authenticate refuses every token", func(t *testing.T) {
		srv := httptest.NewServer(NewServer(Config{Services: Services{Apps: newFake()}}).Handler())
		defer srv.Close()
		_, err := NewClient(srv.URL, "admin-token").ListApps(context.Background())
		if got := paved.ErrorCode(err); got != paved.EUNAUTHORIZED {
			t.Errorf("code %q, want unauthorized (%v)", got, err)
		}
	})
}

// TestErrorCodes checks that every code and message survives the trip
// server → client, and that anything else is "internal error", logged.
func TestErrorCodes(t *testing.T) {
	h := newHarness(t, nil)
	tests := []struct {
		name        string
		err         error
		wantStatus  int
		wantCode    string
		wantMessage string
	}{
		{"invalid", paved.Errorf(paved.EINVALID, "name: must be lowercase"), 400, paved.EINVALID, "name: must be lowercase"},
		{"unauthorized", paved.Errorf(paved.EUNAUTHORIZED, "token expired"), 401, paved.EUNAUTHORIZED, "token expired"},
		{"forbidden", paved.Errorf(paved.EFORBIDDEN, "bob may not read app shop"), 403, paved.EFORBIDDEN, "bob may not read app shop"},
		{"not found", paved.Errorf(paved.ENOTFOUND, "app %q not found", "nope"), 404, paved.ENOTFOUND, `app "nope" not found`},
		{"conflict", paved.Errorf(paved.ECONFLICT, "app exists"), 409, paved.ECONFLICT, "app exists"},
		{"unavailable", paved.Errorf(paved.EUNAVAILABLE, "the cluster is not reachable"), 503, paved.EUNAVAILABLE, "the cluster is not reachable"},
		{"wrapped", fmt.Errorf("get app: %w", paved.Errorf(paved.ENOTFOUND, "app nope not found")), 404, paved.ENOTFOUND, "get app: app nope not found"},
		{"internal with a message", paved.Errorf(paved.EINTERNAL, "the SQL said: secret detail 1"), 500, paved.EINTERNAL, "internal error"},
		{"plain error", errors.New("disk on fire: secret detail 2"), 500, paved.EINTERNAL, "internal error"},
		{"unknown code", &paved.Error{Code: "teapot", Message: "secret detail 3"}, 500, paved.EINTERNAL, "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.fake.setFail("GetApp", tt.err)
			status, _, body := h.raw(t, "GET", "/api/apps/shop", "admin-token", "")
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d", status, tt.wantStatus)
			}
			_, err := h.admin.GetApp(context.Background(), "shop")
			var perr *paved.Error
			if !errors.As(err, &perr) {
				t.Fatalf("client error %T %v, want *paved.Error", err, err)
			}
			if perr.Code != tt.wantCode || perr.Message != tt.wantMessage {
				t.Errorf("client got %q %q, want %q %q", perr.Code, perr.Message, tt.wantCode, tt.wantMessage)
			}
			if strings.Contains(body, "secret detail") {
				t.Errorf("an internal detail reached the client: %s", body)
			}
			if tt.wantCode == paved.EINTERNAL {
				detail := tt.err.Error()
				if !strings.Contains(h.logs.String(), detail) {
					t.Errorf("internal error %q not logged:\n%s", detail, h.logs)
				}
			}
		})
	}
}

func TestBodies(t *testing.T) {
	h := newHarness(t, nil)
	big := `{"specs":{"a":"` + strings.Repeat("x", 9<<20) + `"}}`
	bigTeam := `{"name":"` + strings.Repeat("x", 2<<20) + `"}`
	bigTarget := `{"name":"big","kubeconfig":"` + strings.Repeat("x", 2<<20) + `"}`
	tests := []struct {
		name, method, path, body string
		wantStatus               int
		wantMessage              string
	}{
		{"unknown field", "POST", "/api/apps/shop/envs/dev/deployments", `{"specz":{}}`, 400, `body: unknown field "specz"`},
		{"unknown nested field", "PUT", "/api/definitions", `{"items":[{"id":"a","criteria":[{"envtype":"x"}]}]}`, 400, `body: unknown field "envtype"`},
		{"wrong type", "POST", "/api/teams", `{"name":5}`, 400, "body: name: want string, got number"},
		{"not an object", "POST", "/api/teams", `[1]`, 400, "body: want a JSON object, got array"},
		{"number out of range", "POST", "/api/teams", `{"name":"x","cohort":1e309}`, 400, "body: cohort: 1e309 is out of range for the field (int): send a smaller number, or a whole one"},
		{"fraction for a whole number", "POST", "/api/teams", `{"name":"x","cohort":1.5}`, 400, "body: cohort: 1.5 is out of range for the field (int): send a smaller number, or a whole one"},
		{"bad JSON", "POST", "/api/teams", `{"name":}`, 400, "body: not valid JSON at byte 9: invalid character '}' looking for beginning of value"},
		{"truncated", "POST", "/api/teams", `{"name":"x"`, 400, "body: the JSON ends too early"},
		{"empty", "POST", "/api/apps", ``, 400, "body: empty; send a JSON object"},
		{"two objects", "POST", "/api/apps", `{"name":"a"} {"name":"b"}`, 400, "body: unexpected data after the JSON object"},
		{"bad duration", "POST", "/api/apps/shop/envs", `{"name":"pr-2","ttl":"two days"}`, 400, `body: time: invalid duration "two days"`},
		{"app contradicts the path", "POST", "/api/apps/shop/envs", `{"app":"other","name":"x"}`, 400, `body: app: "other" does not match "shop" in the path`},
		{"env contradicts the path", "POST", "/api/apps/shop/envs/dev/plan", `{"env":"prod","specs":{}}`, 400, `body: env: "prod" does not match "dev" in the path`},
		{"promote without to", "POST", "/api/apps/shop/envs/dev/promote", `{}`, 400, "body: to: required: the environment to promote to"},
		{"deployment too large", "POST", "/api/apps/shop/envs/dev/deployments", big, 413, "body: larger than the limit of 8 MiB"},
		{"team too large", "POST", "/api/teams", bigTeam, 413, "body: larger than the limit of 1 MiB"},
		{"bad limit", "GET", "/api/audit?limit=ten", "", 400, `limit: want a whole number ≥ 0, got "ten"`},
		{"negative limit", "GET", "/api/apps/shop/deployments?limit=-1", "", 400, `limit: want a whole number ≥ 0, got "-1"`},
		{"unknown status", "GET", "/api/deployments?status=running,paused", "", 400, `status: "paused" is not one of queued, running, succeeded, failed`},
		{"bad after", "GET", "/api/deployments/d1/events?after=x", "", 400, `after: want a whole number ≥ 0, got "x"`},
		{"bad reveal", "GET", "/api/apps/shop/envs/dev/resources/x/outputs?reveal=maybe", "", 400, `reveal: want true or false, got "maybe"`},
		{"target too large", "POST", "/api/targets", bigTarget, 413, "body: larger than the limit of 2 MiB"},
		{"check ids not a list", "POST", "/api/definitions/probe", `{"ids":"a"}`, 400, "body: ids: want array, got string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := h.fake.lastCall()
			status, _, body := h.raw(t, tt.method, tt.path, "admin-token", tt.body)
			if status != tt.wantStatus {
				t.Errorf("status %d, want %d", status, tt.wantStatus)
			}
			e := errorOf(t, body)
			if e.Code != paved.EINVALID || e.Message != tt.wantMessage {
				t.Errorf("got %s %q, want invalid %q", e.Code, e.Message, tt.wantMessage)
			}
			if after := h.fake.lastCall(); after != before {
				t.Errorf("the service was called (%q) with a bad request", after)
			}
		})
	}
	t.Run("a 1 MiB kubeconfig is fine", func(t *testing.T) {
		// Every line escaped: the JSON body is larger than the file.
		kc := strings.Repeat("  certificate-authority-data: \"LS0t\"\n", (1<<20)/37)
		if _, err := h.admin.RegisterTarget(context.Background(), &paved.TargetInfo{Name: "big", Kubeconfig: kc}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a 6 MiB deployment is fine", func(t *testing.T) {
		specs := map[string]string{"big.score.yaml": strings.Repeat("#", 6<<20)}
		if _, err := h.admin.Deploy(context.Background(), &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRoutes(t *testing.T) {
	mounts := map[string]http.Handler{
		"/": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "portal") }),
		"GET /metrics": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "paved_up 1\n")
		}),
	}
	h := newHarness(t, mounts)
	tests := []struct {
		name, method, path string
		wantStatus         int
		wantBody           string
		wantAllow          string
	}{
		{"portal", "GET", "/apps/shop", 200, "portal", ""},
		{"metrics", "GET", "/metrics", 200, "paved_up 1\n", ""},
		{"unknown API path", "GET", "/api/nope", 404, `"message":"no API route GET /api/nope: see /api/openapi.json"`, ""},
		{"unknown API method", "DELETE", "/api/teams", 405, `"message":"DELETE /api/teams: method not allowed; use GET or POST"`, "GET, POST"},
		{"method of a pattern route", "PUT", "/api/apps/shop/envs/dev", 405, `"code":"invalid"`, "GET, DELETE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, header, body := h.raw(t, tt.method, tt.path, "admin-token", "")
			if status != tt.wantStatus || !strings.Contains(body, tt.wantBody) {
				t.Errorf("got %d %q, want %d containing %q", status, body, tt.wantStatus, tt.wantBody)
			}
			if got := header.Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow %q, want %q", got, tt.wantAllow)
			}
		})
	}
}

func TestPanic(t *testing.T) {
	h := newHarness(t, nil)
	h.fake.panicOn = "ListAudit"
	status, _, body := h.raw(t, "GET", "/api/audit", "admin-token", "")
	if status != 500 {
		t.Errorf("status %d, want 500", status)
	}
	if e := errorOf(t, body); e.Code != paved.EINTERNAL || e.Message != "internal error" {
		t.Errorf("got %+v", e)
	}
	logs := h.logs.String()
	for _, want := range []string{"msg=panic", "the fake panics in ListAudit", "path=/api/audit status=500"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	// The server goes on serving.
	h.fake.panicOn = ""
	if _, err := h.admin.ListAudit(context.Background(), paved.AuditFilter{}); err != nil {
		t.Error(err)
	}
}

// TestPanicAfterWriting checks that a response cut short by a panic is
// aborted rather than ended as if it were complete.
func TestPanicAfterWriting(t *testing.T) {
	h := newHarness(t, map[string]http.Handler{"GET /boom": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"items":[`)
		http.NewResponseController(w).Flush()
		panic("half way")
	})})
	resp, err := http.Get(h.srv.URL + "/boom")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Error("the cut response read as complete")
	}
	logs := h.logs.String()
	for _, want := range []string{"half way", "path=/boom status=200"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

func TestRequestLog(t *testing.T) {
	h := newHarness(t, nil)
	status, _, _ := h.raw(t, "POST", "/api/teams", "admin-token", `{"name":"supersecret-team"}`)
	if status != 201 {
		t.Fatalf("status %d", status)
	}
	h.raw(t, "GET", "/api/apps", "not-a-valid-token-xyz", "")
	logs := h.logs.String()
	for _, want := range []string{"msg=request method=POST path=/api/teams status=201 duration=", "actor=alice", "path=/api/apps status=401"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	for _, never := range []string{"admin-token", "not-a-valid-token-xyz", "supersecret", "Authorization", "Bearer"} {
		if strings.Contains(logs, never) {
			t.Errorf("log shows %q:\n%s", never, logs)
		}
	}
}

// TestKubeconfigStaysIn checks that a registered kubeconfig reaches the
// service and never comes back out: not in answers, not in the log.
func TestKubeconfigStaysIn(t *testing.T) {
	h := newHarness(t, nil)
	const secret = "client-key-data: c3VwZXJzZWNyZXQta3ViZWNvbmZpZw=="
	body := `{"name":"prod","type":"kubernetes","kubeconfig":"apiVersion: v1\n` + secret + `\n","context":"prod"}`
	status, _, out := h.raw(t, "POST", "/api/targets", "admin-token", body)
	if status != 201 {
		t.Fatalf("status %d: %s", status, out)
	}
	if got, want := h.fake.lastCall(), "RegisterTarget prod kubernetes 65 prod false"; got != want {
		t.Errorf("service called with %q, want %q", got, want)
	}
	_, _, list := h.raw(t, "GET", "/api/targets", "admin-token", "")
	h.fake.setFail("RegisterTarget", paved.Errorf(paved.EINVALID, "kubeconfig: no context prod"))
	h.raw(t, "POST", "/api/targets", "admin-token", body)
	h.fake.setFail("RegisterTarget", errors.New("internal"))
	h.raw(t, "POST", "/api/targets", "admin-token", body)
	for what, s := range map[string]string{"the answer": out, "the list": list, "the log": h.logs.String()} {
		if strings.Contains(s, "kubeconfig") || strings.Contains(s, "c3VwZXJzZWNyZXQta3ViZWNvbmZpZw") {
			t.Errorf("%s shows the kubeconfig:\n%s", what, s)
		}
	}
	if !strings.Contains(list, `"name":"prod"`) {
		t.Errorf("the list lacks the target: %s", list)
	}
}

func TestClientErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("server not running", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		_, err := NewClient(url, "t").ListApps(ctx)
		if got := paved.ErrorCode(err); got != paved.EUNAVAILABLE {
			t.Errorf("code %q, want unavailable", got)
		}
		if want := "cannot reach the paved server at " + url + ": "; !strings.HasPrefix(paved.ErrorMessage(err), want) {
			t.Errorf("message %q, want it to start with %q", paved.ErrorMessage(err), want)
		}
	})
	t.Run("a proxy's answer", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
		}))
		defer srv.Close()
		_, err := NewClient(srv.URL, "t").ListApps(ctx)
		if got, want := paved.ErrorMessage(err), "the paved server at "+srv.URL+" answered 502 Bad Gateway: <html>bad gateway</html>"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
		if got := paved.ErrorCode(err); got != paved.EUNAVAILABLE {
			t.Errorf("code %q, want unavailable", got)
		}
	})
	t.Run("not JSON", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>") }))
		defer srv.Close()
		_, err := NewClient(srv.URL, "t").ListApps(ctx)
		if got := paved.ErrorCode(err); got != paved.EUNAVAILABLE {
			t.Errorf("code %q, want unavailable (%v)", got, err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
		defer srv.Close()
		_, err := NewClient(srv.URL, "t", WithTimeout(50*time.Millisecond)).ListApps(ctx)
		if got := paved.ErrorCode(err); got != paved.EUNAVAILABLE {
			t.Errorf("code %q, want unavailable (%v)", got, err)
		}
	})
	t.Run("cancelled by the caller", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
		defer srv.Close()
		ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		go func() { time.Sleep(10 * time.Millisecond); cancel() }()
		_, err := NewClient(srv.URL, "t").ListApps(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	})
	t.Run("empty names", func(t *testing.T) {
		c := NewClient("http://127.0.0.1:1", "t")
		for _, tc := range []struct {
			err  error
			want string
		}{
			{func() error { _, err := c.GetApp(ctx, ""); return err }(), "app: required"},
			{func() error { _, err := c.GetEnvironment(ctx, "shop", ""); return err }(), "environment: required"},
			{func() error { _, err := c.Outputs(ctx, "shop", "dev", "", false); return err }(), "resource uid: required"},
			{func() error { _, err := c.Rollback(ctx, ""); return err }(), "deployment id: required"},
			{func() error { _, err := c.ProbeTarget(ctx, ""); return err }(), "target: required"},
			{func() error { _, err := c.EnvironmentStatus(ctx, "shop", ""); return err }(), "environment: required"},
		} {
			if paved.ErrorCode(tc.err) != paved.EINVALID || paved.ErrorMessage(tc.err) != tc.want {
				t.Errorf("got %v, want invalid %q", tc.err, tc.want)
			}
		}
	})
}

func TestMissingService(t *testing.T) {
	srv := httptest.NewServer(NewServer(Config{Authenticate: authenticate}).Handler())
	defer srv.Close()
	_, err := NewClient(srv.URL, "admin-token").ListAudit(context.Background(), paved.AuditFilter{})
	if paved.ErrorCode(err) != paved.EUNAVAILABLE || paved.ErrorMessage(err) != "this server does not serve the audit log" {
		t.Errorf("got %v", err)
	}
	_, err = NewClient(srv.URL, "admin-token").ListTargets(context.Background())
	if paved.ErrorCode(err) != paved.EUNAVAILABLE || paved.ErrorMessage(err) != "this server does not serve targets" {
		t.Errorf("got %v", err)
	}
	_, err = NewClient(srv.URL, "admin-token").ProbeDefinitions(context.Background(), nil)
	if paved.ErrorCode(err) != paved.EUNAVAILABLE || paved.ErrorMessage(err) != "this server does not serve resource definitions" {
		t.Errorf("got %v", err)
	}
}

// TestOptionalBodies: the operations whose body may be empty take an empty
// body however it is framed, chunked too (its length unknown), and decode
// one that is there.
func TestOptionalBodies(t *testing.T) {
	h := newHarness(t, nil)
	// send writes a request by hand, so that the framing is exactly this.
	send := func(t *testing.T, path, framing, body string) (int, string) {
		t.Helper()
		conn, err := net.Dial("tcp", h.srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var payload string
		switch framing {
		case "chunked":
			if body != "" {
				payload = fmt.Sprintf("%x\r\n%s\r\n", len(body), body)
			}
			payload += "0\r\n\r\n"
			framing = "Transfer-Encoding: chunked"
		case "length":
			payload = body
			framing = fmt.Sprintf("Content-Length: %d", len(body))
		case "none":
			framing = "X-Framing: none"
		}
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: paved\r\nAuthorization: Bearer admin-token\r\nContent-Type: application/json\r\nConnection: close\r\n%s\r\n\r\n%s",
			path, framing, payload)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tests := []struct {
		name, path, framing, body string
		wantStatus                int
		wantCall                  string
	}{
		{"token, chunked empty body", "/api/users/bob/tokens", "chunked", "", 201, "CreateToken bob alice"},
		{"token, no body", "/api/users/bob/tokens", "none", "", 201, "CreateToken bob alice"},
		{"token, Content-Length 0", "/api/users/bob/tokens", "length", "", 201, "CreateToken bob alice"},
		{"token, chunked body", "/api/users/bob/tokens", "chunked", `{"name":"ci"}`, 201, "CreateToken bob alice"},
		{"token, chunked bad body", "/api/users/bob/tokens", "chunked", `{"name":`, 400, ""},
		{"probe, chunked empty body", "/api/definitions/probe", "chunked", "", 200, "ProbeDefinitions []"},
		{"probe, chunked body", "/api/definitions/probe", "chunked", `{"ids":["postgres-dev"]}`, 200, "ProbeDefinitions [postgres-dev]"},
		{"probe, white space", "/api/definitions/probe", "length", " \n", 200, "ProbeDefinitions []"},
		{"probe, chunked unknown field", "/api/definitions/probe", "chunked", `{"idz":[]}`, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := h.fake.lastCall()
			status, body := send(t, tt.path, tt.framing, tt.body)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", status, tt.wantStatus, body)
			}
			call := h.fake.lastCall()
			if tt.wantCall == "" && call != before {
				t.Errorf("the service was called (%q) with a bad body", call)
			}
			if tt.wantCall != "" && call != tt.wantCall {
				t.Errorf("call %q, want %q", call, tt.wantCall)
			}
			if strings.Contains(tt.body, `"ci"`) && !strings.Contains(body, `"name":"ci"`) {
				t.Errorf("the body's name did not reach the service: %s", body)
			}
		})
	}
}

// TestAuthenticateOwnsTheMessage: a refused token's 401 carries
// Authenticate's message as it is; the API adds nothing to it.
func TestAuthenticateOwnsTheMessage(t *testing.T) {
	const platformMessage = "the token is not valid: it was never issued, has expired or was revoked, or its user is disabled; ask an admin for a new one"
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"the platform's refusal", paved.Errorf(paved.EUNAUTHORIZED, platformMessage), platformMessage},
		{"another wording", paved.Errorf(paved.EUNAUTHORIZED, "expired at 09:00"), "expired at 09:00"},
		{"not found is unauthorized", paved.Errorf(paved.ENOTFOUND, "no such token"), "no such token"},
		{"no Authenticate", nil, "the token is not valid: this server accepts no tokens"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{}
			if tc.err != nil {
				cfg.Authenticate = func(context.Context, string) (*paved.User, error) { return nil, tc.err }
			}
			srv := httptest.NewServer(NewServer(cfg).Handler())
			defer srv.Close()
			_, err := NewClient(srv.URL, "pvd_x").WhoAmI(context.Background())
			if paved.ErrorCode(err) != paved.EUNAUTHORIZED || paved.ErrorMessage(err) != tc.want {
				t.Errorf("got %s %q, want unauthorized %q", paved.ErrorCode(err), paved.ErrorMessage(err), tc.want)
			}
		})
	}
}
