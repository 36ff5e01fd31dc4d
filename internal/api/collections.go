package api

import (
	"encoding/json"
	"net/http"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/core"
)

type collectionAttributes struct {
	CreatedAt *timestamp     `json:"createdAt"`
	CreatedBy *string        `json:"createdBy"`
	Meta      map[string]any `json:"meta"`
	Name      string         `json:"name"`
	ParentID  *string        `json:"parentId"`
	Roles     []string       `json:"roles"`
	Status    string         `json:"status"`
	UpdatedAt *timestamp     `json:"updatedAt"`
	UpdatedBy *string        `json:"updatedBy"`
}

func collectionResource(c *latchkey.Collection) resource {
	meta := c.Meta
	if meta == nil {
		meta = map[string]any{}
	}
	roles := []string{}
	if r := latchkey.ItemRoleFor(latchkey.ItemCollection, c.Rank); r != "" {
		roles = append(roles, string(r))
	}
	// The vendor's type for a collection is plural.
	return resource{ID: c.ID, Type: "collections", Attributes: collectionAttributes{
		CreatedAt: ts(c.CreatedAt), CreatedBy: str(c.CreatedBy), Meta: meta, Name: c.Name, ParentID: str(c.ParentID),
		Roles: roles, Status: string(c.Status), UpdatedAt: ts(c.UpdatedAt), UpdatedBy: str(c.UpdatedBy),
	}}
}

func (h *handler) listCollections(w http.ResponseWriter, r *http.Request) {
	listing(h, w, r, 25, func(pg latchkey.Page) ([]*latchkey.Collection, int, error) {
		return h.svc.ListCollections(r.Context(), pg)
	}, collectionResource)
}

func (h *handler) getCollection(w http.ResponseWriter, r *http.Request) {
	c, err := h.svc.GetCollection(r.Context(), r.PathValue("id"))
	one(h, w, r, c, err, collectionResource)
}

type collectionInput struct {
	Name     *string          `json:"name"`
	ParentID optional[string] `json:"parentId"`
	Status   *string          `json:"status"`
	Meta     map[string]any   `json:"meta"`
}

func (in *collectionInput) core() core.CollectionInput {
	out := core.CollectionInput{Name: in.Name, Meta: in.Meta}
	if in.ParentID.Set {
		p := in.ParentID.Value // null and "" both mean the top
		out.ParentID = &p
	}
	if in.Status != nil {
		st := latchkey.CollectionStatus(*in.Status)
		out.Status = &st
	}
	return out
}

func (h *handler) createCollection(w http.ResponseWriter, r *http.Request) {
	write(h, w, r, []string{"collections", "collection"}, "", http.StatusCreated, func(in *collectionInput) (resource, error) {
		c, err := h.svc.CreateCollection(r.Context(), in.core())
		return wrapResource(c, err, collectionResource)
	})
}

func (h *handler) updateCollection(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	write(h, w, r, []string{"collections", "collection"}, id, http.StatusOK, func(in *collectionInput) (resource, error) {
		c, err := h.svc.UpdateCollection(r.Context(), id, in.core())
		return wrapResource(c, err, collectionResource)
	})
}

func (h *handler) deleteCollection(w http.ResponseWriter, r *http.Request) {
	done(h, w, r, h.svc.DeleteCollection(r.Context(), r.PathValue("id")))
}

func (h *handler) listSubcollections(w http.ResponseWriter, r *http.Request) {
	listing(h, w, r, 25, func(pg latchkey.Page) ([]*latchkey.Collection, int, error) {
		return h.svc.Subcollections(r.Context(), r.PathValue("id"), pg)
	}, collectionResource)
}

func (h *handler) listCollectionAccounts(w http.ResponseWriter, r *http.Request) {
	listing(h, w, r, 25, func(pg latchkey.Page) ([]*latchkey.Account, int, error) {
		return h.svc.CollectionAccounts(r.Context(), r.PathValue("id"), pg)
	}, accountResource)
}

func (h *handler) listCollectionSecrets(w http.ResponseWriter, r *http.Request) {
	listing(h, w, r, 25, func(pg latchkey.Page) ([]*latchkey.Secret, int, error) {
		return h.svc.CollectionSecrets(r.Context(), r.PathValue("id"), pg)
	}, secretResource)
}

// itemRefs is the body naming items to put in a collection: an array of
// {"id", "type"} or a single one.
type itemRefs struct {
	Data json.RawMessage `json:"data"`
}

type itemRef struct {
	ID   *string `json:"id"`
	Type *string `json:"type"`
}

