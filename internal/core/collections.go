package core

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/authz"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// CollectionInput creates or changes a collection; nil fields are left
// alone. ParentID "" moves a collection to the top.
type CollectionInput struct {
	Name     *string
	ParentID *string
	Status   *latchkey.CollectionStatus
	Meta     map[string]any

	// OwnerID names the first owner of a collection the operator or the
	// system creates. Members always own what they create.
	OwnerID string
}

func (in *CollectionInput) apply(c *latchkey.Collection) ([]string, error) {
	var changed []string
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if err := plainText("name", name); err != nil {
			return nil, err
		}
		if name == "" || chars(name) > maxNameLength {
			return nil, latchkey.Invalid([]any{"name"}, "value_error", "A collection name is 1 to 200 characters.")
		}
		c.Name = name
		changed = append(changed, "name")
	}
	if in.Status != nil {
		if *in.Status != latchkey.CollectionEnabled && *in.Status != latchkey.CollectionDisabled {
			return nil, latchkey.Invalid([]any{"status"}, "type_error.enum", "value is not a valid enumeration member; permitted: 'enabled', 'disabled'")
		}
		c.Status = *in.Status
		changed = append(changed, "status")
	}
	if in.Meta != nil {
		if b, err := json.Marshal(in.Meta); err != nil || len(b) > maxMetaBytes {
			return nil, latchkey.Invalid([]any{"meta"}, "value_error", "meta is a JSON object of at most 16 KiB.")
		}
		c.Meta = in.Meta
		changed = append(changed, "meta")
	}
	return changed, nil
}

func (s *Service) visibleCollection(ctx context.Context, tx *store.Tx, p *latchkey.Principal, id string) (*latchkey.Collection, error) {
	if !validID(id) {
		return nil, notFound()
	}
	c, err := tx.Collection(ctx, p.WorkspaceID, id, p.UserID)
	if err != nil {
		return nil, err
	}
	if !authz.CanSee(p, c.Rank) {
		return nil, notFound()
	}
	return c, nil
}

func (s *Service) managedCollection(ctx context.Context, tx *store.Tx, p *latchkey.Principal, id string) (*latchkey.Collection, error) {
	c, err := s.visibleCollection(ctx, tx, p, id)
	if err != nil {
		return nil, err
	}
	if !authz.CanManage(p, c.Rank) {
		return nil, latchkey.Errorf(latchkey.EForbidden, "Only the collection's owners may change or share it.")
	}
	return c, nil
}

// ListCollections pages through the collections the principal may see.
func (s *Service) ListCollections(ctx context.Context, page latchkey.Page) ([]*latchkey.Collection, int, error) {
	p, err := authorize(ctx, authz.ListCollections)
	if err != nil {
		return nil, 0, err
	}
	var (
		out   []*latchkey.Collection
		total int
	)
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, total, err = tx.ListCollections(ctx, p.WorkspaceID, visibility(p), "", page)
		return err
	})
	return out, total, err
}

// GetCollection reads a collection the principal may see.
func (s *Service) GetCollection(ctx context.Context, id string) (*latchkey.Collection, error) {
	p, err := authorize(ctx, authz.GetCollection)
	if err != nil {
		return nil, err
	}
	var c *latchkey.Collection
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		c, err = s.visibleCollection(ctx, tx, p, id)
		return err
	})
	return c, err
}

