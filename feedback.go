package paved

import (
	"context"
	"time"
)

// Feedback is what a user said of the platform, from the CLI or the
// portal; triage links it to a roadmap item.
type Feedback struct {
	ID     int64     `json:"id"`
	Author string    `json:"author"`
	Text   string    `json:"text"`
	Source string    `json:"source"` // cli, portal, api
	At     time.Time `json:"at"`
	// Item is the roadmap item it was triaged into ("": not yet).
	Item string `json:"item,omitempty"`
}

// MaxFeedback bounds a feedback's text.
const MaxFeedback = 4000

// RoadmapStatus is where a roadmap item stands.
type RoadmapStatus string

// Roadmap statuses, in order.
const (
	RoadmapProposed   RoadmapStatus = "proposed"
	RoadmapPlanned    RoadmapStatus = "planned"
	RoadmapInProgress RoadmapStatus = "in_progress"
	RoadmapDone       RoadmapStatus = "done"
)

// RoadmapStatuses lists the statuses in order.
func RoadmapStatuses() []RoadmapStatus {
	return []RoadmapStatus{RoadmapProposed, RoadmapPlanned, RoadmapInProgress, RoadmapDone}
}

// RoadmapItem is an item of the platform's roadmap, with its votes and the
// feedback triaged into it.
type RoadmapItem struct {
	ID        string        `json:"id"`
	Title     string        `json:"title"`
	Status    RoadmapStatus `json:"status"`
	Votes     int           `json:"votes"`
	Feedback  []int64       `json:"feedback,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// FeedbackService collects feedback and keeps the roadmap.
type FeedbackService interface {
	// GiveFeedback records the caller's feedback (any user).
	GiveFeedback(ctx context.Context, text, source string) (*Feedback, error)
	// ListFeedback lists feedback, newest first.
	ListFeedback(ctx context.Context) ([]Feedback, error)
	// PutRoadmapItem creates or changes an item (admin).
	PutRoadmapItem(ctx context.Context, it *RoadmapItem) (*RoadmapItem, error)
	// ListRoadmap lists items by status, then votes (most first).
	ListRoadmap(ctx context.Context) ([]RoadmapItem, error)
	// Vote adds the caller's vote to an item, once.
	Vote(ctx context.Context, item string) (*RoadmapItem, error)
	// Triage links feedback to a roadmap item (admin).
	Triage(ctx context.Context, feedback int64, item string) (*Feedback, error)
}

// FeedbackStore persists feedback and the roadmap.
type FeedbackStore interface {
	// CreateFeedback stores f and sets its ID.
	CreateFeedback(ctx context.Context, f *Feedback) error
	// ListFeedback lists feedback newest first; since bounds it when set,
	// limit when above 0.
	ListFeedback(ctx context.Context, since *time.Time, limit int) ([]Feedback, error)
	// LinkFeedback sets a feedback's item; ENOTFOUND for either missing.
	LinkFeedback(ctx context.Context, id int64, item string) (*Feedback, error)
	// PutRoadmapItem upserts an item by id (votes are not written).
	PutRoadmapItem(ctx context.Context, it *RoadmapItem) error
	GetRoadmapItem(ctx context.Context, id string) (*RoadmapItem, error)
	ListRoadmapItems(ctx context.Context) ([]RoadmapItem, error)
	// AddVote adds voter's vote to an item; false when it was there.
	AddVote(ctx context.Context, item, voter string, at time.Time) (bool, error)
}
