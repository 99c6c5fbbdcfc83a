package api

import (
	"context"
	"io"
	"net/http"

	"paved.dev/paved"
)

// backup serves GET /api/backup: a backup archive (tar+gzip) of the store
// and the local GitOps repository. An error before the first byte is the
// usual JSON error; one after it cuts the archive short, which the client
// detects (the gzip stream does not end).
func (s *Server) backup(w http.ResponseWriter, r *http.Request) error {
	return s.svc.Backup.Backup(r.Context(), &archiveWriter{w: w})
}

// archiveWriter sets the archive's headers at its first byte.
type archiveWriter struct {
	w       http.ResponseWriter
	started bool
}

func (a *archiveWriter) Write(p []byte) (int, error) {
	if !a.started {
		a.started = true
		h := a.w.Header()
		h.Set("Content-Type", "application/gzip")
		h.Set("Content-Disposition", `attachment; filename="paved-backup.tar.gz"`)
		h.Set("Cache-Control", "no-store")
		a.w.WriteHeader(http.StatusOK)
	}
	return a.w.Write(p)
}

// Backup downloads a backup archive into w.
func (c *Client) Backup(ctx context.Context, w io.Writer) error {
	req, err := c.newRequest(ctx, http.MethodGet, "/api/backup", nil, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/gzip, application/json")
	resp, err := c.send(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return c.responseError(resp)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return paved.Errorf(paved.EUNAVAILABLE, "downloading the backup from %s: %v", c.base, err)
	}
	return nil
}

func (u unavailable) Backup(context.Context, io.Writer) error { return u.err() }
