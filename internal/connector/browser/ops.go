package browser

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector"
)

// Entitlements runs list_entitlements. Its table's columns: key (required),
// label, value and group ("primary", the default, or "secondary").
func (c *Client) Entitlements(ctx context.Context) ([]latchkey.Entitlement, error) {
	r, err := c.operate(ctx, operation{proc: procListEntitlements})
	if err != nil {
		return nil, err
	}
	var out []latchkey.Entitlement
	for _, row := range r.rows {
		key := row["key"]
		if key == "" {
			continue // a placeholder row such as "no roles yet"
		}
		e := latchkey.Entitlement{Key: key, Label: or(row["label"], key), Value: or(row["value"], key), Group: latchkey.EntitlementPrimary}
		if g := latchkey.EntitlementGroup(strings.ToLower(row["group"])); g == latchkey.EntitlementSecondary {
			e.Group = g
		}
		out = append(out, e)
	}
	return out, nil
}

// Users runs list_users. Its table's columns: email (required), firstName,
// lastName, name (split into first and last when those are absent),
// entitlement or entitlements (comma-separated); any other column lands in
// Fields.
func (c *Client) Users(ctx context.Context) ([]connector.User, error) {
	r, err := c.operate(ctx, operation{proc: procListUsers})
	if err != nil {
		return nil, err
	}
	var out []connector.User
	for _, row := range r.rows {
		if u, ok := userFromRow(row); ok {
			out = append(out, u)
		}
	}
	return out, nil
}

func userFromRow(row map[string]string) (connector.User, bool) {
	u := connector.User{Email: row["email"], FirstName: row["firstName"], LastName: row["lastName"]}
	if u.Email == "" || !strings.Contains(u.Email, "@") {
		return u, false // a placeholder row such as "nobody yet"
	}
	if u.FirstName == "" && u.LastName == "" {
		u.FirstName, u.LastName, _ = strings.Cut(row["name"], " ")
	}
	for _, col := range []string{"entitlement", "entitlements"} {
		for e := range strings.SplitSeq(row[col], ",") {
			if e = strings.TrimSpace(e); e != "" {
				u.Entitlements = append(u.Entitlements, e)
			}
		}
	}
	for k, v := range row {
		switch k {
		case "email", "firstName", "lastName", "name", "entitlement", "entitlements":
		default:
			if u.Fields == nil {
				u.Fields = map[string]any{}
			}
			u.Fields[k] = v
		}
	}
	return u, true
}

// Invite runs invite. {{entitlement}} is the first of in.Entitlements: a
// page with one role picker offers one role per person.
func (c *Client) Invite(ctx context.Context, in connector.Invite) (connector.User, error) {
	if err := checkEmail(in.Email); err != nil {
		return connector.User{}, err
	}
	if err := c.needEntitlement(procInvite, in.Entitlements); err != nil {
		return connector.User{}, err
	}
	_, err := c.operate(ctx, operation{proc: procInvite, plain: map[string]string{
		phEmail: in.Email, phFirstName: in.FirstName, phLastName: in.LastName, phEntitlement: first(in.Entitlements),
	}})
	if err != nil {
		return connector.User{}, err
	}
	return connector.User{Email: in.Email, FirstName: in.FirstName, LastName: in.LastName, Entitlements: in.Entitlements}, nil
}

// SetEntitlements runs set_entitlements with the first entitlement.
func (c *Client) SetEntitlements(ctx context.Context, email string, entitlements []string) error {
	if err := checkEmail(email); err != nil {
		return err
	}
	if err := c.needEntitlement(procSetEntitlements, entitlements); err != nil {
		return err
	}
	_, err := c.operate(ctx, operation{proc: procSetEntitlements, plain: map[string]string{
		phEmail: email, phEntitlement: first(entitlements),
	}})
	return err
}

// Remove runs remove. A user the application does not have (a fail_if of
// type UserNotFound) is already removed: nil.
func (c *Client) Remove(ctx context.Context, email string) error {
	if err := checkEmail(email); err != nil {
		return err
	}
	_, err := c.operate(ctx, operation{proc: procRemove, plain: map[string]string{phEmail: email}})
	if errors.Is(err, connector.ErrUserNotFound) {
		return nil
	}
	return err
}

// ChangePassword runs change_password, signing in with current. On
// success the client signs in with next from then on.
func (c *Client) ChangePassword(ctx context.Context, current, next string) error {
	if current == "" || next == "" {
		return &connector.Error{Type: latchkey.JobErrEmptyPassword, Message: "both the current and the new password are required", UserRequired: true}
	}
	if _, err := c.operate(ctx, operation{proc: procChangePassword, password: current, newPassword: next}); err != nil {
		return err
	}
	c.mu.Lock()
	c.creds.Password = next
	c.mu.Unlock()
	return nil
}

// needEntitlement refuses an empty entitlement list when the procedure
// picks one, before a browser is started for nothing.
func (c *Client) needEntitlement(proc string, entitlements []string) error {
	if uses(c.recipe.procs[proc], phEntitlement) && first(entitlements) == "" {
		return &connector.Error{Type: latchkey.JobErrUnknownEntitlement, Message: "the application gives every user a role, and none was given"}
	}
	return nil
}

// checkEmail refuses what cannot be an address before a browser starts;
// the application has the last word on the rest.
func checkEmail(email string) error {
	switch {
	case strings.TrimSpace(email) == "":
		return &connector.Error{Type: latchkey.JobErrInvalidEmail, Message: "an email address is required"}
	case !strings.Contains(email, "@"):
		return &connector.Error{Type: latchkey.JobErrInvalidEmail, Message: fmt.Sprintf("%q is not an email address", email)}
	}
	return nil
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
