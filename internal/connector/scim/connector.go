package scim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"unicode"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector"
)

// Entitlements lists the application's groups as entitlements keyed by
// displayName. Groups sharing a displayName are one entitlement.
func (c *Client) Entitlements(ctx context.Context) ([]latchkey.Entitlement, error) {
	groups, err := c.listGroups(ctx)
	if err != nil {
		return nil, c.fail("listing groups", err)
	}
	seen := map[string]bool{}
	var out []latchkey.Entitlement
	for _, g := range groups {
		if g.DisplayName == "" || seen[g.DisplayName] {
			continue
		}
		seen[g.DisplayName] = true
		out = append(out, latchkey.Entitlement{
			Key:   g.DisplayName,
			Group: latchkey.EntitlementPrimary,
			Label: g.DisplayName,
			Value: g.DisplayName,
		})
	}
	return out, nil
}

// Users lists the application's users with their entitlements. Groups are
// read once and their members inverted, rather than asking per user:
// SCIM has no standard per-user membership query every provider answers,
// and one request per user does not scale.
func (c *Client) Users(ctx context.Context) ([]connector.User, error) {
	users, err := c.listUsers(ctx)
	if err != nil {
		return nil, c.fail("listing users", err)
	}
	groups, err := c.listGroups(ctx)
	if err != nil {
		return nil, c.fail("listing groups", err)
	}
	held := map[string][]string{} // user id → entitlement keys
	for _, g := range groups {
		for _, m := range g.Members {
			if g.DisplayName != "" && !slices.Contains(held[m.Value], g.DisplayName) {
				held[m.Value] = append(held[m.Value], g.DisplayName)
			}
		}
	}
	out := make([]connector.User, 0, len(users))
	for _, u := range users {
		keys := held[u.ID]
		slices.Sort(keys)
		out = append(out, toUser(u, keys))
	}
	return out, nil
}

// toUser maps a SCIM user. Email is the userName, because that is what
// the connector looks people up by; the provider's id and state go in
// Fields for whoever needs them.
func toUser(u user, keys []string) connector.User {
	cu := connector.User{
		Email:        u.UserName,
		Entitlements: keys,
		Fields:       map[string]any{"scim_id": u.ID},
	}
	if u.Name != nil {
		cu.FirstName, cu.LastName = u.Name.GivenName, u.Name.FamilyName
	}
	if u.Active != nil {
		cu.Fields["active"] = bool(*u.Active)
	}
	if e := u.primaryEmail(); e != "" && e != u.UserName {
		cu.Fields["email"] = e
	}
	return cu
}

// Invite creates the user and adds them to the groups of the requested
// entitlements. Everything that can refuse the invitation (the user
// already there, an unknown entitlement) is checked before anything is
// created, so a refused invitation changes nothing.
func (c *Client) Invite(ctx context.Context, in connector.Invite) (connector.User, error) {
	if err := checkEmail(in.Email); err != nil {
		return connector.User{}, err
	}
	if _, ok, err := c.findUser(ctx, in.Email); err != nil {
		return connector.User{}, c.fail("looking the user up", err)
	} else if ok {
		return connector.User{}, userExists(in.Email)
	}
	groups, err := c.listGroups(ctx)
	if err != nil {
		return connector.User{}, c.fail("listing groups", err)
	}
	keys := dedupe(in.Entitlements)
	targets := make([]group, 0, len(keys))
	for _, k := range keys {
		g, ok := firstNamed(groups, k)
		if !ok {
			return connector.User{}, connector.UnknownEntitlement(k)
		}
		targets = append(targets, g)
	}

	nu := user{
		UserName: in.Email,
		Emails:   []email{{Value: in.Email, Type: "work", Primary: true}},
		Active:   ptr(flexBool(true)),
	}
	if in.FirstName != "" || in.LastName != "" {
		nu.Name = &name{GivenName: in.FirstName, FamilyName: in.LastName}
		nu.DisplayName = joinName(in.FirstName, in.LastName)
	}
	created, err := c.createUser(ctx, nu)
	if isStatus(err, http.StatusConflict) {
		// Someone created the user between the look-up and now.
		return connector.User{}, userExists(in.Email)
	}
	if err != nil {
		return connector.User{}, c.fail("creating the user", err)
	}
	if created.ID == "" {
		return connector.User{}, c.fail("creating the user", &decodeError{err: errors.New("the created user has no id")})
	}
	for _, g := range targets {
		if err := c.addMember(ctx, g.ID, created.ID); err != nil {
			return connector.User{}, c.fail(fmt.Sprintf("adding the new user to %q", g.DisplayName), err)
		}
	}
	if created.UserName == "" {
		created.UserName = in.Email
	}
	slices.Sort(keys)
	out := toUser(created, keys)
	if out.FirstName == "" && out.LastName == "" {
		out.FirstName, out.LastName = in.FirstName, in.LastName
	}
	return out, nil
}

