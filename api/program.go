package api

import (
	"context"
	"net/http"
	"strconv"

	"paved.dev/paved"
)

// AnnouncementBody adds to the communication log.
type AnnouncementBody struct {
	Audience string `json:"audience"`
	Title    string `json:"title"`
}

// IterationBody starts the next iteration of the program.
type IterationBody struct {
	Force bool `json:"force,omitempty"`
}

// FeedbackBody is a user's feedback.
type FeedbackBody struct {
	Text   string `json:"text"`
	Source string `json:"source,omitempty"`
}

// TriageBody links feedback to a roadmap item.
type TriageBody struct {
	Item string `json:"item"`
}

// RoadmapBody creates or changes a roadmap item.
type RoadmapBody struct {
	Title  string              `json:"title"`
	Status paved.RoadmapStatus `json:"status,omitempty"`
}

func (s *Server) getProgram(w http.ResponseWriter, r *http.Request) error {
	v, err := s.svc.Program.Program(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

func (s *Server) applyProgram(w http.ResponseWriter, r *http.Request) error {
	var spec paved.ProgramSpec
	if err := decode(w, r, maxBody, &spec); err != nil {
		return err
	}
	pr, err := s.svc.Program.ApplyProgram(r.Context(), &spec)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pr)
}

func (s *Server) inviteCohort(w http.ResponseWriter, r *http.Request) error {
	n, err := strconv.Atoi(r.PathValue("cohort"))
	if err != nil || n < 1 {
		return paved.Errorf(paved.EINVALID, "cohort: %q is not a cohort number", r.PathValue("cohort"))
	}
	pr, err := s.svc.Program.InviteCohort(r.Context(), n)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pr)
}

func (s *Server) announce(w http.ResponseWriter, r *http.Request) error {
	var b AnnouncementBody
	if err := decode(w, r, maxBody, &b); err != nil {
		return err
	}
	pr, err := s.svc.Program.Announce(r.Context(), &paved.Announcement{Audience: b.Audience, Title: b.Title})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, pr)
}

func (s *Server) nextIteration(w http.ResponseWriter, r *http.Request) error {
	var b IterationBody
	if err := decodeOptional(w, r, maxBody, &b); err != nil {
		return err
	}
	pr, err := s.svc.Program.NextIteration(r.Context(), b.Force)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, pr)
}

func (s *Server) listFeedback(w http.ResponseWriter, r *http.Request) error {
	fs, err := s.svc.Feedback.ListFeedback(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list[paved.Feedback]{Items: fs})
}

func (s *Server) giveFeedback(w http.ResponseWriter, r *http.Request) error {
	var b FeedbackBody
	if err := decode(w, r, 64<<10, &b); err != nil {
		return err
	}
	if b.Source == "" {
		b.Source = "api"
	}
	f, err := s.svc.Feedback.GiveFeedback(r.Context(), b.Text, b.Source)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, f)
}

func (s *Server) triageFeedback(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return paved.Errorf(paved.EINVALID, "id: %q is not a feedback number", r.PathValue("id"))
	}
	var b TriageBody
	if err := decode(w, r, maxBody, &b); err != nil {
		return err
	}
	f, err := s.svc.Feedback.Triage(r.Context(), id, b.Item)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, f)
}

func (s *Server) listRoadmap(w http.ResponseWriter, r *http.Request) error {
	items, err := s.svc.Feedback.ListRoadmap(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list[paved.RoadmapItem]{Items: items})
}

func (s *Server) putRoadmapItem(w http.ResponseWriter, r *http.Request) error {
	var b RoadmapBody
	if err := decode(w, r, maxBody, &b); err != nil {
		return err
	}
	it, err := s.svc.Feedback.PutRoadmapItem(r.Context(), &paved.RoadmapItem{ID: r.PathValue("item"), Title: b.Title, Status: b.Status})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, it)
}

