package record

import (
	"fmt"
	"time"

	"paved.dev/paved"
)

// DORADialect is what the SQL stores' DORA query differs in.
type DORADialect struct {
	// Param is the i-th (1-based) placeholder.
	Param func(i int) string
	// Seconds is the expression of the seconds from one time column to
	// another.
	Seconds func(from, to string) string
	// Time is a time as the store's parameters take it.
	Time func(time.Time) any
	// TimeParam is the i-th placeholder where it must be read as a time.
	TimeParam func(i int) string
	// Floor is the expression of a non-negative number rounded down to an
	// integer.
	Floor func(expr string) string
}

// DORAScope is the condition (ending in AND, or "") and the arguments that
// select an app's, a team's apps' or every app's deployments.
func DORAScope(q paved.DORAQuery, d DORADialect) (string, []any) {
	switch {
	case q.App != "":
		return "app = " + d.Param(1) + " AND", []any{q.App}
	case q.Team != "":
		return "app IN (SELECT name FROM apps WHERE team = " + d.Param(1) + ") AND", []any{q.Team}
	}
	return "", nil
}

// DORASQL is the one definition of paved.DORAFigures, in one statement
// over the covering indexes of migration 16, and its arguments after the
// scope's: the type, the window's start and its end.
//
// ran is every deployment of the scope and type that ran (started and
// finished), from the window's start on, so that the deployment after the
// window's last one, and a recovery after the window ends, are seen; win
// keeps the window. A deployment's next (LEAD) is of its own environment
// incarnation; so is the first success after a failed change (one probe
// of deployments_env_finished per failed change). A median is the middle
// row, or the mean of the two middle rows, of the sorted values.
func DORASQL(q paved.DORAQuery, d DORADialect) (string, []any) {
	changes, args := doraChanges(q, d)
	median := func(name, values string) string {
		return name + ` AS MATERIALIZED (
	SELECT secs, ROW_NUMBER() OVER (ORDER BY secs) AS rn, COUNT(*) OVER () AS c FROM (` + values + `) v
)`
	}
	q1 := fmt.Sprintf(`%s, win AS MATERIALIZED (
	SELECT *, CASE WHEN failed_change THEN (SELECT MIN(s.finished_at) FROM deployments s
		WHERE s.env_id = c.env_id AND s.status = 'succeeded' AND s.finished_at > c.finished_at) END AS recovered_at
	FROM changes c
), %s, %s
SELECT COUNT(*), %s, %s,
	(SELECT COUNT(*) FROM lead), (SELECT AVG(secs) FROM lead WHERE rn IN ((c + 1) / 2, (c + 2) / 2)),
	(SELECT COUNT(*) FROM recovery), (SELECT AVG(secs) FROM recovery WHERE rn IN ((c + 1) / 2, (c + 2) / 2))
FROM win`,
		changes,
		median("lead", "SELECT "+d.Seconds("commit_time", "finished_at")+` AS secs FROM win
		WHERE status = 'succeeded' AND kind != 'rollback' AND commit_time IS NOT NULL AND commit_time <= finished_at`),
		median("recovery", "SELECT "+d.Seconds("finished_at", "recovered_at")+" AS secs FROM win WHERE recovered_at IS NOT NULL"),
		doraCounts, doraCount("failed_change AND recovered_at IS NULL"))
	return q1, args
}

func doraCount(cond string) string {
	return "COALESCE(SUM(CASE WHEN " + cond + " THEN 1 ELSE 0 END), 0)"
}

// doraCounts are the succeeded, failed, failed changes and rework of a
// group of changes, in the order of paved.DORAFigures.
var doraCounts = doraCount("status = 'succeeded'") + ", " + doraCount("status = 'failed'") + ", " +
	doraCount("failed_change") + ", " + doraCount("kind = 'rollback' OR fix")

