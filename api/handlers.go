package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"paved.dev/paved"
)

// ServerStatus is the answer of /api/healthz.
type ServerStatus struct {
	Status  string `json:"status"`
	Version string `json:"version"`
}

// RevokeResponse says how many tokens a revocation revoked.
type RevokeResponse struct {
	Revoked int `json:"revoked"`
}

// PromoteRequest names the environment to promote to.
type PromoteRequest struct {
	To string `json:"to"`
}

// DefinitionsRequest is the body of PUT /api/definitions.
type DefinitionsRequest struct {
	Items []paved.ResourceDefinition `json:"items"`
}

// ProbeDefinitionsRequest is the body of POST /api/definitions/probe; no
// ids probes every stored definition.
type ProbeDefinitionsRequest struct {
	IDs []string `json:"ids"`
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, ServerStatus{Status: "ok", Version: s.version})
}

func (s *Server) openAPIDoc(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(s.openapi)
	return nil
}

func (s *Server) whoAmI(w http.ResponseWriter, r *http.Request) error {
	u, err := s.svc.Users.WhoAmI(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request) error {
	teams, err := s.svc.Teams.ListTeams(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(teams))
}

func (s *Server) createTeam(w http.ResponseWriter, r *http.Request) error {
	var t paved.Team
	if err := decode(w, r, maxBody, &t); err != nil {
		return err
	}
	if err := s.svc.Teams.CreateTeam(r.Context(), &t); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, &t)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.svc.Users.ListUsers(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(users))
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var u paved.User
	if err := decode(w, r, maxBody, &u); err != nil {
		return err
	}
	if err := s.svc.Users.CreateUser(r.Context(), &u); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, &u)
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	var up paved.UserUpdate
	if err := decode(w, r, maxBody, &up); err != nil {
		return err
	}
	u, err := s.svc.Users.UpdateUser(r.Context(), r.PathValue("user"), up)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	req := paved.TokenRequest{}
	if err := decodeOptional(w, r, maxBody, &req); err != nil {
		return err
	}
	if err := fromPath(r, "user", &req.User); err != nil {
		return err
	}
	tok, err := s.svc.Users.CreateToken(r.Context(), &req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, tok)
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.svc.Users.ListTokens(r.Context(), r.PathValue("user"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(ts))
}

func (s *Server) revokeTokens(w http.ResponseWriter, r *http.Request) error {
	n, err := s.svc.Users.RevokeTokens(r.Context(), r.PathValue("user"), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, RevokeResponse{Revoked: n})
}

func (s *Server) listApps(w http.ResponseWriter, r *http.Request) error {
	apps, err := s.svc.Apps.ListApps(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(apps))
}

func (s *Server) createApp(w http.ResponseWriter, r *http.Request) error {
	var a paved.App
	if err := decode(w, r, maxBody, &a); err != nil {
		return err
	}
	if err := s.svc.Apps.CreateApp(r.Context(), &a); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, &a)
}

