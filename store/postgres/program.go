package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// GetProgram returns the program; ENOTFOUND before the first put.
func (db *DB) GetProgram(ctx context.Context) (*paved.Program, error) {
	var body string
	var version int
	err := db.pool.QueryRow(ctx, "SELECT body::text, version FROM program WHERE id = 1").Scan(&body, &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, record.NotFound("program", "the MVP program")
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get program: %w", err)
	}
	return record.DecodeProgram(body, version)
}

// PutProgram stores p if its Version is the stored version + 1 (1 for the
// first), else ECONFLICT. The row is locked for the check (or, for the
// first put, the primary key refuses a second insert).
func (db *DB) PutProgram(ctx context.Context, p *paved.Program) error {
	body, err := record.EncodeProgram(p)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx pgx.Tx) error {
		var stored int
		err := tx.QueryRow(ctx, "SELECT version FROM program WHERE id = 1 FOR UPDATE").Scan(&stored)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("postgres: put program: %w", err)
		}
		if p.Version != stored+1 {
			return record.ProgramConflict(stored, p.Version)
		}
		tag, err := tx.Exec(ctx, "INSERT INTO program (id, version, body, updated_at) VALUES (1, $1, $2, $3)"+
			" ON CONFLICT (id) DO UPDATE SET version = excluded.version, body = excluded.body, updated_at = excluded.updated_at"+
			" WHERE program.version = $1 - 1",
			p.Version, body, record.Now())
		if err != nil {
			return fmt.Errorf("postgres: put program: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return record.ProgramConflict(stored, p.Version)
		}
		return nil
	})
}

// CreateFeedback stores f and sets its ID.
func (db *DB) CreateFeedback(ctx context.Context, f *paved.Feedback) error {
	if err := record.PrepareFeedback(f); err != nil {
		return err
	}
	err := db.pool.WriteRow(ctx, "INSERT INTO feedback (author, body, source, created_at, item) VALUES ($1, $2, $3, $4, $5) RETURNING id",
		f.Author, f.Text, f.Source, f.At, f.Item).Scan(&f.ID)
	if err != nil {
		return fmt.Errorf("postgres: create feedback: %w", err)
	}
	return nil
}

const feedbackCols = "id, author, body, source, created_at, item"

func scanFeedback(r pgx.Row) (paved.Feedback, error) {
	var f paved.Feedback
	if err := r.Scan(&f.ID, &f.Author, &f.Text, &f.Source, &f.At, &f.Item); err != nil {
		return f, err
	}
	f.At = f.At.UTC()
	return f, nil
}

// ListFeedback lists feedback newest first, since a time when set.
func (db *DB) ListFeedback(ctx context.Context, since *time.Time, limit int) ([]paved.Feedback, error) {
	q, args := "SELECT "+feedbackCols+" FROM feedback", []any{}
	if since != nil {
		q, args = q+" WHERE created_at >= $1", append(args, *since)
	}
	q += " ORDER BY created_at DESC, id DESC"
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	out, err := queryList(ctx, db, scanFeedback, q, args...)
	if out == nil && err == nil {
		out = []paved.Feedback{}
	}
	return out, err
}

// LinkFeedback sets a feedback's roadmap item.
func (db *DB) LinkFeedback(ctx context.Context, id int64, item string) (*paved.Feedback, error) {
	var f paved.Feedback
	err := db.write(ctx, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM roadmap_items WHERE id = $1", item).Scan(&one); errors.Is(err, pgx.ErrNoRows) {
			return record.NotFound("roadmap item", item)
		} else if err != nil {
			return fmt.Errorf("postgres: link feedback: %w", err)
		}
		var err error
		f, err = scanFeedback(tx.QueryRow(ctx, "UPDATE feedback SET item = $1 WHERE id = $2 RETURNING "+feedbackCols, item, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return record.NotFound("feedback", fmt.Sprint(id))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// PutRoadmapItem upserts an item by id; its creation time stays.
func (db *DB) PutRoadmapItem(ctx context.Context, it *paved.RoadmapItem) error {
	if err := record.PrepareRoadmapItem(it); err != nil {
		return err
	}
	_, err := db.pool.Exec(ctx, "INSERT INTO roadmap_items (id, title, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)"+
		" ON CONFLICT (id) DO UPDATE SET title = excluded.title, status = excluded.status, updated_at = excluded.updated_at",
		it.ID, it.Title, it.Status, it.CreatedAt, it.UpdatedAt)
	if err != nil {
		return fmt.Errorf("postgres: put roadmap item: %w", err)
	}
	return nil
}

const roadmapSQL = `SELECT i.id, i.title, i.status, i.created_at, i.updated_at,
	(SELECT COUNT(*) FROM roadmap_votes v WHERE v.item = i.id),
	(SELECT COALESCE(string_agg(f.id::text, ',' ORDER BY f.id), '') FROM feedback f WHERE f.item = i.id)
FROM roadmap_items i`

func scanRoadmapItem(r pgx.Row) (paved.RoadmapItem, error) {
	var it paved.RoadmapItem
	var fb string
	if err := r.Scan(&it.ID, &it.Title, &it.Status, &it.CreatedAt, &it.UpdatedAt, &it.Votes, &fb); err != nil {
		return it, err
	}
	it.CreatedAt, it.UpdatedAt = it.CreatedAt.UTC(), it.UpdatedAt.UTC()
	var err error
	it.Feedback, err = record.FeedbackIDs(fb)
	return it, err
}

// GetRoadmapItem returns one item; ENOTFOUND when there is none.
func (db *DB) GetRoadmapItem(ctx context.Context, id string) (*paved.RoadmapItem, error) {
	it, err := scanRoadmapItem(db.pool.QueryRow(ctx, roadmapSQL+" WHERE i.id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, record.NotFound("roadmap item", id)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get roadmap item: %w", err)
	}
	return &it, nil
}

// ListRoadmapItems lists items by status, then votes (most first).
func (db *DB) ListRoadmapItems(ctx context.Context) ([]paved.RoadmapItem, error) {
	out, err := queryList(ctx, db, scanRoadmapItem, roadmapSQL+" ORDER BY CASE i.status WHEN 'proposed' THEN 0 WHEN 'planned' THEN 1 WHEN 'in_progress' THEN 2 ELSE 3 END, 6 DESC, i.id")
	if out == nil && err == nil {
		out = []paved.RoadmapItem{}
	}
	return out, err
}

// AddVote adds a vote; false when voter had voted already.
func (db *DB) AddVote(ctx context.Context, item, voter string, at time.Time) (bool, error) {
	var added bool
	err := db.write(ctx, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM roadmap_items WHERE id = $1", item).Scan(&one); errors.Is(err, pgx.ErrNoRows) {
			return record.NotFound("roadmap item", item)
		} else if err != nil {
			return fmt.Errorf("postgres: vote: %w", err)
		}
		tag, err := tx.Exec(ctx, "INSERT INTO roadmap_votes (item, voter, voted_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", item, voter, at)
		if err != nil {
			return fmt.Errorf("postgres: vote: %w", err)
		}
		added = tag.RowsAffected() == 1
		return nil
	})
	return added, err
}
