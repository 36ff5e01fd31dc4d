package api

import (
	"errors"
	"net/http"

	"github.com/latchkeyhq/latchkey"
)

// wireError is one entry of the errors[] envelope.
type wireError struct {
	Code   string                   `json:"code"`
	Detail string                   `json:"detail"`
	Meta   *latchkey.ValidationMeta `json:"meta"`
	Status int                      `json:"status"`
	Title  string                   `json:"title"`
}

type errorDocument struct {
	Errors []wireError `json:"errors"`
}

// statusOf is the one place error codes become HTTP statuses.
func statusOf(code latchkey.ErrorCode) int {
	switch code {
	case latchkey.EInvalid:
		return http.StatusBadRequest
	case latchkey.EUnauthorized:
		return http.StatusUnauthorized
	case latchkey.EForbidden:
		return http.StatusForbidden
	case latchkey.ENotFound:
		return http.StatusNotFound
	case latchkey.EConflict:
		return http.StatusConflict
	case latchkey.ETooLarge:
		return http.StatusRequestEntityTooLarge
	case latchkey.ETooManyRequests:
		return http.StatusTooManyRequests
	case latchkey.EUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// writeError answers with err in the errors[] envelope. Internal errors are
// logged with their cause and answered with a message that reveals nothing.
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		err = latchkey.Errorf(latchkey.ETooLarge, "The request body is larger than %d bytes.", maxErr.Limit)
	}
	code := latchkey.ErrorCodeOf(err)
	status := statusOf(code)
	we := wireError{Code: string(code), Title: string(code), Detail: latchkey.ErrorMessageOf(err), Status: status}
	var le *latchkey.Error
	if errors.As(err, &le) && code == latchkey.EInvalid {
		we.Meta = le.Meta
	}
	if status >= 500 {
		h.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, errorDocument{Errors: []wireError{we}})
}

// writeStatusError answers with an error that has no latchkey code, such as
// 405, in the same envelope.
func writeStatusError(w http.ResponseWriter, status int, code, detail string) {
	writeJSON(w, status, errorDocument{Errors: []wireError{{Code: code, Title: code, Detail: detail, Status: status}}})
}
