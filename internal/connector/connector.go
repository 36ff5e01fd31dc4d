// Package connector is how a job reaches an application: over SCIM, over a
// signed webhook API, or through the application's own web page in a
// headless browser. Each kind lives in a package of its own; this one
// holds what they share: the interface the job engine calls and the error
// that tells the engine what went wrong in the application's terms.
//
// Every operation is idempotent where the application allows it, because
// a job killed mid-operation runs again: setting entitlements a user
// already holds, or removing a user who is gone, succeeds. Invite is the
// exception the engine handles: an invitation of a user already present
// returns ErrUserExists, and the engine decides whether that is its own
// earlier attempt (a retry) or the caller's mistake (a first attempt).
package connector

import (
	"context"
	"errors"
	"fmt"

	"github.com/latchkeyhq/latchkey"
)

// User is a person as the application knows them. Email is the key every
// connector matches on: it is what a workspace user and an application
// user have in common.
type User struct {
	Email        string
	FirstName    string
	LastName     string
	Entitlements []string // entitlement keys
	Fields       map[string]any
}

// Invite asks the application to give a person a seat.
type Invite struct {
	Email        string
	FirstName    string
	LastName     string
	Entitlements []string
}

// Credentials are the integration's admin login, read from the vault for
// the connectors that sign in as a person (the browser connector). They
// are secrets: never logged, never in an error.
type Credentials struct {
	Username string
	Password string
	TOTP     func() (string, error) // the current code; nil when the account has no seed
}

// Connector reaches one application.
type Connector interface {
	// Entitlements lists the roles and permissions the application offers.
	Entitlements(ctx context.Context) ([]latchkey.Entitlement, error)
	// Users lists the application's users.
	Users(ctx context.Context) ([]User, error)
	// Invite gives a person a seat with the given entitlements. A person
	// already present: ErrUserExists, nothing changed.
	Invite(ctx context.Context, in Invite) (User, error)
	// SetEntitlements replaces a user's entitlements. An unknown user:
	// ErrUserNotFound.
	SetEntitlements(ctx context.Context, email string, entitlements []string) error
	// Remove takes a user's seat away. A user already gone: nil.
	Remove(ctx context.Context, email string) error
}

// PasswordChanger is implemented by connectors that can change the
// integration's own admin password in the application.
type PasswordChanger interface {
	ChangePassword(ctx context.Context, current, next string) error
}

// Sentinel conditions the engine branches on; connectors wrap them in an
// *Error when they have more to say.
var (
	ErrUserExists   = errors.New("the user is already in the application")
	ErrUserNotFound = errors.New("the user is not in the application")
)

// Error is a failure in the application's terms. Type is one of the
// latchkey.JobErr… values; the engine copies it into the job's error
// details. Message must never hold a secret.
type Error struct {
	Type         string
	Message      string
	UserRequired bool // a person must act (fix credentials, buy seats) before a retry can help
	Temporary    bool // the engine should retry with backoff
	Step         string
	Screenshot   []byte // PNG of the page when a browser step failed
	Err          error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Type, e.Message, e.Err)
	}
	return e.Type + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error of the given type.
func Errorf(typ string, format string, args ...any) *Error {
	return &Error{Type: typ, Message: fmt.Sprintf(format, args...)}
}

// Unavailable reports that the application could not be reached or did not
// answer in time: always worth retrying.
func Unavailable(err error, format string, args ...any) *Error {
	return &Error{Type: latchkey.JobErrApplicationUnavailable, Message: fmt.Sprintf(format, args...), Temporary: true, Err: err}
}

// BadCredentials reports that the application refused the stored login.
func BadCredentials(format string, args ...any) *Error {
	return &Error{Type: latchkey.JobErrBadCredentials, Message: fmt.Sprintf(format, args...), UserRequired: true}
}

// NotEnoughSeats reports that the application's plan has no seat left.
func NotEnoughSeats(format string, args ...any) *Error {
	return &Error{Type: latchkey.JobErrNotEnoughSeats, Message: fmt.Sprintf(format, args...), UserRequired: true}
}

// UnknownEntitlement reports an entitlement the application does not offer.
func UnknownEntitlement(key string) *Error {
	return &Error{Type: latchkey.JobErrUnknownEntitlement, Message: fmt.Sprintf("the application has no entitlement %q", key)}
}

type operationKey struct{}

// WithOperationKey names the operation a connector call belongs to with a
// key that stays the same across the attempts of one job step, so that
// connectors whose applications deduplicate requests (the webhook
// connector's Idempotency-Key) can tell a repeat from a new request.
func WithOperationKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, operationKey{}, key)
}

// OperationKey is the key WithOperationKey set, or "".
func OperationKey(ctx context.Context) string {
	key, _ := ctx.Value(operationKey{}).(string)
	return key
}
