package paved

import (
	"errors"
	"fmt"
)

// Error codes. One place (the HTTP adapter) maps them to statuses and back, so
// an error survives the trip server → client → CLI exit code.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EUNAVAILABLE  = "unavailable"
	// ETOOMANY: a rate or concurrency limit was hit; try again later.
	ETOOMANY  = "too_many"
	EINTERNAL = "internal"
)

// ErrStoreUnavailable is in the chain of every error that says paved's own
// store is out of reach (its database restarts, the connection to it was
// cut): EUNAVAILABLE, like a target that cannot be reached, but never a
// reason to forget what paved made (a forced deletion forgets only what
// it cannot reach), since the store is what remembers it. Stores join it
// to the errors of their operations that they map to EUNAVAILABLE (not to
// those of opening the store, which stop the server from starting).
var ErrStoreUnavailable = errors.New("paved's store is unavailable")

// Error is an error a user can act on: a code and a message that says what to
// fix. Anything that is not an *Error is reported as "internal error".
type Error struct {
	Code    string
	Message string
	// Err is an optional cause kept for errors.Is/As; it is not shown.
	Err error
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	return &Error{Code: code, Message: err.Error(), Err: errors.Unwrap(err)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the full message of err if it carries an *Error, and
// "internal error" otherwise, so that unexpected details never reach a user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return err.Error()
	}
	return "internal error"
}
