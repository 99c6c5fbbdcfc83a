package platform

import (
	"context"
	"fmt"
	"strings"

	"paved.dev/paved"
)

var feedbackSources = []string{"cli", "portal", "api"}

// GiveFeedback records the caller's feedback (any user). Audited
// (feedback.give, without the text).
func (p *Platform) GiveFeedback(ctx context.Context, text, source string) (f *paved.Feedback, err error) {
	defer func() {
		target := auditSubject(source)
		if f != nil {
			target = fmt.Sprintf("#%d from %s", f.ID, source)
		}
		p.audit(ctx, "feedback.give", target, err)
	}()
	u, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	known := false
	for _, s := range feedbackSources {
		known = known || s == source
	}
	if !known {
		return nil, paved.Errorf(paved.EINVALID, "source: %q is not one of %v", source, feedbackSources)
	}
	fb := &paved.Feedback{Author: u.Name, Text: strings.TrimSpace(text), Source: source, At: p.now()}
	if err := p.cfg.Store.CreateFeedback(ctx, fb); err != nil {
		return nil, err
	}
	return fb, nil
}

// maxFeedbackList bounds a list of feedback: the newest ones.
const maxFeedbackList = 1000

// ListFeedback lists feedback, newest first (the newest 1,000).
func (p *Platform) ListFeedback(ctx context.Context) ([]paved.Feedback, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.cfg.Store.ListFeedback(ctx, nil, maxFeedbackList)
}

// PutRoadmapItem creates or changes a roadmap item (admin). Audited.
func (p *Platform) PutRoadmapItem(ctx context.Context, it *paved.RoadmapItem) (_ *paved.RoadmapItem, err error) {
	defer func() { p.audit(ctx, "roadmap.put", auditSubject(it.ID), err) }()
	if _, err := requireAdmin(ctx, "changing the roadmap"); err != nil {
		return nil, err
	}
	if err := paved.ValidateName("id", it.ID); err != nil {
		return nil, err
	}
	if err := validText("title", it.Title); err != nil {
		return nil, err
	}
	out := &paved.RoadmapItem{ID: it.ID, Title: strings.TrimSpace(it.Title), Status: it.Status, CreatedAt: p.now(), UpdatedAt: p.now()}
	if out.Status == "" {
		// No status: a new item is proposed, an existing one keeps its own.
		out.Status = paved.RoadmapProposed
		if old, err := p.cfg.Store.GetRoadmapItem(ctx, it.ID); err == nil {
			out.Status = old.Status
		} else if paved.ErrorCode(err) != paved.ENOTFOUND {
			return nil, err
		}
	}
	if err := p.cfg.Store.PutRoadmapItem(ctx, out); err != nil {
		return nil, err
	}
	return p.cfg.Store.GetRoadmapItem(ctx, it.ID)
}

// ListRoadmap lists the roadmap by status, then votes.
func (p *Platform) ListRoadmap(ctx context.Context) ([]paved.RoadmapItem, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	return p.cfg.Store.ListRoadmapItems(ctx)
}

// Vote adds the caller's vote to an item, once; a second vote changes
// nothing.
func (p *Platform) Vote(ctx context.Context, item string) (*paved.RoadmapItem, error) {
	u, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	added, err := p.cfg.Store.AddVote(ctx, item, u.Name, p.now())
	if err != nil {
		return nil, err
	}
	if added {
		p.audit(ctx, "roadmap.vote", auditSubject(item), nil)
	}
	return p.cfg.Store.GetRoadmapItem(ctx, item)
}

// Triage links feedback to a roadmap item (admin). Audited.
func (p *Platform) Triage(ctx context.Context, feedback int64, item string) (_ *paved.Feedback, err error) {
	defer func() { p.audit(ctx, "feedback.triage", fmt.Sprintf("%d to %s", feedback, auditSubject(item)), err) }()
	if _, err := requireAdmin(ctx, "triaging feedback"); err != nil {
		return nil, err
	}
	return p.cfg.Store.LinkFeedback(ctx, feedback, item)
}
