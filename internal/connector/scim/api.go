package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// The typed calls the connector makes. Errors are the raw ones of send;
// the connector methods turn them into *connector.Error.

func (c *Client) listUsers(ctx context.Context) ([]user, error) {
	return listAll[user](ctx, c, "/Users", nil)
}

func (c *Client) listGroups(ctx context.Context) ([]group, error) {
	return listAll[group](ctx, c, "/Groups", nil)
}

// findUser returns the user whose userName is userName, or ok false.
func (c *Client) findUser(ctx context.Context, userName string) (u user, ok bool, err error) {
	q := url.Values{"filter": {"userName eq " + quote(userName)}}
	var page listResponse[user]
	if _, err := c.send(ctx, request{method: http.MethodGet, path: "/Users", query: q}, &page); err != nil {
		return user{}, false, err
	}
	for _, u := range page.Resources {
		// userName is case-insensitive (RFC 7643 §4.1.1) and the
		// provider did the matching; a provider that ignores the filter
		// must not make us act on somebody else, so one more look.
		if strings.EqualFold(u.UserName, userName) {
			return u, true, nil
		}
	}
	return user{}, false, nil
}

func (c *Client) createUser(ctx context.Context, u user) (user, error) {
	u.Schemas = []string{schemaUser}
	var created user
	_, err := c.send(ctx, request{method: http.MethodPost, path: "/Users", body: u}, &created)
	return created, err
}

func (c *Client) deleteUser(ctx context.Context, id string) error {
	_, err := c.send(ctx, request{method: http.MethodDelete, path: "/Users/" + url.PathEscape(id)}, nil)
	return err
}

// addMember makes userID a member of the group.
func (c *Client) addMember(ctx context.Context, groupID, userID string) error {
	return c.changeMembers(ctx, groupID, addMemberPatch(userID), func(members []any) []any {
		for _, m := range members {
			if memberValue(m) == userID {
				return members
			}
		}
		return append(members, map[string]any{"value": userID})
	})
}

// removeMember ends userID's membership of the group.
func (c *Client) removeMember(ctx context.Context, groupID, userID string) error {
	err := c.changeMembers(ctx, groupID, removeMemberPatch(userID), func(members []any) []any {
		kept := members[:0:0]
		for _, m := range members {
			if memberValue(m) != userID {
				kept = append(kept, m)
			}
		}
		return kept
	})
	// Some providers answer 400 noTarget when the path's filter matches
	// no member, i.e. the user already left: the state we wanted.
	var se *statusError
	if errors.As(err, &se) && se.status == http.StatusBadRequest && se.scimType == "noTarget" {
		return nil
	}
	return err
}

// changeMembers applies a membership change with PATCH, or, when the
// provider does not implement PATCH, by reading the group, editing its
// members with edit and writing it back with PUT.
func (c *Client) changeMembers(ctx context.Context, groupID string, patch patchRequest, edit func([]any) []any) error {
	path := "/Groups/" + url.PathEscape(groupID)
	if !c.noPatch.Load() {
		_, err := c.send(ctx, request{method: http.MethodPatch, path: path, body: patch}, nil)
		if !isStatus(err, http.StatusNotImplemented, http.StatusMethodNotAllowed) {
			return err
		}
		c.noPatch.Store(true)
	}
	return c.replaceMembers(ctx, path, edit)
}

// putAttempts bounds the read-edit-write loop when the provider keeps
// reporting that the group changed under us.
const putAttempts = 3

// replaceMembers is the GET+PUT fallback. The group is kept as a generic
// map so that attributes the connector does not model (externalId,
// extensions) go back unchanged; PUT replaces the whole resource. When the
// provider gives an ETag, the PUT is conditional on it, so a concurrent
// change is not overwritten but read again.
func (c *Client) replaceMembers(ctx context.Context, path string, edit func([]any) []any) error {
	var err error
	for range putAttempts {
		var g document
		var res response
		res, err = c.send(ctx, request{method: http.MethodGet, path: path}, &g)
		if err != nil {
			return err
		}
		if g == nil {
			return &decodeError{err: errors.New("the group came back empty")}
		}
		members, _ := g["members"].([]any)
		g["members"] = edit(members)
		delete(g, "meta") // read-only, maintained by the provider
		if _, ok := g["schemas"]; !ok {
			g["schemas"] = []string{schemaGroup}
		}
		_, err = c.send(ctx, request{method: http.MethodPut, path: path, body: g, ifMatch: res.etag}, nil)
		if !isStatus(err, http.StatusPreconditionFailed) {
			return err
		}
	}
	return err
}

// memberValue is the user or group id of one element of members.
func memberValue(m any) string {
	mm, _ := m.(map[string]any)
	v, _ := mm["value"].(string)
	return v
}

// document is a resource read only to be written back. Numbers stay
// json.Number so that a large integer in an attribute the connector does
// not model is not rounded through float64 on the way back.
type document map[string]any

func (d *document) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	m := map[string]any{}
	if err := dec.Decode(&m); err != nil {
		return err
	}
	*d = m
	return nil
}
