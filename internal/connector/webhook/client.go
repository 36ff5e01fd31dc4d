package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector"
)

// maxPages stops a walk through users.list whose application keeps
// inventing new cursors; a loop over old ones is caught sooner.
const maxPages = 10_000

// Client is the webhook connector for one application. It is safe for
// concurrent use. Redirects are never followed: the configured URL must
// be the endpoint itself.
type Client struct {
	url     string
	host    string // for messages: where, without path or query
	secret  []byte
	http    *http.Client
	timeout time.Duration
}

var _ connector.Connector = (*Client)(nil)

// String keeps the secret out of logs that print a Client.
func (c *Client) String() string { return fmt.Sprintf("webhook.Client{URL: %q}", c.url) }

// GoString does the same for %#v.
func (c *Client) GoString() string { return c.String() }

// Entitlements calls entitlements.list.
func (c *Client) Entitlements(ctx context.Context) ([]latchkey.Entitlement, error) {
	id, err := requestID(ctx)
	if err != nil {
		return nil, err
	}
	a, err := c.call(ctx, opEntitlementsList, id, listData{})
	if err != nil {
		return nil, err
	}
	var got entitlementsAnswer
	if err := c.decode(opEntitlementsList, a, &got); err != nil {
		return nil, err
	}
	if got.Entitlements == nil {
		return nil, c.badAnswer(opEntitlementsList, a.status, `the answer has no "entitlements" array`)
	}
	out := make([]latchkey.Entitlement, 0, len(*got.Entitlements))
	seen := make(map[string]bool, len(*got.Entitlements))
	for i, e := range *got.Entitlements {
		if e.Key == "" {
			return nil, c.badAnswer(opEntitlementsList, a.status, "entitlement %d has no key", i)
		}
		if seen[e.Key] {
			return nil, c.badAnswer(opEntitlementsList, a.status, "entitlement %q is listed twice", c.clean(e.Key, maxSnippetLen))
		}
		seen[e.Key] = true
		group := latchkey.EntitlementGroup(e.Group)
		switch group {
		case "":
			group = latchkey.EntitlementPrimary
		case latchkey.EntitlementPrimary, latchkey.EntitlementSecondary:
		default:
			return nil, c.badAnswer(opEntitlementsList, a.status, "entitlement %q has group %q; want %q or %q",
				c.clean(e.Key, maxSnippetLen), c.clean(e.Group, maxSnippetLen), latchkey.EntitlementPrimary, latchkey.EntitlementSecondary)
		}
		label := e.Label
		if label == "" {
			label = e.Key
		}
		out = append(out, latchkey.Entitlement{Key: e.Key, Group: group, Label: label})
	}
	return out, nil
}

// Users walks users.list page by page, sending each "next" back as the
// cursor until there is none. A user listed on two pages, as offset
// paging does when the list changes during the walk, is kept once.
func (c *Client) Users(ctx context.Context) ([]connector.User, error) {
	base, err := requestID(ctx)
	if err != nil {
		return nil, err
	}
	var (
		users   []connector.User
		byEmail = map[string]bool{}
		cursors = map[string]bool{}
		cursor  string
	)
	for page := 1; ; page++ {
		if page > maxPages {
			return nil, c.badAnswer(opUsersList, http.StatusOK, "more than %d pages", maxPages)
		}
		a, err := c.call(ctx, opUsersList, pageID(base, page), listData{Cursor: cursor})
		if err != nil {
			return nil, err
		}
		var got usersAnswer
		if err := c.decode(opUsersList, a, &got); err != nil {
			return nil, err
		}
		if got.Users == nil {
			return nil, c.badAnswer(opUsersList, a.status, `page %d has no "users" array`, page)
		}
		for i, u := range *got.Users {
			if strings.TrimSpace(u.Email) == "" {
				return nil, c.badAnswer(opUsersList, a.status, "user %d of page %d has no email", i, page)
			}
			key := strings.ToLower(u.Email)
			if byEmail[key] {
				continue
			}
			byEmail[key] = true
			users = append(users, fromWire(u))
		}
		if got.Next == "" {
			return users, nil
		}
		if cursors[got.Next] {
			return nil, c.badAnswer(opUsersList, a.status, "page %d sends back a cursor already followed, which would loop forever", page)
		}
		cursors[got.Next] = true
		cursor = got.Next
	}
}

// Invite calls users.invite. If the application answers without the user,
// the invitation as sent is taken to be what it now holds.
func (c *Client) Invite(ctx context.Context, in connector.Invite) (connector.User, error) {
	if strings.TrimSpace(in.Email) == "" {
		return connector.User{}, connector.Errorf(latchkey.JobErrInvalidEmail, "the invitation has no email")
	}
	id, err := requestID(ctx)
	if err != nil {
		return connector.User{}, err
	}
	a, err := c.call(ctx, opUsersInvite, id, inviteData{
		Email:        in.Email,
		FirstName:    in.FirstName,
		LastName:     in.LastName,
		Entitlements: nonNil(in.Entitlements),
	})
	if err != nil {
		return connector.User{}, err
	}
	var got inviteAnswer
	if len(bytes.TrimSpace(a.body)) > 0 {
		if err := c.decode(opUsersInvite, a, &got); err != nil {
			return connector.User{}, err
		}
	}
	if got.User == nil {
		return connector.User{Email: in.Email, FirstName: in.FirstName, LastName: in.LastName, Entitlements: nonNil(in.Entitlements)}, nil
	}
	u := fromWire(*got.User)
	if u.Email == "" {
		u.Email = in.Email
	}
	return u, nil
}

// SetEntitlements calls users.set_entitlements. The application replaces
// the user's entitlements with exactly these, so a repeat changes nothing.
func (c *Client) SetEntitlements(ctx context.Context, email string, entitlements []string) error {
	if strings.TrimSpace(email) == "" {
		return connector.Errorf(latchkey.JobErrInvalidEmail, "no email given")
	}
	id, err := requestID(ctx)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, opUsersSetEntitlements, id, setEntitlementsData{Email: email, Entitlements: nonNil(entitlements)})
	return err
}

// Remove calls users.remove. A user the application does not have is
// already removed, which is what a retried job needs to hear.
func (c *Client) Remove(ctx context.Context, email string) error {
	if strings.TrimSpace(email) == "" {
		return connector.Errorf(latchkey.JobErrInvalidEmail, "no email given")
	}
	id, err := requestID(ctx)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, opUsersRemove, id, removeData{Email: email})
	if errors.Is(err, connector.ErrUserNotFound) {
		return nil
	}
	return err
}

func fromWire(u wireUser) connector.User {
	return connector.User{
		Email:        u.Email,
		FirstName:    u.FirstName,
		LastName:     u.LastName,
		Entitlements: nonNil(u.Entitlements),
		Fields:       u.Fields,
	}
}

// nonNil makes "no entitlements" travel as [] rather than null, so that an
// application never has to tell the two apart.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
