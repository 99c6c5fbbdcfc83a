// Package api is paved's HTTP API: a Server that exposes the platform's
// services as JSON over HTTP, and a Client that implements the same service
// interfaces over HTTP, so that the CLI is a thin client of the server.
//
// Errors travel as {"error": {"code": "...", "message": "..."}}; StatusCode
// and CodeFromStatus are the one place that maps codes to statuses and back.
package api

import (
	"net/http"

	"paved.dev/paved"
)

// errorResponse is the body of every error response and of an SSE "error"
// event.
type errorResponse struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// StatusCode returns the HTTP status for a paved error code; unknown codes are
// internal errors.
func StatusCode(code string) int {
	switch code {
	case paved.EINVALID:
		return http.StatusBadRequest
	case paved.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case paved.EFORBIDDEN:
		return http.StatusForbidden
	case paved.ENOTFOUND:
		return http.StatusNotFound
	case paved.ECONFLICT:
		return http.StatusConflict
	case paved.ETOOMANY:
		return http.StatusTooManyRequests
	case paved.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// CodeFromStatus returns the paved error code for an HTTP status. The client
// uses it only when a response carries no paved error body (a proxy's 502).
func CodeFromStatus(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return paved.EUNAUTHORIZED
	case status == http.StatusForbidden:
		return paved.EFORBIDDEN
	case status == http.StatusNotFound:
		return paved.ENOTFOUND
	case status == http.StatusConflict:
		return paved.ECONFLICT
	case status == http.StatusTooManyRequests:
		return paved.ETOOMANY
	case status == http.StatusBadGateway,
		status == http.StatusServiceUnavailable, status == http.StatusGatewayTimeout:
		return paved.EUNAVAILABLE
	case status >= 400 && status < 500:
		return paved.EINVALID
	default:
		return paved.EINTERNAL
	}
}

// knownCode tells the codes of the domain from anything else a service might
// have put in an *Error.
func knownCode(code string) bool {
	switch code {
	case paved.EINVALID, paved.ENOTFOUND, paved.ECONFLICT, paved.EUNAUTHORIZED,
		paved.EFORBIDDEN, paved.ETOOMANY, paved.EUNAVAILABLE, paved.EINTERNAL:
		return true
	}
	return false
}
