package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// GetProgram returns the program; ENOTFOUND before the first put.
func (db *DB) GetProgram(ctx context.Context) (*paved.Program, error) {
	var body string
	var version int
	err := db.r.QueryRowContext(ctx, "SELECT body, version FROM program WHERE id = 1").Scan(&body, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.NotFound("program", "the MVP program")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get program: %w", err)
	}
	return record.DecodeProgram(body, version)
}

// PutProgram stores p if its Version is the stored version + 1 (1 for the
// first), else ECONFLICT.
func (db *DB) PutProgram(ctx context.Context, p *paved.Program) error {
	body, err := record.EncodeProgram(p)
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		var stored int
		err := tx.QueryRowContext(ctx, "SELECT version FROM program WHERE id = 1").Scan(&stored)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: put program: %w", err)
		}
		if p.Version != stored+1 {
			return record.ProgramConflict(stored, p.Version)
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO program (id, version, body, updated_at) VALUES (1, ?, ?, ?)"+
			" ON CONFLICT (id) DO UPDATE SET version = excluded.version, body = excluded.body, updated_at = excluded.updated_at",
			p.Version, body, fmtTime(record.Now()))
		if err != nil {
			return fmt.Errorf("sqlite: put program: %w", err)
		}
		return nil
	})
}

// CreateFeedback stores f and sets its ID.
func (db *DB) CreateFeedback(ctx context.Context, f *paved.Feedback) error {
	if err := record.PrepareFeedback(f); err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO feedback (author, body, source, created_at, item) VALUES (?, ?, ?, ?, ?)",
			f.Author, f.Text, f.Source, fmtTime(f.At), f.Item)
		if err != nil {
			return fmt.Errorf("sqlite: create feedback: %w", err)
		}
		f.ID, err = res.LastInsertId()
		return err
	})
}

const feedbackCols = "id, author, body, source, created_at, item"

func scanFeedback(sc scanner) (paved.Feedback, error) {
	var f paved.Feedback
	var at string
	if err := sc.Scan(&f.ID, &f.Author, &f.Text, &f.Source, &at, &f.Item); err != nil {
		return f, err
	}
	var err error
	f.At, err = parseTime(at)
	return f, err
}

// ListFeedback lists feedback newest first, since a time when set.
func (db *DB) ListFeedback(ctx context.Context, since *time.Time, limit int) ([]paved.Feedback, error) {
	q, args := "SELECT "+feedbackCols+" FROM feedback", []any{}
	if since != nil {
		q, args = q+" WHERE created_at >= ?", append(args, fmtTime(*since))
	}
	if limit <= 0 {
		limit = -1
	}
	out, err := queryList(ctx, db.r, scanFeedback, q+" ORDER BY created_at DESC, id DESC LIMIT ?", append(args, limit)...)
	if out == nil && err == nil {
		out = []paved.Feedback{}
	}
	return out, err
}

// LinkFeedback sets a feedback's roadmap item.
func (db *DB) LinkFeedback(ctx context.Context, id int64, item string) (*paved.Feedback, error) {
	var f paved.Feedback
	err := db.write(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, "SELECT 1 FROM roadmap_items WHERE id = ?", item).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return record.NotFound("roadmap item", item)
		} else if err != nil {
			return fmt.Errorf("sqlite: link feedback: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE feedback SET item = ? WHERE id = ?", item, id); err != nil {
			return fmt.Errorf("sqlite: link feedback: %w", err)
		}
		var err error
		f, err = scanFeedback(tx.QueryRowContext(ctx, "SELECT "+feedbackCols+" FROM feedback WHERE id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
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
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO roadmap_items (id, title, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"+
			" ON CONFLICT (id) DO UPDATE SET title = excluded.title, status = excluded.status, updated_at = excluded.updated_at",
			it.ID, it.Title, it.Status, fmtTime(it.CreatedAt), fmtTime(it.UpdatedAt))
		if err != nil {
			return fmt.Errorf("sqlite: put roadmap item: %w", err)
		}
		return nil
	})
}

// roadmapSQL reads items with their votes, by status then votes.
const roadmapSQL = `SELECT i.id, i.title, i.status, i.created_at, i.updated_at,
	(SELECT COUNT(*) FROM roadmap_votes v WHERE v.item = i.id),
	(SELECT COALESCE(group_concat(f.id), '') FROM (SELECT id FROM feedback WHERE item = i.id ORDER BY id) f)
FROM roadmap_items i`

func scanRoadmapItem(sc scanner) (paved.RoadmapItem, error) {
	var it paved.RoadmapItem
	var created, updated, fb string
	if err := sc.Scan(&it.ID, &it.Title, &it.Status, &created, &updated, &it.Votes, &fb); err != nil {
		return it, err
	}
	var err error
	if it.CreatedAt, err = parseTime(created); err != nil {
		return it, err
	}
	if it.UpdatedAt, err = parseTime(updated); err != nil {
		return it, err
	}
	it.Feedback, err = record.FeedbackIDs(fb)
	return it, err
}

// GetRoadmapItem returns one item; ENOTFOUND when there is none.
func (db *DB) GetRoadmapItem(ctx context.Context, id string) (*paved.RoadmapItem, error) {
	it, err := scanRoadmapItem(db.r.QueryRowContext(ctx, roadmapSQL+" WHERE i.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, record.NotFound("roadmap item", id)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get roadmap item: %w", err)
	}
	return &it, nil
}

// ListRoadmapItems lists items by status, then votes (most first).
func (db *DB) ListRoadmapItems(ctx context.Context) ([]paved.RoadmapItem, error) {
	out, err := queryList(ctx, db.r, scanRoadmapItem, roadmapSQL+" ORDER BY CASE i.status WHEN 'proposed' THEN 0 WHEN 'planned' THEN 1 WHEN 'in_progress' THEN 2 ELSE 3 END, 6 DESC, i.id")
	if out == nil && err == nil {
		out = []paved.RoadmapItem{}
	}
	return out, err
}

// AddVote adds a vote; false when voter had voted already.
func (db *DB) AddVote(ctx context.Context, item, voter string, at time.Time) (bool, error) {
	var added bool
	err := db.write(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, "SELECT 1 FROM roadmap_items WHERE id = ?", item).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return record.NotFound("roadmap item", item)
		} else if err != nil {
			return fmt.Errorf("sqlite: vote: %w", err)
		}
		res, err := tx.ExecContext(ctx, "INSERT INTO roadmap_votes (item, voter, voted_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", item, voter, fmtTime(at))
		if err != nil {
			return fmt.Errorf("sqlite: vote: %w", err)
		}
		n, _ := res.RowsAffected()
		added = n == 1
		return nil
	})
	return added, err
}
