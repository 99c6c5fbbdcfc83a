package platform

import (
	"context"
	"io"

	"paved.dev/paved"
)

// Backup writes a backup archive of the platform's data to w, for admins;
// it is audited. A store with its own backup tools (PostgreSQL) is refused,
// naming them.
func (p *Platform) Backup(ctx context.Context, w io.Writer) error {
	if _, err := requireAdmin(ctx, "a backup"); err != nil {
		return err
	}
	if p.cfg.Backup == nil {
		return paved.Errorf(paved.EINVALID, "this server's store is PostgreSQL: back it up with pg_dump (pg_dump -Fc -d DATABASE -f paved.dump; docs/reliability.md#backups), not paved backup")
	}
	err := p.cfg.Backup(ctx, w)
	p.audit(ctx, "backup", "store and GitOps repository", err)
	return err
}
