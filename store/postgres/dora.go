package postgres

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"paved.dev/paved"
)

// doraSQL computes every DORA figure in one statement over the covering
// indexes of migration 16 (see paved.DORAFigures for what counts), as the
// SQLite store's does: ran is every deployment of the scope and type that
// ran from the window's start on (so the deployment after the window's
// last one, and a recovery after the window ends, are seen); win keeps the
// window; a deployment's next and the first success after it are of its
// own environment incarnation; a median is the middle row, or the mean of
// the two middle rows, of the sorted values.
const doraSQL = `WITH ran AS MATERIALIZED (
	SELECT created_at, kind, fix, status, finished_at, commit_time,
		LEAD(kind) OVER w AS next_kind, LEAD(fix) OVER w AS next_fix,
		MIN(CASE WHEN status = 'succeeded' THEN finished_at END) OVER (PARTITION BY env_id ORDER BY created_at DESC, n DESC
			ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS recovered_at
	FROM deployments
	WHERE %s env_type = $%d AND created_at >= $%d AND status IN ('succeeded', 'failed') AND started_at IS NOT NULL
	WINDOW w AS (PARTITION BY env_id ORDER BY created_at, n)
), win AS MATERIALIZED (
	SELECT *, (status = 'failed' OR COALESCE(next_kind = 'rollback' OR next_fix, false)) AS failed_change
	FROM ran WHERE created_at < $%d
), lead AS MATERIALIZED (
	SELECT secs, ROW_NUMBER() OVER (ORDER BY secs) AS rn, COUNT(*) OVER () AS c FROM (
		SELECT EXTRACT(EPOCH FROM finished_at - commit_time)::float8 AS secs FROM win
		WHERE status = 'succeeded' AND kind != 'rollback' AND commit_time IS NOT NULL AND commit_time <= finished_at) l
), recovery AS MATERIALIZED (
	SELECT secs, ROW_NUMBER() OVER (ORDER BY secs) AS rn, COUNT(*) OVER () AS c FROM (
		SELECT EXTRACT(EPOCH FROM recovered_at - finished_at)::float8 AS secs FROM win
		WHERE failed_change AND recovered_at IS NOT NULL) r
)
SELECT COUNT(*), COUNT(*) FILTER (WHERE status = 'succeeded'), COUNT(*) FILTER (WHERE status = 'failed'),
	COUNT(*) FILTER (WHERE failed_change), COUNT(*) FILTER (WHERE kind = 'rollback' OR fix),
	COUNT(*) FILTER (WHERE failed_change AND recovered_at IS NULL),
	(SELECT COUNT(*) FROM lead), (SELECT AVG(secs) FROM lead WHERE rn IN ((c + 1) / 2, (c + 2) / 2)),
	(SELECT COUNT(*) FROM recovery), (SELECT AVG(secs) FROM recovery WHERE rn IN ((c + 1) / 2, (c + 2) / 2))
FROM win`

// doraScope is the condition (ending in AND) and arguments that select an
// app's, a team's apps' or every app's deployments.
func doraScope(q paved.DORAQuery) (string, []any) {
	switch {
	case q.App != "":
		return "app = $1 AND", []any{q.App}
	case q.Team != "":
		return "app IN (SELECT name FROM apps WHERE team = $1) AND", []any{q.Team}
	}
	return "", nil
}

// DORA computes the DORA figures of q in one read.
func (db *DB) DORA(ctx context.Context, q paved.DORAQuery) (*paved.DORAFigures, error) {
	scope, args := doraScope(q)
	n := len(args)
	args = append(args, string(q.EnvType), q.From, q.To)
	var f paved.DORAFigures
	var lead, recovery *float64
	err := db.pool.QueryRow(ctx, fmt.Sprintf(doraSQL, scope, n+1, n+2, n+3), args...).Scan(&f.Deployments, &f.Succeeded, &f.Failed,
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
	scope, args := doraScope(q)
	n := len(args)
	q1 := "SELECT EXISTS (SELECT 1 FROM deployments WHERE " + scope + " env_type = $" + strconv.Itoa(n+1) +
		" AND created_at >= $" + strconv.Itoa(n+2) + " AND created_at < $" + strconv.Itoa(n+3) + ")"
	var out []paved.EnvType
	for _, t := range paved.EnvTypes() {
		var found bool
		if err := db.pool.QueryRow(ctx, q1, append(append([]any{}, args...), string(t), q.From, q.To)...).Scan(&found); err != nil {
			return nil, fmt.Errorf("postgres: deployed environment types: %w", err)
		}
		if found {
			out = append(out, t)
		}
	}
	return out, nil
}
