package scim

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector"
)

// fail turns an error of send into the *connector.Error the job engine
// branches on. what says what the connector was doing, in words a person
// reading the job's failure understands ("adding the user to Admins").
func (c *Client) fail(what string, err error) error {
	var ce *connector.Error
	if errors.As(err, &ce) {
		return err
	}
	var se *statusError
	if errors.As(err, &se) {
		switch {
		case se.status == http.StatusUnauthorized || se.status == http.StatusForbidden:
			// The provider's detail is left out: a person can act on
			// "the token was refused" and the detail adds nothing safe.
			return connector.BadCredentials("the SCIM service refused the token (HTTP %d)", se.status)
		case se.status == http.StatusTooManyRequests || se.status >= 500:
			return connector.Unavailable(se, "the SCIM service failed while %s", what)
		default:
			// The request was refused as it stands, so retrying it
			// unchanged will not help; the detail says why.
			return &connector.Error{
				Type:    latchkey.JobErrInternal,
				Message: fmt.Sprintf("the SCIM service refused the request while %s: %s", what, se),
			}
		}
	}
	var de *decodeError
	if errors.As(err, &de) {
		return &connector.Error{
			Type:    latchkey.JobErrInternal,
			Message: fmt.Sprintf("the SCIM service answered %s with something other than SCIM", what),
			Err:     de,
		}
	}
	// Anything else came from the transport: refused connection, DNS,
	// TLS, a reset, or the per-request deadline.
	return connector.Unavailable(err, "the SCIM service did not answer while %s", what)
}