func (s *Server) vote(w http.ResponseWriter, r *http.Request) error {
	it, err := s.svc.Feedback.Vote(r.Context(), r.PathValue("item"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, it)
}

func (c *Client) Program(ctx context.Context) (*paved.ProgramView, error) {
	var v paved.ProgramView
	if err := c.do(ctx, http.MethodGet, "/api/program", nil, nil, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

func (c *Client) ApplyProgram(ctx context.Context, spec *paved.ProgramSpec) (*paved.Program, error) {
	var pr paved.Program
	if err := c.do(ctx, http.MethodPut, "/api/program", nil, spec, &pr); err != nil {
		return nil, err
	}
	return &pr, nil
}

func (c *Client) InviteCohort(ctx context.Context, number int) (*paved.Program, error) {
	var pr paved.Program
	if err := c.do(ctx, http.MethodPost, "/api/program/cohorts/"+strconv.Itoa(number)+"/invite", nil, nil, &pr); err != nil {
		return nil, err
	}
	return &pr, nil
}

func (c *Client) Announce(ctx context.Context, a *paved.Announcement) (*paved.Program, error) {
	var pr paved.Program
	if err := c.do(ctx, http.MethodPost, "/api/program/announcements", nil, AnnouncementBody{Audience: a.Audience, Title: a.Title}, &pr); err != nil {
		return nil, err
	}
	return &pr, nil
}

func (c *Client) NextIteration(ctx context.Context, force bool) (*paved.Program, error) {
	var pr paved.Program
	if err := c.do(ctx, http.MethodPost, "/api/program/iterations", nil, IterationBody{Force: force}, &pr); err != nil {
		return nil, err
	}
	return &pr, nil
}

func (c *Client) GiveFeedback(ctx context.Context, text, source string) (*paved.Feedback, error) {
	var f paved.Feedback
	if err := c.do(ctx, http.MethodPost, "/api/feedback", nil, FeedbackBody{Text: text, Source: source}, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

func (c *Client) ListFeedback(ctx context.Context) ([]paved.Feedback, error) {
	var l list[paved.Feedback]
	return l.Items, c.do(ctx, http.MethodGet, "/api/feedback", nil, nil, &l)
}

func (c *Client) Triage(ctx context.Context, feedback int64, item string) (*paved.Feedback, error) {
	var f paved.Feedback
	if err := c.do(ctx, http.MethodPost, "/api/feedback/"+strconv.FormatInt(feedback, 10)+"/triage", nil, TriageBody{Item: item}, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

func (c *Client) ListRoadmap(ctx context.Context) ([]paved.RoadmapItem, error) {
	var l list[paved.RoadmapItem]
	return l.Items, c.do(ctx, http.MethodGet, "/api/roadmap", nil, nil, &l)
}

func (c *Client) PutRoadmapItem(ctx context.Context, it *paved.RoadmapItem) (*paved.RoadmapItem, error) {
	p, err := path("/api/roadmap/%s", it.ID)
	if err != nil {
		return nil, err
	}
	var out paved.RoadmapItem
	if err := c.do(ctx, http.MethodPut, p, nil, RoadmapBody{Title: it.Title, Status: it.Status}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) Vote(ctx context.Context, item string) (*paved.RoadmapItem, error) {
	p, err := path("/api/roadmap/%s/votes", item)
	if err != nil {
		return nil, err
	}
	var out paved.RoadmapItem
	if err := c.do(ctx, http.MethodPost, p, nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (u unavailable) Program(context.Context) (*paved.ProgramView, error) { return nil, u.err() }
func (u unavailable) Phases(context.Context) (*paved.ProgramView, error)  { return nil, u.err() }
func (u unavailable) ApplyProgram(context.Context, *paved.ProgramSpec) (*paved.Program, error) {
	return nil, u.err()
}
func (u unavailable) InviteCohort(context.Context, int) (*paved.Program, error) { return nil, u.err() }
func (u unavailable) Announce(context.Context, *paved.Announcement) (*paved.Program, error) {
	return nil, u.err()
}
func (u unavailable) NextIteration(context.Context, bool) (*paved.Program, error) {
	return nil, u.err()
}
func (u unavailable) GiveFeedback(context.Context, string, string) (*paved.Feedback, error) {
	return nil, u.err()
}
func (u unavailable) ListFeedback(context.Context) ([]paved.Feedback, error) { return nil, u.err() }
func (u unavailable) PutRoadmapItem(context.Context, *paved.RoadmapItem) (*paved.RoadmapItem, error) {
	return nil, u.err()
}
func (u unavailable) ListRoadmap(context.Context) ([]paved.RoadmapItem, error) { return nil, u.err() }
func (u unavailable) Vote(context.Context, string) (*paved.RoadmapItem, error) { return nil, u.err() }
func (u unavailable) Triage(context.Context, int64, string) (*paved.Feedback, error) {
	return nil, u.err()
}
