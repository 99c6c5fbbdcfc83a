package api

import (
	"net/http"
	"strconv"

	"paved.dev/paved"
)

// ExtendRequest is the body of POST /api/apps/{app}/envs/{env}/extend.
type ExtendRequest struct {
	TTL paved.Duration `json:"ttl"`
}

// boolQuery reads a true/false query parameter; absent is false.
func boolQuery(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, paved.Errorf(paved.EINVALID, "%s: want true or false, got %q", name, v)
	}
	return b, nil
}

func (s *Server) getTeam(w http.ResponseWriter, r *http.Request) error {
	t, err := s.svc.Teams.GetTeam(r.Context(), r.PathValue("team"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (s *Server) updateTeam(w http.ResponseWriter, r *http.Request) error {
	var up paved.TeamUpdate
	if err := decode(w, r, maxBody, &up); err != nil {
		return err
	}
	t, err := s.svc.Teams.UpdateTeam(r.Context(), r.PathValue("team"), up)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (s *Server) deleteTeam(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Teams.DeleteTeam(r.Context(), r.PathValue("team")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Users.DeleteUser(r.Context(), r.PathValue("user")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) updateApp(w http.ResponseWriter, r *http.Request) error {
	var up paved.AppUpdate
	if err := decode(w, r, maxBody, &up); err != nil {
		return err
	}
	a, err := s.svc.Apps.UpdateApp(r.Context(), r.PathValue("app"), up)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}

func (s *Server) deleteApp(w http.ResponseWriter, r *http.Request) error {
	cascade, err := boolQuery(r, "cascade")
	if err != nil {
		return err
	}
	out, err := s.svc.Apps.DeleteApp(r.Context(), r.PathValue("app"), cascade)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) deleteEnvironment(w http.ResponseWriter, r *http.Request) error {
	force, err := boolQuery(r, "force")
	if err != nil {
		return err
	}
	out, err := s.svc.Environments.DeleteEnvironment(r.Context(), r.PathValue("app"), r.PathValue("env"), paved.DeleteOptions{Force: force})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) extendEnvironment(w http.ResponseWriter, r *http.Request) error {
	var req ExtendRequest
	if err := decode(w, r, maxBody, &req); err != nil {
		return err
	}
	env, err := s.svc.Environments.ExtendEnvironment(r.Context(), r.PathValue("app"), r.PathValue("env"), req.TTL)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, env)
}

func (s *Server) rollbackEnvironment(w http.ResponseWriter, r *http.Request) error {
	d, err := s.svc.Deployments.RollbackEnvironment(r.Context(), r.PathValue("app"), r.PathValue("env"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, d)
}

func (s *Server) removeTarget(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Targets.RemoveTarget(r.Context(), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteDefinition(w http.ResponseWriter, r *http.Request) error {
	d, err := s.svc.Definitions.DeleteDefinition(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}