// doraChanges starts the statements of DORASQL and DORAWeeksSQL: ran
// (every deployment of the scope and type that ran, from the window's
// start on, with its environment incarnation's next) and changes (those of
// the window, each marked whether it is a failed change), with the
// arguments: the scope's, the type, the window's start and its end.
func doraChanges(q paved.DORAQuery, d DORADialect) (string, []any) {
	scope, args := DORAScope(q, d)
	n := len(args)
	args = append(args, string(q.EnvType), d.Time(q.From), d.Time(q.To))
	return fmt.Sprintf(`WITH ran AS MATERIALIZED (
	SELECT env_id, created_at, kind, fix, status, finished_at, commit_time,
		LEAD(kind) OVER w AS next_kind, LEAD(fix) OVER w AS next_fix
	FROM deployments
	WHERE %s env_type = %s AND created_at >= %s AND status IN ('succeeded', 'failed') AND started_at IS NOT NULL
	WINDOW w AS (PARTITION BY env_id ORDER BY created_at, n)
), changes AS MATERIALIZED (
	SELECT *, (status = 'failed' OR (kind != 'rollback' AND COALESCE(next_kind = 'rollback' OR next_fix, false))) AS failed_change
	FROM ran WHERE created_at < %s
)`, scope, d.Param(n+1), d.Param(n+2), d.Param(n+3)), args
}

// doraWeek is a week in seconds.
const doraWeek = 7 * 24 * 60 * 60

// DORAWeeksSQL counts q's deployments week by week from q.From (week 0
// starts at From), as DORASQL counts them over the whole window: rows of
// the week's number, its deployments, succeeded, failed, failed changes
// and rework, for the weeks that had any, in order. It reads what DORASQL
// reads, without the recovery probes.
func DORAWeeksSQL(q paved.DORAQuery, d DORADialect) (string, []any) {
	changes, args := doraChanges(q, d)
	args = append(args, d.Time(q.From))
	week := d.Floor(d.Seconds(d.TimeParam(len(args)), "created_at") + fmt.Sprintf(" / %d", doraWeek))
	return fmt.Sprintf(`%s
SELECT %s AS week, COUNT(*), %s FROM changes GROUP BY 1 ORDER BY 1`, changes, week, doraCounts), args
}

// WeekRows are the rows of DORAWeeksSQL as both stores' drivers give them.
type WeekRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// DORAWeeks reads DORAWeeksSQL's rows (week number and counts) into every
// week of q's window, from its start, the empty ones too; the last one
// ends at q.To.
func DORAWeeks(q paved.DORAQuery, rows WeekRows) ([]paved.DORAWeek, error) {
	counts := map[int]paved.DORAWeek{}
	for rows.Next() {
		var n int
		var w paved.DORAWeek
		if err := rows.Scan(&n, &w.Deployments, &w.Succeeded, &w.Failed, &w.FailedChanges, &w.Rework); err != nil {
			return nil, err
		}
		counts[n] = w
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []paved.DORAWeek
	for i, from := 0, q.From; from.Before(q.To); i, from = i+1, from.Add(doraWeek*time.Second) {
		w := counts[i]
		w.From = from
		w.To = from.Add(doraWeek * time.Second)
		if q.To.Before(w.To) {
			w.To = q.To
		}
		out = append(out, w)
	}
	return out, nil
}

// DeployedEnvTypeSQL asks whether q's scope deployed to an environment
// type in [From, To) (an index probe), and the arguments of each type.
func DeployedEnvTypeSQL(q paved.DORAQuery, d DORADialect) (string, func(paved.EnvType) []any) {
	scope, args := DORAScope(q, d)
	n := len(args)
	return "SELECT EXISTS (SELECT 1 FROM deployments WHERE " + scope + " env_type = " + d.Param(n+1) +
			" AND created_at >= " + d.Param(n+2) + " AND created_at < " + d.Param(n+3) + ")",
		func(t paved.EnvType) []any {
			return append(append([]any{}, args...), string(t), d.Time(q.From), d.Time(q.To))
		}
}
