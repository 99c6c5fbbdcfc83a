package platform

import (
	"context"
	"log/slog"
	"time"

	"paved.dev/paved"
)

// audit records a change and its result; a failure to record is logged,
// never hidden.
func (p *Platform) audit(ctx context.Context, action, target string, err error) {
	writeAudit(ctx, p.cfg.Store, p.log, p.now(), action, target, err)
}

// writeAudit is Platform.audit on a store alone, at now, by the context's
// actor.
func writeAudit(ctx context.Context, st paved.Store, log *slog.Logger, now time.Time, action, target string, err error) {
	who := "system"
	if u := paved.ActorFrom(ctx); u != nil {
		who = u.Name
	}
	result := "ok"
	if err != nil {
		result = paved.ErrorCode(err) + ": " + paved.ErrorMessage(err)
	}
	e := &paved.AuditEntry{Time: now, Actor: who, Action: action, Target: target, Result: result}
	if aerr := st.Audit(context.WithoutCancel(ctx), e); aerr != nil {
		log.Error("writing the audit log", "action", action, "target", target, "err", aerr)
	}
}

// ListAudit returns the newest audit entries matching f (at most 1000).
func (p *Platform) ListAudit(ctx context.Context, f paved.AuditFilter) ([]paved.AuditEntry, error) {
	if _, err := requireReader(ctx); err != nil {
		return nil, err
	}
	switch {
	case f.Limit <= 0:
		f.Limit = 100
	case f.Limit > 1000:
		f.Limit = 1000
	}
	return p.cfg.Store.ListAudit(ctx, f)
}
