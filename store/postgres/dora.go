package postgres

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

var doraDialect = record.DORADialect{
	Param:     func(i int) string { return "$" + strconv.Itoa(i) },
	Seconds:   func(from, to string) string { return "EXTRACT(EPOCH FROM " + to + " - " + from + ")::float8" },
	Time:      func(t time.Time) any { return t },
	TimeParam: func(i int) string { return "$" + strconv.Itoa(i) + "::timestamptz" },
	Floor:     func(e string) string { return "FLOOR(" + e + ")::int" },
}

// DORA computes the DORA figures of q in one read (record.DORASQL).
func (db *DB) DORA(ctx context.Context, q paved.DORAQuery) (*paved.DORAFigures, error) {
	query, args := record.DORASQL(q, doraDialect)
	var f paved.DORAFigures
	var lead, recovery *float64
	err := db.pool.QueryRow(ctx, query, args...).Scan(&f.Deployments, &f.Succeeded, &f.Failed,
		&f.FailedChanges, &f.Rework, &f.Unrecovered, &f.LeadTimes, &lead, &f.Recovered, &recovery)
	if err != nil {
		return nil, fmt.Errorf("postgres: dora: %w", err)
	}
	f.LeadTime, f.RecoveryTime = seconds(lead), seconds(recovery)
	return &f, nil
}

// seconds rounds a number of seconds to a whole second, as the SQLite
// store does (its date functions keep milliseconds only).
func seconds(v *float64) time.Duration {
	if v == nil {
		return 0
	}
	return time.Duration(math.Round(*v)) * time.Second
}

// DeployedEnvTypes lists the environment types q's scope deployed to in
// [From, To): one index probe per type.
func (db *DB) DeployedEnvTypes(ctx context.Context, q paved.DORAQuery) ([]paved.EnvType, error) {
	query, args := record.DeployedEnvTypeSQL(q, doraDialect)
	var out []paved.EnvType
	for _, t := range paved.EnvTypes() {
		var found bool
		if err := db.pool.QueryRow(ctx, query, args(t)...).Scan(&found); err != nil {
			return nil, fmt.Errorf("postgres: deployed environment types: %w", err)
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
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: dora weeks: %w", err)
	}
	defer rows.Close()
	weeks, err := record.DORAWeeks(q, rows)
	if err != nil {
		return nil, fmt.Errorf("postgres: dora weeks: %w", err)
	}
	return weeks, nil
}
