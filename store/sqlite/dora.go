package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

var doraDialect = record.DORADialect{
	Param: func(int) string { return "?" },
	// julianday keeps milliseconds; figures are rounded to the second.
	Seconds:   func(from, to string) string { return "(julianday(" + to + ") - julianday(" + from + ")) * 86400" },
	Time:      func(t time.Time) any { return fmtTime(t) },
	TimeParam: func(int) string { return "?" },
	// CAST truncates, which is the floor of what is not negative.
	Floor: func(e string) string { return "CAST(" + e + " AS INTEGER)" },
}

// DORA computes the DORA figures of q in one read (record.DORASQL).
func (db *DB) DORA(ctx context.Context, q paved.DORAQuery) (*paved.DORAFigures, error) {
	query, args := record.DORASQL(q, doraDialect)
	var f paved.DORAFigures
	var lead, recovery sql.NullFloat64
	err := db.r.QueryRowContext(ctx, query, args...).Scan(&f.Deployments, &f.Succeeded, &f.Failed,
		&f.FailedChanges, &f.Rework, &f.Unrecovered, &f.LeadTimes, &lead, &f.Recovered, &recovery)
	if err != nil {
		return nil, fmt.Errorf("sqlite: dora: %w", err)
	}
	f.LeadTime, f.RecoveryTime = seconds(lead), seconds(recovery)
	return &f, nil
}

// seconds rounds a number of seconds to a whole second: SQLite's date
// functions keep milliseconds, PostgreSQL microseconds, and both stores
// must give the same figures.
func seconds(v sql.NullFloat64) time.Duration {
	if !v.Valid {
		return 0
	}
	return time.Duration(math.Round(v.Float64)) * time.Second
}

// DeployedEnvTypes lists the environment types q's scope deployed to in
// [From, To): one index probe per type.
func (db *DB) DeployedEnvTypes(ctx context.Context, q paved.DORAQuery) ([]paved.EnvType, error) {
	query, args := record.DeployedEnvTypeSQL(q, doraDialect)
	var out []paved.EnvType
	for _, t := range paved.EnvTypes() {
		var found bool
		if err := db.r.QueryRowContext(ctx, query, args(t)...).Scan(&found); err != nil {
			return nil, fmt.Errorf("sqlite: deployed environment types: %w", err)
		}
		if found {
			out = append(out, t)
		}
	}
	return out, nil
}

// DORAWeeks counts q's deployments week by week in one read
// (record.DORAWeeksSQL).
func (db *DB) DORAWeeks(ctx context.Context, q paved.DORAQuery) ([]paved.DORAWeek, error) {
	query, args := record.DORAWeeksSQL(q, doraDialect)
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: dora weeks: %w", err)
	}
	defer rows.Close()
	weeks, err := record.DORAWeeks(q, rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: dora weeks: %w", err)
	}
	return weeks, nil
}
