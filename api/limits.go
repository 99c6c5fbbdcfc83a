package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"paved.dev/paved"
)

// MaxPageSize is the most items one list request returns (?limit=).
const MaxPageSize = 1000

// DefaultRequestTimeout bounds the work of one request (event streams
// excepted, which have their own limits): shorter than the HTTP server's
// write timeout, so that the answer saying so still reaches the client.
const DefaultRequestTimeout = 90 * time.Second

// queryLimit reads ?limit=: 0 (the service's default) up to MaxPageSize.
func queryLimit(r *http.Request) (int, error) {
	n, err := queryInt(r, "limit")
	if err != nil {
		return 0, err
	}
	if n > MaxPageSize {
		return 0, paved.Errorf(paved.EINVALID, "limit: %d is more than a page holds (at most %d); ask for the next page with before=", n, MaxPageSize)
	}
	return int(n), nil
}

// withDeadline gives a request's work at most d: its context ends then, and
// what the work returns because of it is answered 503 with the limit.
func (s *Server) withDeadline(d time.Duration, h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		err := h(w, r.WithContext(ctx))
		if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) && r.Context().Err() == nil {
			return paved.Errorf(paved.EUNAVAILABLE, "the request took longer than the limit of %v and was stopped; try again, or ask for less (a smaller page, fewer files)", d)
		}
		return err
	}
}