// CreateCollection adds a collection, at the top or under a parent its
// creator owns (collaborators cannot add sub-collections). The creator
// owns it.
func (s *Service) CreateCollection(ctx context.Context, in CollectionInput) (*latchkey.Collection, error) {
	p, err := authorize(ctx, authz.CreateCollection)
	if err != nil {
		return nil, err
	}
	if in.Name == nil {
		return nil, latchkey.Invalid([]any{"name"}, "value_error.missing", "field required")
	}
	now := s.clock()
	c := &latchkey.Collection{ID: newID(), WorkspaceID: p.WorkspaceID, Status: latchkey.CollectionEnabled,
		CreatedAt: now, CreatedBy: p.UserID, UpdatedAt: now, UpdatedBy: p.UserID, Rank: latchkey.RankOwner}
	if _, err := in.apply(c); err != nil {
		return nil, err
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		c.ID = newID() // made inside the transaction: see CreateAccount
		if in.ParentID != nil && *in.ParentID != "" {
			parent, err := s.parentCollection(ctx, tx, p, *in.ParentID)
			if err != nil {
				return err
			}
			c.ParentID = parent.ID
		}
		owner := p.UserID
		if p.IsPrivileged() {
			owner = in.OwnerID
		}
		if owner != "" {
			if _, err := s.activeMember(ctx, tx, p.WorkspaceID, owner); err != nil {
				return err
			}
			if p.IsPrivileged() {
				c.CreatedBy, c.UpdatedBy = owner, owner
			}
		}
		if err := tx.CreateCollection(ctx, c); err != nil {
			return err
		}
		if owner != "" {
			if err := tx.Grant(ctx, &latchkey.Grant{WorkspaceID: p.WorkspaceID, ItemType: latchkey.ItemCollection, ItemID: c.ID,
				MemberType: latchkey.MemberUser, MemberID: owner, Rank: latchkey.RankOwner, CreatedAt: now, CreatedBy: p.UserID}); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, p, "collection.created", "collection", c.ID, map[string]string{"name": c.Name, "parentId": c.ParentID})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// parentCollection resolves a parent named in a body: one p owns.
func (s *Service) parentCollection(ctx context.Context, tx *store.Tx, p *latchkey.Principal, id string) (*latchkey.Collection, error) {
	parent, err := s.visibleCollection(ctx, tx, p, id)
	if latchkey.IsCode(err, latchkey.ENotFound) {
		return nil, latchkey.Invalid([]any{"parentId"}, "value_error", "No collection with this id is visible to you.")
	}
	if err != nil {
		return nil, err
	}
	if !authz.CanManage(p, parent.Rank) {
		return nil, latchkey.Errorf(latchkey.EForbidden, "Only the parent collection's owners may put collections in it.")
	}
	return parent, nil
}

// UpdateCollection renames, turns on or off, changes the meta of, or moves
// a collection the principal owns. A move under one of its own
// sub-collections would make a cycle and is refused.
func (s *Service) UpdateCollection(ctx context.Context, id string, in CollectionInput) (*latchkey.Collection, error) {
	p, err := authorize(ctx, authz.UpdateCollection)
	if err != nil {
		return nil, err
	}
	var c *latchkey.Collection
	err = s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if c, err = s.managedCollection(ctx, tx, p, id); err != nil {
			return err
		}
		changed, err := in.apply(c)
		if err != nil {
			return err
		}
		c.UpdatedAt, c.UpdatedBy = s.clock(), p.UserID
		if err := tx.UpdateCollection(ctx, c); err != nil {
			return err
		}
		if in.ParentID != nil && *in.ParentID != c.ParentID {
			target := *in.ParentID
			if target != "" {
				parent, err := s.parentCollection(ctx, tx, p, target)
				if err != nil {
					return err
				}
				inside, err := tx.IsWithin(ctx, p.WorkspaceID, c.ID, parent.ID)
				if err != nil {
					return err
				}
				if inside {
					return latchkey.Invalid([]any{"parentId"}, "value_error", "A collection cannot move into itself or one of its sub-collections.")
				}
			}
			if err := tx.MoveCollection(ctx, c, target); err != nil {
				return err
			}
			changed = append(changed, "parentId")
		}
		return s.record(ctx, tx, p, "collection.updated", "collection", c.ID, map[string]string{"fields": strings.Join(changed, ",")})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteCollection removes a collection the principal owns and every
// sub-collection; the accounts and secrets in them stay where else they are.
func (s *Service) DeleteCollection(ctx context.Context, id string) error {
	p, err := authorize(ctx, authz.DeleteCollection)
	if err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		c, err := s.managedCollection(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteCollection(ctx, p.WorkspaceID, c.ID); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "collection.deleted", "collection", c.ID, map[string]string{"name": c.Name})
	})
}

// Subcollections pages through a collection's direct sub-collections.
func (s *Service) Subcollections(ctx context.Context, id string, page latchkey.Page) ([]*latchkey.Collection, int, error) {
	p, err := authorize(ctx, authz.ListCollectionContents)
	if err != nil {
		return nil, 0, err
	}
	var (
		out   []*latchkey.Collection
		total int
	)
	err = s.db.View(ctx, func(tx *store.Tx) error {
		c, err := s.visibleCollection(ctx, tx, p, id)
		if err != nil {
			return err
		}
		out, total, err = tx.ListCollections(ctx, p.WorkspaceID, store.Visibility{UserID: p.UserID}, c.ID, page)
		return err
	})
	return out, total, err
}

// CollectionAccounts pages through the accounts directly in a collection.
func (s *Service) CollectionAccounts(ctx context.Context, id string, page latchkey.Page) ([]*latchkey.Account, int, error) {
	p, err := authorize(ctx, authz.ListCollectionContents)
	if err != nil {
		return nil, 0, err
	}
	var (
		out   []*latchkey.Account
		total int
	)
	err = s.db.View(ctx, func(tx *store.Tx) error {
		c, err := s.visibleCollection(ctx, tx, p, id)
		if err != nil {
			return err
		}
		out, total, err = tx.CollectionAccounts(ctx, p.WorkspaceID, c.ID, p.UserID, page)
		return err
	})
	for _, a := range out {
		a.WorkspaceName = p.WorkspaceName
	}
	return out, total, err
}

// CollectionSecrets pages through the secrets directly in a collection.
func (s *Service) CollectionSecrets(ctx context.Context, id string, page latchkey.Page) ([]*latchkey.Secret, int, error) {
	p, err := authorize(ctx, authz.ListCollectionContents)
	if err != nil {
		return nil, 0, err
	}
	var (
		out   []*latchkey.Secret
		total int
	)
	err = s.db.View(ctx, func(tx *store.Tx) error {
		c, err := s.visibleCollection(ctx, tx, p, id)
		if err != nil {
			return err
		}
		out, total, err = tx.CollectionSecrets(ctx, p.WorkspaceID, c.ID, p.UserID, page)
		return err
	})
	now := s.clock()
	for _, sec := range out {
		present(sec, p, now)
	}
	return out, total, err
}

// AddToCollection puts accounts or secrets in a collection. The principal
// must own the collection and each item: putting an item in a collection
// shares it with everyone the collection is shared with. All or none.
func (s *Service) AddToCollection(ctx context.Context, id string, itemType latchkey.ItemType, itemIDs []string) error {
	p, err := authorize(ctx, authz.ChangeCollectionItems)
	if err != nil {
		return err
	}
	if len(itemIDs) == 0 {
		return latchkey.Invalid([]any{"data"}, "too_short", "List should have at least 1 item after validation, not 0")
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		c, err := s.managedCollection(ctx, tx, p, id)
		if err != nil {
			return err
		}
		for i, itemID := range itemIDs {
			var rank latchkey.Rank
			switch itemType {
			case latchkey.ItemAccount:
				a, err := s.visibleAccount(ctx, tx, p, itemID)
				if err != nil {
					return relocateNotFound(err, []any{i, "id"}, "No account with this id is visible to you.")
				}
				rank = a.Rank
			case latchkey.ItemSecret:
				sec, err := s.visibleSecret(ctx, tx, p, itemID)
				if err != nil {
					return relocateNotFound(err, []any{i, "id"}, "No secret with this id is visible to you.")
				}
				rank = sec.Rank
			}
			if !authz.CanManage(p, rank) {
				return latchkey.Errorf(latchkey.EForbidden, "Only an item's owners may put it in a collection.")
			}
			if err := tx.AddToCollection(ctx, p.WorkspaceID, c.ID, itemType, itemID, p.UserID, s.clock().UnixMicro()); err != nil {
				return err
			}
			if err := s.record(ctx, tx, p, "collection."+string(itemType)+".added", "collection", c.ID, map[string]string{"itemId": itemID}); err != nil {
				return err
			}
		}
		return nil
	})
}

// relocateNotFound turns "not visible" into a validation error at loc.
func relocateNotFound(err error, loc []any, msg string) error {
	if latchkey.IsCode(err, latchkey.ENotFound) {
		return latchkey.Invalid(loc, "value_error", msg)
	}
	return err
}

// RemoveFromCollection takes an account or secret out of a collection the
// principal owns.
func (s *Service) RemoveFromCollection(ctx context.Context, id string, itemType latchkey.ItemType, itemID string) error {
	p, err := authorize(ctx, authz.ChangeCollectionItems)
	if err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		c, err := s.managedCollection(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if !validID(itemID) {
			return notFound()
		}
		if err := tx.RemoveFromCollection(ctx, p.WorkspaceID, c.ID, itemType, itemID); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "collection."+string(itemType)+".removed", "collection", c.ID, map[string]string{"itemId": itemID})
	})
}
