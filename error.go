package latchkey

import (
	"errors"
	"fmt"
)

// ErrorCode classifies an Error. Front ends map each code to their wire
// format in exactly one place; the strings are the snake_case codes of the
// public API's error envelope.
type ErrorCode string

const (
	EInvalid         ErrorCode = "validation_error"  // the request is malformed or breaks a rule about its content
	EUnauthorized    ErrorCode = "unauthorized"      // no usable credential, or an API key lacking a scope
	EForbidden       ErrorCode = "forbidden"         // authenticated, but the role does not allow it
	ENotFound        ErrorCode = "not_found"         // unknown, or not visible to the principal
	EConflict        ErrorCode = "conflict"          // clashes with current state (duplicate name, concurrent change)
	ETooLarge        ErrorCode = "payload_too_large" // request body over the limit
	ETooManyRequests ErrorCode = "too_many_requests" // rate limited
	EUnavailable     ErrorCode = "service_unavailable"
	EInternal        ErrorCode = "internal_error"
)

// Error is the one error type of Latchkey. Message is safe to show to the
// caller: it never carries a secret, a stack trace or SQL. Err keeps the
// cause for logs and errors.Is/As.
type Error struct {
	Code    ErrorCode
	Message string
	Meta    *ValidationMeta // set for EInvalid when one field is to blame
	Err     error
}

// ValidationMeta locates a validation failure the way the vendor's API does:
// Loc is a path such as ["data","attributes","title"] or ["filter[status]",0].
type ValidationMeta struct {
	Loc  []any          `json:"loc"`
	Msg  string         `json:"msg"`
	Type string         `json:"type"`
	Ctx  map[string]any `json:"ctx,omitempty"`
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid reports a validation failure of one input location.
// typ follows the vendor's vocabulary ("value_error.missing", "type_error.enum",
// "extra_forbidden", "too_short", …).
func Invalid(loc []any, typ, msg string) *Error {
	return &Error{Code: EInvalid, Message: msg, Meta: &ValidationMeta{Loc: loc, Msg: msg, Type: typ}}
}

// Wrap returns an Error of the given code and message caused by err.
func Wrap(err error, code ErrorCode, message string) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// ErrorCodeOf returns the code of the first *Error in err's chain, or
// EInternal for any other non-nil error.
func ErrorCodeOf(err error) ErrorCode {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessageOf returns the caller-safe message of err. Errors that are not
// an *Error are internal and their text is never shown.
func ErrorMessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "An internal error occurred."
}

// IsCode reports whether err carries the given code.
func IsCode(err error, code ErrorCode) bool { return ErrorCodeOf(err) == code }