func (s *Server) getApp(w http.ResponseWriter, r *http.Request) error {
	a, err := s.svc.Apps.GetApp(r.Context(), r.PathValue("app"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}

func (s *Server) listEnvironments(w http.ResponseWriter, r *http.Request) error {
	envs, err := s.svc.Environments.ListEnvironments(r.Context(), r.PathValue("app"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(envs))
}

func (s *Server) createEnvironment(w http.ResponseWriter, r *http.Request) error {
	var req paved.EnvironmentRequest
	if err := decode(w, r, maxBody, &req); err != nil {
		return err
	}
	if err := fromPath(r, "app", &req.App); err != nil {
		return err
	}
	env, err := s.svc.Environments.CreateEnvironment(r.Context(), &req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, env)
}

func (s *Server) getEnvironment(w http.ResponseWriter, r *http.Request) error {
	env, err := s.svc.Environments.GetEnvironment(r.Context(), r.PathValue("app"), r.PathValue("env"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, env)
}

func (s *Server) resourceTypes(w http.ResponseWriter, r *http.Request) error {
	types, err := s.svc.Environments.ResourceTypes(r.Context(), r.PathValue("app"), r.PathValue("env"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(types))
}

func (s *Server) promote(w http.ResponseWriter, r *http.Request) error {
	var req PromoteRequest
	if err := decode(w, r, maxBody, &req); err != nil {
		return err
	}
	if req.To == "" {
		return paved.Errorf(paved.EINVALID, "body: to: required: the environment to promote to")
	}
	d, err := s.svc.Deployments.Promote(r.Context(), r.PathValue("app"), r.PathValue("env"), req.To)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, d)
}

func (s *Server) listDefinitions(w http.ResponseWriter, r *http.Request) error {
	defs, err := s.svc.Definitions.ListDefinitions(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(defs))
}

func (s *Server) applyDefinitions(w http.ResponseWriter, r *http.Request) error {
	var req DefinitionsRequest
	if err := decode(w, r, maxBody, &req); err != nil {
		return err
	}
	defs, err := s.svc.Definitions.ApplyDefinitions(r.Context(), req.Items)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(defs))
}

func (s *Server) definitionHistory(w http.ResponseWriter, r *http.Request) error {
	defs, err := s.svc.Definitions.DefinitionHistory(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(defs))
}

// deployRequest reads a DeployRequest whose app and environment come from
// the path; the body may repeat them but not contradict them.
func deployRequest(w http.ResponseWriter, r *http.Request) (*paved.DeployRequest, error) {
	var req paved.DeployRequest
	if err := decode(w, r, maxDeployBody, &req); err != nil {
		return nil, err
	}
	if err := fromPath(r, "app", &req.App); err != nil {
		return nil, err
	}
	if err := fromPath(r, "env", &req.Env); err != nil {
		return nil, err
	}
	return &req, nil
}

func (s *Server) plan(w http.ResponseWriter, r *http.Request) error {
	req, err := deployRequest(w, r)
	if err != nil {
		return err
	}
	p, err := s.svc.Deployments.Plan(r.Context(), req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) deploy(w http.ResponseWriter, r *http.Request) error {
	req, err := deployRequest(w, r)
	if err != nil {
		return err
	}
	d, err := s.svc.Deployments.Deploy(r.Context(), req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, d)
}

// listDeployments answers GET /api/deployments and
// /api/apps/{app}/deployments, filtered by ?app, env, status (repeated or
// comma-separated), since, before (RFC 3339) and limit.
func (s *Server) listDeployments(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := paved.DeploymentFilter{App: q.Get("app"), Env: q.Get("env"), Limit: limit}
	if r.PathValue("app") != "" {
		if err := fromPath(r, "app", &f.App); err != nil {
			return err
		}
	}
	for _, v := range q["status"] {
		for _, st := range strings.Split(v, ",") {
			st := paved.DeploymentStatus(strings.TrimSpace(st))
			if !st.Valid() {
				return paved.Errorf(paved.EINVALID, "status: %q is not one of %s", st, strings.Join(strs(paved.DeploymentStatuses()...), ", "))
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	if f.CreatedSince, err = queryTime(r, "since"); err != nil {
		return err
	}
	if f.CreatedBefore, err = queryTime(r, "before"); err != nil {
		return err
	}
	ds, err := s.svc.Deployments.ListDeployments(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(ds))
}

func (s *Server) getDeployment(w http.ResponseWriter, r *http.Request) error {
	d, err := s.svc.Deployments.GetDeployment(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

func (s *Server) rollback(w http.ResponseWriter, r *http.Request) error {
	d, err := s.svc.Deployments.Rollback(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, d)
}

func (s *Server) listResources(w http.ResponseWriter, r *http.Request) error {
	res, err := s.svc.Resources.ListResources(r.Context(), r.PathValue("app"), r.PathValue("env"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(res))
}

func (s *Server) outputs(w http.ResponseWriter, r *http.Request) error {
	reveal, err := boolQuery(r, "reveal")
	if err != nil {
		return err
	}
	uid := paved.ResourceUID(r.PathValue("uid"))
	out, err := s.svc.Resources.Outputs(r.Context(), r.PathValue("app"), r.PathValue("env"), uid, reveal)
	if err != nil {
		return err
	}
	if out == nil {
		out = map[string]any{}
	}
	return writeJSON(w, http.StatusOK, out)
}

// listAudit answers GET /api/audit, filtered by ?actor, action, since,
// before (RFC 3339) and limit.
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	f := paved.AuditFilter{Actor: r.URL.Query().Get("actor"), Action: r.URL.Query().Get("action"), Limit: limit}
	if f.Since, err = queryTime(r, "since"); err != nil {
		return err
	}
	if f.Before, err = queryTime(r, "before"); err != nil {
		return err
	}
	entries, err := s.svc.Audit.ListAudit(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(entries))
}

func (s *Server) listTargets(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.svc.Targets.ListTargets(r.Context())
	if err != nil {
		return err
	}
	for i := range ts {
		ts[i].Kubeconfig = ""
	}
	return writeJSON(w, http.StatusOK, items(ts))
}

func (s *Server) registerTarget(w http.ResponseWriter, r *http.Request) error {
	var t paved.TargetInfo
	if err := decode(w, r, maxTargetBody, &t); err != nil {
		return err
	}
	out, err := s.svc.Targets.RegisterTarget(r.Context(), &t)
	if err != nil {
		return err
	}
	// The kubeconfig went in; it never comes back out, whatever the service
	// returned.
	cp := *out
	cp.Kubeconfig = ""
	return writeJSON(w, http.StatusCreated, &cp)
}

func (s *Server) probeTarget(w http.ResponseWriter, r *http.Request) error {
	h, err := s.svc.Targets.ProbeTarget(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h)
}

func (s *Server) environmentStatus(w http.ResponseWriter, r *http.Request) error {
	st, err := s.svc.Environments.EnvironmentStatus(r.Context(), r.PathValue("app"), r.PathValue("env"))
	if err != nil {
		return err
	}
	if st.Drift == nil {
		st.Drift = []paved.Drift{}
	}
	return writeJSON(w, http.StatusOK, st)
}

func (s *Server) probeDefinitions(w http.ResponseWriter, r *http.Request) error {
	var req ProbeDefinitionsRequest
	if err := decodeOptional(w, r, maxBody, &req); err != nil {
		return err
	}
	hs, err := s.svc.Definitions.ProbeDefinitions(r.Context(), req.IDs)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items(hs))
}

// fromPath sets *field to the path value name unless the body already named
// a different one.
func fromPath(r *http.Request, name string, field *string) error {
	v := r.PathValue(name)
	if *field != "" && *field != v {
		return paved.Errorf(paved.EINVALID, "body: %s: %q does not match %q in the path", name, *field, v)
	}
	*field = v
	return nil
}

// queryTime reads an RFC 3339 time from the query; nil when absent.
func queryTime(r *http.Request, name string) (*time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s: want an RFC 3339 time such as 2026-12-01T09:00:00Z, got %q", name, v)
	}
	return &t, nil
}

// queryInt reads a whole number ≥ 0 from the query; 0 when absent.
func queryInt(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, paved.Errorf(paved.EINVALID, "%s: want a whole number ≥ 0, got %q", name, v)
	}
	return n, nil
}

// pruneResources answers POST .../resources/prune: the orphaned resources
// deprovisioned (or, dry, listed).
func (s *Server) pruneResources(w http.ResponseWriter, r *http.Request) error {
	var opt paved.PruneOptions
	if err := decodeOptional(w, r, maxBody, &opt); err != nil {
		return err
	}
	res, err := s.svc.Resources.PruneResources(r.Context(), r.PathValue("app"), r.PathValue("env"), opt)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}