// SetEntitlements makes the user a member of exactly the groups named by
// keys: added where missing, removed where extra. A second call with the
// same keys finds nothing to do and sends no change.
func (c *Client) SetEntitlements(ctx context.Context, email string, keys []string) error {
	if err := checkEmail(email); err != nil {
		return err
	}
	u, ok, err := c.findUser(ctx, email)
	if err != nil {
		return c.fail("looking the user up", err)
	}
	if !ok {
		return userNotFound(email)
	}
	groups, err := c.listGroups(ctx)
	if err != nil {
		return c.fail("listing groups", err)
	}
	want := map[string]bool{}
	for _, k := range keys {
		if _, ok := firstNamed(groups, k); !ok {
			return connector.UnknownEntitlement(k)
		}
		want[k] = true
	}

	// Holding an entitlement means being in any group of that name, so a
	// key is missing only when the user is in none of them.
	holds := map[string]bool{}
	for _, g := range groups {
		if g.hasMember(u.ID) && want[g.DisplayName] {
			holds[g.DisplayName] = true
		}
	}
	for _, k := range dedupe(keys) {
		if holds[k] {
			continue
		}
		g, _ := firstNamed(groups, k)
		if err := c.addMember(ctx, g.ID, u.ID); err != nil {
			return c.fail(fmt.Sprintf("adding the user to %q", k), err)
		}
	}
	for _, g := range groups {
		if g.hasMember(u.ID) && !want[g.DisplayName] {
			if err := c.removeMember(ctx, g.ID, u.ID); err != nil {
				return c.fail(fmt.Sprintf("removing the user from %q", g.DisplayName), err)
			}
		}
	}
	return nil
}

// Remove deletes the user. A user already gone, before the look-up or
// between it and the delete, is success.
func (c *Client) Remove(ctx context.Context, email string) error {
	if err := checkEmail(email); err != nil {
		return err
	}
	u, ok, err := c.findUser(ctx, email)
	if err != nil {
		return c.fail("looking the user up", err)
	}
	if !ok {
		return nil
	}
	if err := c.deleteUser(ctx, u.ID); err != nil && !isStatus(err, http.StatusNotFound) {
		return c.fail("deleting the user", err)
	}
	return nil
}

// userExists wraps connector.ErrUserExists with the address.
func userExists(email string) error {
	return fmt.Errorf("%w: %s", connector.ErrUserExists, email)
}

// userNotFound wraps connector.ErrUserNotFound with the address.
func userNotFound(email string) error {
	return fmt.Errorf("%w: %s", connector.ErrUserNotFound, email)
}

// checkEmail refuses what cannot be a userName in a filter: nothing at
// all, or control characters, which the filter literal cannot carry
// safely. Whether the address is acceptable is the application's call.
func checkEmail(email string) error {
	if email == "" {
		return connector.Errorf(latchkey.JobErrInvalidEmail, "the email address is empty")
	}
	for _, r := range email {
		if unicode.IsControl(r) {
			return connector.Errorf(latchkey.JobErrInvalidEmail, "the email address %q has a control character", email)
		}
	}
	return nil
}

// firstNamed is the first group called name, in the provider's order.
func firstNamed(groups []group, name string) (group, bool) {
	for _, g := range groups {
		if g.DisplayName == name {
			return g, true
		}
	}
	return group{}, false
}

func dedupe(keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func joinName(first, last string) string {
	switch {
	case first == "":
		return last
	case last == "":
		return first
	}
	return first + " " + last
}

func ptr[T any](v T) *T { return &v }
