package scim

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Schema URIs from RFC 7643 and RFC 7644.
const (
	schemaUser    = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaGroup   = "urn:ietf:params:scim:schemas:core:2.0:Group"
	schemaPatchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

// user is the part of a SCIM User resource the connector reads and writes.
type user struct {
	Schemas     []string  `json:"schemas,omitempty"`
	ID          string    `json:"id,omitempty"`
	UserName    string    `json:"userName"`
	DisplayName string    `json:"displayName,omitempty"`
	Name        *name     `json:"name,omitempty"`
	Emails      []email   `json:"emails,omitempty"`
	Active      *flexBool `json:"active,omitempty"`
}

type name struct {
	GivenName  string `json:"givenName,omitempty"`
	FamilyName string `json:"familyName,omitempty"`
}

type email struct {
	Value   string   `json:"value"`
	Type    string   `json:"type,omitempty"`
	Primary flexBool `json:"primary,omitempty"`
}

func (u user) resourceID() string { return u.ID }

// primaryEmail is the address marked primary, else the first one.
func (u user) primaryEmail() string {
	for _, e := range u.Emails {
		if e.Primary {
			return e.Value
		}
	}
	if len(u.Emails) > 0 {
		return u.Emails[0].Value
	}
	return ""
}

// group is the part of a SCIM Group resource the connector reads.
type group struct {
	ID          string   `json:"id"`
	DisplayName string   `json:"displayName"`
	Members     []member `json:"members,omitempty"`
}

type member struct {
	Value string `json:"value"`
	Type  string `json:"type,omitempty"`
}

func (g group) resourceID() string { return g.ID }

func (g group) hasMember(userID string) bool {
	for _, m := range g.Members {
		if m.Value == userID {
			return true
		}
	}
	return false
}

// listResponse is a page of a query (RFC 7644 §3.4.2). encoding/json
// matches keys case-insensitively, so "Resources" as the RFC spells it and
// the "resources" some providers send both land in Resources.
type listResponse[T any] struct {
	TotalResults int `json:"totalResults"`
	Resources    []T `json:"Resources"`
}

// patchRequest is a PATCH body (RFC 7644 §3.5.2).
type patchRequest struct {
	Schemas    []string         `json:"schemas"`
	Operations []patchOperation `json:"Operations"`
}

type patchOperation struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

func addMemberPatch(userID string) patchRequest {
	return patchRequest{
		Schemas:    []string{schemaPatchOp},
		Operations: []patchOperation{{Op: "add", Path: "members", Value: []member{{Value: userID}}}},
	}
}

func removeMemberPatch(userID string) patchRequest {
	return patchRequest{
		Schemas:    []string{schemaPatchOp},
		Operations: []patchOperation{{Op: "remove", Path: "members[value eq " + quote(userID) + "]"}},
	}
}

// errorResponse is the body of a SCIM error (RFC 7644 §3.12). Status is
// left out: the RFC makes it a string, some providers send a number, and
// the HTTP status says the same.
type errorResponse struct {
	ScimType string `json:"scimType"`
	Detail   string `json:"detail"`
}

// quote makes s a filter string literal. RFC 7644 §3.4.2.2 takes the
// literal from JSON, so a quote or backslash in s is escaped with a
// backslash; callers refuse control characters before they get here.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// flexBool reads a JSON boolean, or the strings "true" and "false" that
// some providers send in its place, so that one such attribute does not
// make a whole page of users unreadable.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch strings.ToLower(strings.Trim(string(data), `"`)) {
	case "true":
		*b = true
	case "false", "null", "":
		*b = false
	default:
		return fmt.Errorf("scim: %s is not a boolean", data)
	}
	return nil
}

func (b flexBool) MarshalJSON() ([]byte, error) { return json.Marshal(bool(b)) }