// addToCollection reads itemRefs of one kind ("accounts" or "secrets").
func (h *handler) addToCollection(kind string, itemType latchkey.ItemType) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body itemRefs
		if err := decode(r, &body); err != nil {
			h.writeError(w, r, err)
			return
		}
		var refs []itemRef
		if len(body.Data) == 0 || string(body.Data) == "null" {
			h.writeError(w, r, latchkey.Invalid([]any{"data"}, "value_error.missing", "field required"))
			return
		}
		if body.Data[0] == '[' {
			if err := strictJSON(body.Data, &refs); err != nil {
				h.writeError(w, r, prefixLoc(err, "data"))
				return
			}
		} else {
			var one itemRef
			if err := strictJSON(body.Data, &one); err != nil {
				h.writeError(w, r, prefixLoc(err, "data"))
				return
			}
			refs = []itemRef{one}
		}
		ids := make([]string, len(refs))
		for i, ref := range refs {
			if ref.ID == nil {
				h.writeError(w, r, latchkey.Invalid([]any{"data", i, "id"}, "value_error.missing", "field required"))
				return
			}
			if ref.Type != nil && *ref.Type != kind && *ref.Type != string(itemType) {
				h.writeError(w, r, latchkey.Invalid([]any{"data", i, "type"}, "type_error.enum", "value is not a valid enumeration member; permitted: '"+kind+"'"))
				return
			}
			ids[i] = *ref.ID
		}
		if err := h.svc.AddToCollection(r.Context(), r.PathValue("id"), itemType, ids); err != nil {
			h.writeError(w, r, inData(err))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (h *handler) removeFromCollection(itemType latchkey.ItemType) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		done(h, w, r, h.svc.RemoveFromCollection(r.Context(), r.PathValue("id"), itemType, r.PathValue("itemId")))
	}
}

// Members of accounts, secrets and collections share one shape.

type memberOps struct {
	list   func(h *handler, r *http.Request, id string, mt latchkey.MemberType, pg latchkey.Page) ([]core.Member, int, error)
	share  func(h *handler, r *http.Request, id string, mt latchkey.MemberType, memberID, role string) (core.Member, error)
	remove func(h *handler, r *http.Request, id string, mt latchkey.MemberType, memberID string) error
}

var (
	accountMembers = memberOps{
		list: func(h *handler, r *http.Request, id string, mt latchkey.MemberType, pg latchkey.Page) ([]core.Member, int, error) {
			return h.svc.ListAccountMembers(r.Context(), id, mt, pg)
		},
		share: func(h *handler, r *http.Request, id string, mt latchkey.MemberType, m, role string) (core.Member, error) {
			return h.svc.ShareAccount(r.Context(), id, mt, m, role)
		},
		remove: func(h *handler, r *http.Request, id string, mt latchkey.MemberType, m string) error {
			return h.svc.RemoveAccountMember(r.Context(), id, mt, m)
		},
	}
	secretMembers = memberOps{
		list: func(h *handler, r *http.Request, id string, mt latchkey.MemberType, pg latchkey.Page) ([]core.Member, int, error) {
			return h.svc.ListSecretMembers(r.Context(), id, mt, pg)
		},
		share: func(h *handler, r *http.Request, id string, mt latchkey.MemberType, m, role string) (core.Member, error) {
			return h.svc.ShareSecret(r.Context(), id, mt, m, role)
		},
		remove: func(h *handler, r *http.Request, id string, mt latchkey.MemberType, m string) error {
			return h.svc.RemoveSecretMember(r.Context(), id, mt, m)
		},
	}
	collectionMembers = memberOps{
		list: func(h *handler, r *http.Request, id string, mt latchkey.MemberType, pg latchkey.Page) ([]core.Member, int, error) {
			return h.svc.ListCollectionMembers(r.Context(), id, mt, pg)
		},
		share: func(h *handler, r *http.Request, id string, mt latchkey.MemberType, m, role string) (core.Member, error) {
			return h.svc.ShareCollection(r.Context(), id, mt, m, role)
		},
		remove: func(h *handler, r *http.Request, id string, mt latchkey.MemberType, m string) error {
			return h.svc.RemoveCollectionMember(r.Context(), id, mt, m)
		},
	}
)

// members returns the three handlers for one kind of item and one member
// type ("users" or "teams"; fixed by the route, or read from the path's
// {memberType} when kind is "").
func (ops memberOps) handlers(h *handler, kind string) (list, share, remove http.HandlerFunc) {
	mtOf := func(r *http.Request) (latchkey.MemberType, string, error) {
		k := kind
		if k == "" {
			k = r.PathValue("memberType")
		}
		mt, err := memberTypeOf(k)
		return mt, k, err
	}
	list = func(w http.ResponseWriter, r *http.Request) {
		mt, _, err := mtOf(r)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		listing(h, w, r, 25, func(pg latchkey.Page) ([]core.Member, int, error) {
			return ops.list(h, r, r.PathValue("id"), mt, pg)
		}, memberResource)
	}
	share = func(w http.ResponseWriter, r *http.Request) {
		mt, k, err := mtOf(r)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		var body in[shareInput]
		if err := decode(r, &body); err != nil {
			h.writeError(w, r, err)
			return
		}
		// The body's type repeats the member type, plural as in the path or
		// singular as in the answers.
		attrs, err := attributes(body, []string{k, string(mt)}, "")
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		if body.Data.ID == nil {
			h.writeError(w, r, latchkey.Invalid([]any{"data", "id"}, "value_error.missing", "field required"))
			return
		}
		if attrs.Role == nil {
			h.writeError(w, r, latchkey.Invalid([]any{"data", "attributes", "role"}, "value_error.missing", "field required"))
			return
		}
		m, err := ops.share(h, r, r.PathValue("id"), mt, *body.Data.ID, *attrs.Role)
		if err != nil {
			h.writeError(w, r, inBody(err))
			return
		}
		writeJSON(w, http.StatusCreated, single{Data: memberResource(m)})
	}
	remove = func(w http.ResponseWriter, r *http.Request) {
		mt, _, err := mtOf(r)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		done(h, w, r, ops.remove(h, r, r.PathValue("id"), mt, r.PathValue("memberId")))
	}
	return list, share, remove
}
