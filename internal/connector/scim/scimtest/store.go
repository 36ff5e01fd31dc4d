package scimtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	elimity "github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/filter"
	"github.com/elimity-com/scim/schema"
)

// record is one stored resource. attrs is owned by the store: handlers
// hand out deep copies, because the SCIM server marshals what it is given
// after the handler returns, outside the store's lock.
type record struct {
	id      string
	seq     int
	version int
	attrs   map[string]any
}

func (r *record) resource() elimity.Resource {
	return elimity.Resource{
		ID:         r.id,
		Attributes: clone(r.attrs),
		Meta:       elimity.Meta{Version: r.etag()},
	}
}

func (r *record) etag() string { return `W/"` + strconv.Itoa(r.version) + `"` }

// memory holds the Users and the Groups of one provider.
type memory struct {
	mu     sync.Mutex
	seq    int
	users  map[string]*record
	groups map[string]*record
}

func newMemory() *memory {
	return &memory{users: map[string]*record{}, groups: map[string]*record{}}
}

// put stores a new resource. The caller holds m.mu.
func (m *memory) put(table map[string]*record, prefix string, attrs map[string]any) *record {
	m.seq++
	r := &record{id: fmt.Sprintf("%s-%d", prefix, m.seq), seq: m.seq, version: 1, attrs: clone(attrs)}
	table[r.id] = r
	return r
}

// userByName finds the user whose userName is name, compared as the
// provider's uniqueness check compares it. The caller holds m.mu.
func (m *memory) userByName(name string) *record {
	for _, u := range m.users {
		if have, _ := u.attrs["userName"].(string); strings.EqualFold(have, name) {
			return u
		}
	}
	return nil
}

// join adds userID to the members of each group named, bumping the
// version of those it changes so that an If-Match taken before fails.
// Seeding with a group that does not exist is a mistake in the test, so
// it panics rather than create one. The caller holds m.mu.
func (m *memory) join(userID string, groups []string) {
	for _, name := range groups {
		found := false
		for _, g := range m.groups {
			if g.attrs["displayName"] != name {
				continue
			}
			found = true
			members := list(g.attrs["members"])
			if !slices.ContainsFunc(members, func(mem any) bool { return value(mem) == userID }) {
				g.attrs["members"] = append(members, map[string]any{"value": userID})
				g.version++
			}
		}
		if !found {
			panic(fmt.Sprintf("scimtest: no group %q", name))
		}
	}
}

// snapshot lists every user with the sorted names of the groups listing
// them, sorted by userName.
func (m *memory) snapshot() []User {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []User{}
	for _, u := range m.users {
		names := []string{}
		for _, g := range m.groups {
			if slices.ContainsFunc(list(g.attrs["members"]), func(mem any) bool { return value(mem) == u.id }) {
				names = append(names, g.attrs["displayName"].(string))
			}
		}
		slices.Sort(names)
		out = append(out, User{UserName: u.attrs["userName"].(string), Groups: names})
	}
	slices.SortFunc(out, func(a, b User) int { return strings.Compare(a.UserName, b.UserName) })
	return out
}

// handler is the elimity.ResourceHandler for one resource type.
type handler struct {
	mem    *memory
	table  func(*memory) map[string]*record
	prefix string
	unique string // attribute that must be unique, case-insensitively; "" for none
}

var _ elimity.ResourceHandler = handler{}

func (h handler) Create(_ *http.Request, attrs elimity.ResourceAttributes) (elimity.Resource, error) {
	h.mem.mu.Lock()
	defer h.mem.mu.Unlock()
	if h.unique != "" {
		want, _ := attrs[h.unique].(string)
		for _, r := range h.table(h.mem) {
			if have, _ := r.attrs[h.unique].(string); strings.EqualFold(have, want) {
				return elimity.Resource{}, scimerrors.ScimErrorUniqueness
			}
		}
	}
	return h.mem.put(h.table(h.mem), h.prefix, attrs).resource(), nil
}

