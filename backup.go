package paved

import (
	"context"
	"io"
)

// BackupService copies the platform's data while it keeps serving.
type BackupService interface {
	// Backup writes a backup archive to w: a gzip-compressed tar holding a
	// consistent copy of the store (paved.db) and, for the embedded
	// default, the local GitOps repository (gitops/). Admins only. The
	// secret key and the sealing key pair are never in it: they are backed
	// up apart. EINVALID when the store is backed up with its own tools
	// (PostgreSQL: pg_dump).
	Backup(ctx context.Context, w io.Writer) error
}
