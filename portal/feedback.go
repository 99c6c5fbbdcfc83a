package portal

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"paved.dev/paved"
)

// The feedback page: anyone gives feedback (source "portal") and votes
// for roadmap items, once each; the platform team triages feedback into
// an item (an existing one, or one it creates there) and moves items from
// status to status. Everything goes through paved.FeedbackService, as
// paved feedback and paved roadmap do.

// maxFeedbackShown bounds the feedback listed on the page, newest first.
const maxFeedbackShown = 200

type feedbackPage struct {
	Feedback []paved.Feedback
	// More is how many older ones are not shown.
	More     int
	Statuses []roadmapColumn
	Items    []paved.RoadmapItem
	Titles   map[string]string
	Admin    bool
	Max      int
}

func (feedbackPage) title() string { return "Feedback and roadmap" }

// roadmapColumn is one status of the roadmap and its items, most votes
// first.
type roadmapColumn struct {
	Status paved.RoadmapStatus
	Items  []paved.RoadmapItem
}

func (p *Portal) feedback(rq *request) error {
	if p.svc.Feedback == nil {
		return paved.Errorf(paved.EUNAVAILABLE, "this server collects no feedback")
	}
	fs, err := p.svc.Feedback.ListFeedback(rq.ctx)
	if err != nil {
		return err
	}
	items, err := p.svc.Feedback.ListRoadmap(rq.ctx)
	if err != nil {
		return err
	}
	pg := feedbackPage{Feedback: fs, Items: items, Titles: map[string]string{}, Admin: isAdmin(rq.user), Max: paved.MaxFeedback}
	if len(fs) > maxFeedbackShown {
		pg.Feedback, pg.More = fs[:maxFeedbackShown], len(fs)-maxFeedbackShown
	}
	for _, st := range paved.RoadmapStatuses() {
		col := roadmapColumn{Status: st}
		for _, it := range items {
			if it.Status == st {
				col.Items = append(col.Items, it)
			}
		}
		pg.Statuses = append(pg.Statuses, col)
	}
	for _, it := range items {
		pg.Titles[it.ID] = it.Title
	}
	p.render(rq.w, rq.r, rq, http.StatusOK, "feedback", pg)
	return nil
}

// giveFeedback records the user's feedback from the form.
func (p *Portal) giveFeedback(rq *request) error {
	text := strings.TrimSpace(rq.r.PostFormValue("text"))
	if text == "" {
		return paved.Errorf(paved.EINVALID, "text: say what works, what does not, or what you miss")
	}
	f, err := p.svc.Feedback.GiveFeedback(rq.ctx, text, "portal")
	if err != nil {
		return err
	}
	setFlash(rq.w, rq.r, fmt.Sprintf("Thank you: your feedback is number %d.", f.ID))
	http.Redirect(rq.w, rq.r, "/feedback", http.StatusSeeOther)
	return nil
}

// vote adds the user's vote to a roadmap item; a second vote changes
// nothing, and the page says so.
func (p *Portal) vote(rq *request) error {
	id := rq.r.PathValue("item")
	before, err := p.roadmapItem(rq, id)
	if err != nil {
		return err
	}
	it, err := p.svc.Feedback.Vote(rq.ctx, id)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("Your vote for %s counts: %d votes.", it.Title, it.Votes)
	if it.Votes == before.Votes {
		msg = fmt.Sprintf("You voted for %s already: a vote counts once (%d votes).", it.Title, it.Votes)
	}
	setFlash(rq.w, rq.r, msg)
	http.Redirect(rq.w, rq.r, "/feedback#item-"+url.PathEscape(it.ID), http.StatusSeeOther)
	return nil
}

// roadmapItem finds an item of the roadmap.
func (p *Portal) roadmapItem(rq *request, id string) (*paved.RoadmapItem, error) {
	items, err := p.svc.Feedback.ListRoadmap(rq.ctx)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(items, func(it paved.RoadmapItem) bool { return it.ID == id })
	if i < 0 {
		return nil, paved.Errorf(paved.ENOTFOUND, "the roadmap has no item %q", id)
	}
	return &items[i], nil
}

// triage links a feedback to a roadmap item: the one chosen, or a new one
// made from the id and title given (admins; the service decides).
func (p *Portal) triage(rq *request) error {
	id, err := strconv.ParseInt(rq.r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return paved.Errorf(paved.EINVALID, "feedback: %q is not a feedback number", rq.r.PathValue("id"))
	}
	f := rq.r.PostForm
	item := f.Get("item")
	newID, newTitle := strings.TrimSpace(f.Get("new_id")), strings.TrimSpace(f.Get("new_title"))
	switch {
	case item != "" && (newID != "" || newTitle != ""):
		return paved.Errorf(paved.EINVALID, "item: choose an item or give a new one's id and title, not both")
	case item == "" && (newID == "" || newTitle == ""):
		return paved.Errorf(paved.EINVALID, "item: choose an item, or give a new one's id and title")
	case item == "":
		it, err := p.svc.Feedback.PutRoadmapItem(rq.ctx, &paved.RoadmapItem{ID: newID, Title: newTitle})
		if err != nil {
			return err
		}
		item = it.ID
	}
	fb, err := p.svc.Feedback.Triage(rq.ctx, id, item)
	if err != nil {
		return err
	}
	setFlash(rq.w, rq.r, fmt.Sprintf("Feedback %d is triaged into %s.", fb.ID, fb.Item))
	http.Redirect(rq.w, rq.r, "/feedback", http.StatusSeeOther)
	return nil
}

// setItemStatus moves a roadmap item to another status (admins; the
// service decides), keeping its title.
func (p *Portal) setItemStatus(rq *request) error {
	st := paved.RoadmapStatus(rq.r.PostFormValue("status"))
	if !slices.Contains(paved.RoadmapStatuses(), st) {
		return paved.Errorf(paved.EINVALID, "status: %q is not one of %v", st, paved.RoadmapStatuses())
	}
	it, err := p.roadmapItem(rq, rq.r.PathValue("item"))
	if err != nil {
		return err
	}
	out, err := p.svc.Feedback.PutRoadmapItem(rq.ctx, &paved.RoadmapItem{ID: it.ID, Title: it.Title, Status: st})
	if err != nil {
		return err
	}
	setFlash(rq.w, rq.r, fmt.Sprintf("%s is %s now.", out.Title, out.Status))
	http.Redirect(rq.w, rq.r, "/feedback#item-"+url.PathEscape(out.ID), http.StatusSeeOther)
	return nil
}
