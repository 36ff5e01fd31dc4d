package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector"
)

const (
	// maxMessageLen bounds what the application's own words may take of a
	// job's failure message.
	maxMessageLen = 300
	// maxSnippetLen bounds how much of a body that is not the protocol's
	// is quoted: enough to recognise a proxy's error page.
	maxSnippetLen = 120
	maxTypeLen    = 64
)

// vocabulary is the error types an application may send that mean what
// they mean in Latchkey, whatever the status: the application knows better
// than its status code whether a 403 is a revoked key or a plan without
// the feature. true marks the ones a person must act on before a retry
// can help. InternalError is left out on purpose: from an application it
// means the application's fault, which is its 5xx, not Latchkey's bug.
var vocabulary = map[string]bool{
	latchkey.JobErrUserAlreadyExists:        false,
	latchkey.JobErrUserNotFound:             false,
	latchkey.JobErrUnknownEntitlement:       false,
	latchkey.JobErrInvalidEmail:             false,
	latchkey.JobErrApplicationUnavailable:   false,
	latchkey.JobErrNotEnoughSeats:           true,
	latchkey.JobErrBadCredentials:           true,
	latchkey.JobErrUnderpermissionedAccount: true,
	latchkey.JobErrSubscriptionDeactivated:  true,
}

// failure turns a non-2xx answer into the connector's terms. The order
// matters: a type from the vocabulary wins, then what the status alone
// says for certain (credentials, overload, redirect), then the per-
// operation meaning of 404 and 409, then whatever type the application
// invented.
func (c *Client) failure(op string, resp *http.Response, body []byte) error {
	status := resp.StatusCode
	e, shape := readError(body)
	typ := e.Type
	if !validType(typ) {
		typ = ""
	}
	msg := c.clean(e.Message, maxMessageLen)

	if _, known := vocabulary[typ]; known {
		return c.typed(typ, msg, e, status)
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return connector.BadCredentials("the application refused the signed %s call with HTTP %d%s; check that it holds the same signing secret and that both clocks are right",
			op, status, detail(typ, msg))
	case status == http.StatusTooManyRequests || status >= 500:
		// A proxy's error page says which proxy gave up: worth quoting.
		if shape == shapeOther {
			msg = c.snippet(body)
		}
		return connector.Unavailable(nil, "the application answered %s with HTTP %d%s", op, status, detail(typ, msg))
	case status >= 300 && status < 400:
		return &connector.Error{
			Type:         latchkey.JobErrApplicationUnavailable,
			Message:      fmt.Sprintf("the webhook URL answered %s with HTTP %d, a redirect to %q; configure the URL it redirects to", op, status, c.clean(resp.Header.Get("Location"), maxSnippetLen)),
			UserRequired: true,
		}
	case shape == shapeOther:
		// A 404 page from a web server in front of the application must not
		// read as "the user is gone": users.remove would then succeed
		// without anything having been removed.
		return &connector.Error{
			Type: latchkey.JobErrApplicationUnavailable,
			Message: fmt.Sprintf("the application answered %s with HTTP %d and a body that is not a webhook error (Content-Type %q): %s",
				op, status, c.clean(resp.Header.Get("Content-Type"), maxSnippetLen), c.snippet(body)),
			UserRequired: true,
		}
	case status == http.StatusNotFound && (op == opUsersSetEntitlements || op == opUsersRemove):
		return userNotFound(msg)
	case status == http.StatusConflict && op == opUsersInvite:
		return userExists(msg)
	case typ != "":
		return &connector.Error{Type: typ, Message: or(msg, fmt.Sprintf("the application answered %s with HTTP %d", op, status))}
	}
	return &connector.Error{
		Type:         latchkey.JobErrApplicationUnavailable,
		Message:      fmt.Sprintf("the application answered %s with HTTP %d%s", op, status, detail("", msg)),
		UserRequired: true,
	}
}

// typed maps a vocabulary type.
func (c *Client) typed(typ, msg string, e wireError, status int) error {
	switch typ {
	case latchkey.JobErrUserAlreadyExists:
		return userExists(msg)
	case latchkey.JobErrUserNotFound:
		return userNotFound(msg)
	case latchkey.JobErrUnknownEntitlement:
		if key := c.clean(e.Entitlement, maxSnippetLen); key != "" {
			return connector.UnknownEntitlement(key)
		}
		return connector.Errorf(typ, "%s", or(msg, "the application does not offer one of the entitlements"))
	case latchkey.JobErrNotEnoughSeats:
		return connector.NotEnoughSeats("%s", or(msg, "the application has no seat left"))
	case latchkey.JobErrBadCredentials:
		return connector.BadCredentials("%s", or(msg, "the application refused the signed call"))
	case latchkey.JobErrApplicationUnavailable:
		return connector.Unavailable(nil, "%s", or(msg, fmt.Sprintf("the application answered HTTP %d", status)))
	}
	return &connector.Error{Type: typ, Message: or(msg, fmt.Sprintf("the application answered HTTP %d", status)), UserRequired: vocabulary[typ]}
}

func userExists(msg string) error {
	return &connector.Error{Type: latchkey.JobErrUserAlreadyExists, Message: or(msg, "the application already has this user"), Err: connector.ErrUserExists}
}

func userNotFound(msg string) error {
	return &connector.Error{Type: latchkey.JobErrUserNotFound, Message: or(msg, "the application has no such user"), Err: connector.ErrUserNotFound}
}

// badAnswer reports a 2xx answer that does not follow the protocol: the
// application's webhook is broken or the URL points at something else, and
// a person has to look either way.
func (c *Client) badAnswer(op string, status int, format string, args ...any) error {
	return &connector.Error{
		Type:         latchkey.JobErrApplicationUnavailable,
		Message:      fmt.Sprintf("the application answered %s with HTTP %d, but not as the webhook protocol says: ", op, status) + fmt.Sprintf(format, args...),
		UserRequired: true,
	}
}

type bodyShape int

const (
	shapeEmpty    bodyShape = iota // nothing, or only whitespace
	shapeEnvelope                  // {"error": {...}}
	shapeOther                     // anything else: HTML, plain text, other JSON
)

func readError(body []byte) (wireError, bodyShape) {
	if len(bytes.TrimSpace(body)) == 0 {
		return wireError{}, shapeEmpty
	}
	var a errorAnswer
	if err := json.Unmarshal(body, &a); err != nil || a.Error == nil {
		return wireError{}, shapeOther
	}
	return *a.Error, shapeEnvelope
}

// validType accepts identifiers like Latchkey's own types, so that a type
// can be stored and shown as the job's failure type without surprises.
func validType(s string) bool {
	if s == "" || len(s) > maxTypeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b >= 'A' && b <= 'Z', b >= 'a' && b <= 'z':
		case (b >= '0' && b <= '9' || b == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}

// clean makes text from the application fit for a job's failure message:
// the signing secret removed (the application holds it too, and a careless
// one may echo it), control characters flattened, at most max runes.
func (c *Client) clean(s string, max int) string {
	if len(c.secret) > 0 {
		s = strings.ReplaceAll(s, string(c.secret), "[redacted]")
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max-1]) + "…"
	}
	return s
}

func (c *Client) snippet(body []byte) string {
	s := c.clean(string(body), maxSnippetLen)
	if s == "" {
		return "(empty)"
	}
	return s
}

// detail is the application's own words, when it said any, for the end of
// a message.
func detail(typ, msg string) string {
	switch {
	case typ != "" && msg != "":
		return " (" + typ + ": " + msg + ")"
	case typ != "":
		return " (" + typ + ")"
	case msg != "":
		return ": " + msg
	}
	return ""
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