func (h handler) Get(_ *http.Request, id string) (elimity.Resource, error) {
	h.mem.mu.Lock()
	defer h.mem.mu.Unlock()
	r, ok := h.table(h.mem)[id]
	if !ok {
		return elimity.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	return r.resource(), nil
}

// GetAll filters with the validator the server parsed, in creation order,
// and cuts the page the way RFC 7644 §3.4.2.4 describes.
func (h handler) GetAll(_ *http.Request, params elimity.ListRequestParams) (elimity.Page, error) {
	h.mem.mu.Lock()
	defer h.mem.mu.Unlock()
	var hits []*record
	for _, r := range h.table(h.mem) {
		if params.FilterValidator == nil || params.FilterValidator.PassesFilter(clone(r.attrs)) == nil {
			hits = append(hits, r)
		}
	}
	slices.SortFunc(hits, func(a, b *record) int { return a.seq - b.seq })
	page := elimity.Page{TotalResults: len(hits), Resources: []elimity.Resource{}}
	for i := params.StartIndex - 1; i >= 0 && i < len(hits) && len(page.Resources) < params.Count; i++ {
		page.Resources = append(page.Resources, hits[i].resource())
	}
	return page, nil
}

// Replace honours If-Match, as a provider that hands out ETags should.
func (h handler) Replace(r *http.Request, id string, attrs elimity.ResourceAttributes) (elimity.Resource, error) {
	h.mem.mu.Lock()
	defer h.mem.mu.Unlock()
	rec, ok := h.table(h.mem)[id]
	if !ok {
		return elimity.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	if m := r.Header.Get("If-Match"); m != "" && m != rec.etag() {
		return elimity.Resource{}, scimerrors.ScimError{Status: http.StatusPreconditionFailed, Detail: "The group changed."}
	}
	rec.attrs = clone(attrs)
	rec.version++
	return rec.resource(), nil
}

// Delete removes the resource and, like real providers, its memberships.
func (h handler) Delete(_ *http.Request, id string) error {
	h.mem.mu.Lock()
	defer h.mem.mu.Unlock()
	if _, ok := h.table(h.mem)[id]; !ok {
		return scimerrors.ScimErrorResourceNotFound(id)
	}
	delete(h.table(h.mem), id)
	for _, g := range h.mem.groups {
		members := list(g.attrs["members"])
		kept := slices.DeleteFunc(slices.Clone(members), func(m any) bool { return value(m) == id })
		if len(kept) != len(members) {
			g.attrs["members"] = kept
			g.version++
		}
	}
	return nil
}

// Patch supports what a membership change needs: add to members, and
// remove from members, all or by a value filter.
func (h handler) Patch(_ *http.Request, id string, ops []elimity.PatchOperation) (elimity.Resource, error) {
	h.mem.mu.Lock()
	defer h.mem.mu.Unlock()
	rec, ok := h.table(h.mem)[id]
	if !ok {
		return elimity.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	membersAttr, _ := schema.CoreGroupSchema().Attributes.ContainsAttribute("members")
	members := slices.Clone(list(rec.attrs["members"]))
	changed := false
	for _, op := range ops {
		if op.Path == nil || !strings.EqualFold(op.Path.AttributePath.AttributeName, "members") {
			return elimity.Resource{}, scimerrors.ScimErrorInvalidPath
		}
		switch op.Op {
		case elimity.PatchOperationAdd:
			values, _ := op.Value.([]any)
			for _, v := range values {
				if !slices.ContainsFunc(members, func(m any) bool { return value(m) == value(v) }) {
					members = append(members, v)
					changed = true
				}
			}
		case elimity.PatchOperationRemove:
			match := func(any) bool { return true }
			if op.Path.ValueExpression != nil {
				v := filter.NewFilterValidator(op.Path.ValueExpression, schema.Schema{Attributes: filter.MultiValuedFilterAttributes(membersAttr)})
				match = func(m any) bool {
					mm, ok := m.(map[string]any)
					return ok && v.PassesFilter(mm) == nil
				}
			}
			before := len(members)
			members = slices.DeleteFunc(members, match)
			changed = changed || len(members) != before
		default:
			return elimity.Resource{}, scimerrors.ScimErrorInvalidValue
		}
	}
	if !changed {
		return elimity.Resource{}, nil // 204 No Content
	}
	rec.attrs["members"] = members
	rec.version++
	return rec.resource(), nil
}

// clone deep-copies attributes through JSON, which is also the shape the
// SCIM server and the filter validator expect them in.
func clone(m map[string]any) map[string]any {
	data, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		panic(err)
	}
	return out
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func value(member any) string {
	m, _ := member.(map[string]any)
	s, _ := m["value"].(string)
	return s
}
