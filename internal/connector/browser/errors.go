package browser

import (
	"context"
	"errors"
	"fmt"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector"
)

// failIfError turns a fail_if step that matched into the engine's terms.
// msg is already redacted.
func failIfError(typ, msg, entitlement string) *connector.Error {
	switch typ {
	case latchkey.JobErrBadCredentials:
		return connector.BadCredentials("%s", msg)
	case latchkey.JobErrNotEnoughSeats:
		return connector.NotEnoughSeats("%s", msg)
	case latchkey.JobErrUserAlreadyExists:
		return &connector.Error{Type: typ, Message: msg, Err: connector.ErrUserExists}
	case latchkey.JobErrUserNotFound:
		return &connector.Error{Type: typ, Message: msg, Err: connector.ErrUserNotFound}
	case latchkey.JobErrUnknownEntitlement:
		e := connector.UnknownEntitlement(entitlement)
		e.Message += ": " + msg
		return e
	case latchkey.JobErrApplicationUnavailable:
		return connector.Unavailable(nil, "%s", msg)
	case latchkey.JobErrUnderpermissionedAccount, latchkey.JobErrSubscriptionDeactivated:
		// Someone has to fix the account or the plan; retrying won't.
		return &connector.Error{Type: typ, Message: msg, UserRequired: true}
	}
	return &connector.Error{Type: typ, Message: msg}
}

// safeError carries a browser error's text with the secrets taken out.
// It unwraps only to the context errors, so nothing can reach the raw
// error (whose text may quote a typed value) through errors.As.
type safeError struct {
	msg string
	ctx error // context.Canceled or context.DeadlineExceeded, or nil
}

func (e *safeError) Error() string { return e.msg }
func (e *safeError) Unwrap() error { return e.ctx }

func (r *run) sanitize(err error) error {
	if err == nil {
		return nil
	}
	s := &safeError{msg: r.red.redact(err.Error())}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		s.ctx = context.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		s.ctx = context.Canceled
	}
	return s
}

// stepFailed reports a step that could not do its job: the element never
// came, or the page said something unexpected. It carries a screenshot of
// the page as it was.
func (r *run) stepFailed(s recipeStep, cause error, format string, args ...any) *connector.Error {
	return &connector.Error{
		Type:       latchkey.JobErrStepFailed,
		Message:    r.red.redact(fmt.Sprintf(format, args...)),
		Step:       s.name,
		Screenshot: r.screenshot(),
		Err:        r.sanitize(cause),
	}
}

// unavailable reports that the application did not answer properly.
func (r *run) unavailable(s recipeStep, cause error) *connector.Error {
	e := connector.Unavailable(r.sanitize(cause), "the application did not answer properly at step %s", s.name)
	e.Step = s.name
	return e
}
