package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"paved.dev/paved"
)

// doraSQL computes every DORA figure in one statement over the covering
// indexes of migration 16 (see paved.DORAFigures for what counts). ran is
// every deployment of the scope and type that ran, from the window's start
// on, so that the deployment after the window's last one, and a recovery
// after the window ends, are seen; win keeps the window. A deployment's
// next (LEAD) and the first success after it (MIN over the rows that follow,
// read backwards so that the frame only grows) are of its own environment
// incarnation. Medians take the middle row, or the mean of the two middle
// rows, of the sorted values.
const doraSQL = `WITH ran AS MATERIALIZED (
	SELECT created_at, kind, fix, status, finished_at, commit_time,
		LEAD(kind) OVER w AS next_kind, LEAD(fix) OVER w AS next_fix,
		MIN(CASE WHEN status = 'succeeded' THEN finished_at END) OVER (PARTITION BY env_id ORDER BY created_at DESC, n DESC
			ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS recovered_at
	FROM deployments
	WHERE %s env_type = ? AND created_at >= ? AND status IN ('succeeded', 'failed') AND started_at IS NOT NULL
	WINDOW w AS (PARTITION BY env_id ORDER BY created_at, n)
), win AS MATERIALIZED (
	SELECT *, (status = 'failed' OR COALESCE(next_kind = 'rollback' OR next_fix = 1, 0)) AS failed_change
	FROM ran WHERE created_at < ?
), lead AS MATERIALIZED (
	SELECT secs, ROW_NUMBER() OVER (ORDER BY secs) AS rn, COUNT(*) OVER () AS c FROM (
		SELECT (julianday(finished_at) - julianday(commit_time)) * 86400 AS secs FROM win
		WHERE status = 'succeeded' AND kind != 'rollback' AND commit_time IS NOT NULL AND commit_time <= finished_at)
), recovery AS MATERIALIZED (
	SELECT secs, ROW_NUMBER() OVER (ORDER BY secs) AS rn, COUNT(*) OVER () AS c FROM (
		SELECT (julianday(recovered_at) - julianday(finished_at)) * 86400 AS secs FROM win
		WHERE failed_change AND recovered_at IS NOT NULL)
)
SELECT COUNT(*), COALESCE(SUM(status = 'succeeded'), 0), COALESCE(SUM(status = 'failed'), 0),
	COALESCE(SUM(failed_change), 0), COALESCE(SUM(kind = 'rollback' OR fix = 1), 0),
	COALESCE(SUM(failed_change AND recovered_at IS NULL), 0),
	(SELECT COUNT(*) FROM lead), (SELECT AVG(secs) FROM lead WHERE rn IN ((c + 1) / 2, (c + 2) / 2)),
	(SELECT COUNT(*) FROM recovery), (SELECT AVG(secs) FROM recovery WHERE rn IN ((c + 1) / 2, (c + 2) / 2))
FROM win`

// doraScope is the condition (ending in AND) and arguments that select an
// app's, a team's apps' or every app's deployments.
func doraScope(q paved.DORAQuery) (string, []any) {
	switch {
	case q.App != "":
		return "app = ? AND", []any{q.App}
	case q.Team != "":
		return "app IN (SELECT name FROM apps WHERE team = ?) AND", []any{q.Team}
	}
	return "", nil
}

// DORA computes the DORA figures of q in one read.
func (db *DB) DORA(ctx context.Context, q paved.DORAQuery) (*paved.DORAFigures, error) {
	scope, args := doraScope(q)
	args = append(args, string(q.EnvType), fmtTime(q.From), fmtTime(q.To))
	var f paved.DORAFigures
	var lead, recovery sql.NullFloat64
	err := db.r.QueryRowContext(ctx, fmt.Sprintf(doraSQL, scope), args...).Scan(&f.Deployments, &f.Succeeded, &f.Failed,
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
	scope, scopeArgs := doraScope(q)
	var out []paved.EnvType
	for _, t := range paved.EnvTypes() {
		var found bool
		args := append(append([]any{}, scopeArgs...), string(t), fmtTime(q.From), fmtTime(q.To))
		err := db.r.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM deployments WHERE "+scope+
			" env_type = ? AND created_at >= ? AND created_at < ?)", args...).Scan(&found)
		if err != nil {
			return nil, fmt.Errorf("sqlite: deployed environment types: %w", err)
		}
		if found {
			out = append(out, t)
		}
	}
	return out, nil
}
