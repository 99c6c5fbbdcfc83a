package kubernetes

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"paved.dev/paved"
)

// apiError turns an error of a call to the cluster into a paved.Error whose
// message names the target, what was being done (doing, e.g. "apply
// ConfigMap/ns/x") and why it failed, in words a platform engineer can act on.
func (t *Target) apiError(doing string, err error) error {
	if err == nil {
		return nil
	}
	var pe *paved.Error
	if errors.As(err, &pe) {
		return err
	}
	var status apierrors.APIStatus
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return paved.Errorf(paved.EUNAVAILABLE, "%s: %s: gave up: %w", t, doing, err)
	case apierrors.IsUnauthorized(err):
		return paved.Errorf(paved.EUNAUTHORIZED, "%s: %s: unauthorized: the cluster rejected the credentials; check the token or client certificate in the kubeconfig: %w", t, doing, err)
	case apierrors.IsForbidden(err):
		return paved.Errorf(paved.EFORBIDDEN, "%s: %s: forbidden: the credentials lack the rights: %w", t, doing, err)
	case apierrors.IsConflict(err):
		if msg := fieldConflicts(err); msg != "" {
			// The server's own text repeats the fields; keep it as the cause only.
			return &paved.Error{Code: paved.ECONFLICT, Message: fmt.Sprintf("%s: %s: %s", t, doing, msg), Err: err}
		}
		return paved.Errorf(paved.ECONFLICT, "%s: %s: conflict: %w", t, doing, err)
	case apierrors.IsInternalError(err) && strings.Contains(err.Error(), "failed to create typed patch object"):
		// An apply whose object does not fit its kind's schema (a misspelt
		// field) comes back as a 500, but it is the object that is wrong.
		return paved.Errorf(paved.EINVALID, "%s: %s: rejected as invalid: the object does not match the schema of its kind: %w", t, doing, err)
	case apierrors.IsInvalid(err) || apierrors.IsBadRequest(err):
		return paved.Errorf(paved.EINVALID, "%s: %s: rejected as invalid: %w", t, doing, err)
	case apierrors.IsNotFound(err):
		return paved.Errorf(paved.ENOTFOUND, "%s: %s: not found: %w", t, doing, err)
	case apierrors.IsServiceUnavailable(err) || apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) ||
		apierrors.IsTooManyRequests(err) || apierrors.IsInternalError(err):
		return paved.Errorf(paved.EUNAVAILABLE, "%s: %s: the cluster is unavailable: %w", t, doing, err)
	case errors.As(err, &status):
		return paved.Errorf(paved.EINTERNAL, "%s: %s: %w", t, doing, err)
	}
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	if errors.As(err, &unknownCA) || errors.As(err, &hostname) {
		return paved.Errorf(paved.EUNAVAILABLE, "%s: %s: the server's certificate is not trusted; check certificate-authority-data in the kubeconfig: %w", t, doing, err)
	}
	// No answer from an apiserver at all: refused, DNS, TLS, timeout.
	return paved.Errorf(paved.EUNAVAILABLE, "%s: %s: unreachable: %w", t, doing, err)
}

// fieldConflicts describes the fields of a server-side apply conflict by
// their owners, or returns "" when err is another kind of conflict.
func fieldConflicts(err error) string {
	byOwner := map[string][]string{}
	var owners []string
	for _, c := range applyConflicts(err) {
		if _, seen := byOwner[c.manager]; !seen {
			owners = append(owners, c.manager)
		}
		byOwner[c.manager] = append(byOwner[c.manager], c.field)
	}
	if len(owners) == 0 {
		return ""
	}
	parts := make([]string, 0, len(owners))
	for _, o := range owners {
		parts = append(parts, fmt.Sprintf("%s owned by field manager %q", strings.Join(byOwner[o], ", "), o))
	}
	return "conflict: " + strings.Join(parts, "; ") +
		"; paved applies without force so that it never takes a field from someone else: remove the field from the workload, or have the other manager give it up"
}

// conflictManagers lists the field managers a server-side apply conflicted
// with, nil when err is no apply conflict.
func conflictManagers(err error) []string {
	var out []string
	for _, c := range applyConflicts(err) {
		if !slices.Contains(out, c.manager) {
			out = append(out, c.manager)
		}
	}
	return out
}

type applyConflict struct{ field, manager string }

func applyConflicts(err error) []applyConflict {
	var se *apierrors.StatusError
	if !errors.As(err, &se) || se.ErrStatus.Details == nil {
		return nil
	}
	var out []applyConflict
	for _, c := range se.ErrStatus.Details.Causes {
		if c.Type != metav1.CauseTypeFieldManagerConflict {
			continue
		}
		// The message reads `conflict with "kubectl" using apps/v1` or
		// `conflict with "kubectl" with subresource "scale"`.
		manager := c.Message
		if _, rest, ok := strings.Cut(c.Message, `conflict with "`); ok {
			if name, _, ok := strings.Cut(rest, `"`); ok {
				manager = name
			}
		}
		out = append(out, applyConflict{field: c.Field, manager: manager})
	}
	return out
}
