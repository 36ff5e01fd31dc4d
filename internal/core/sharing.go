package core

import (
	"context"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/authz"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// Member is a user or team holding a role on an item.
type Member struct {
	ID   string
	Type latchkey.MemberType
	Role latchkey.ItemRole
}

// Sharing works the same for accounts, secrets and collections; what
// differs is how the item is read and what its roles are called.
var sharingOps = map[latchkey.ItemType]struct {
	list, share, remove authz.Operation
	roles               string // for error messages
}{
	latchkey.ItemAccount:    {authz.ListAccountMembers, authz.ShareAccount, authz.RemoveAccountMember, "'account_owner', 'account_manager', 'account_collaborator'"},
	latchkey.ItemSecret:     {authz.ListSecretMembers, authz.ShareSecret, authz.RemoveSecretMember, "'secret_owner', 'secret_collaborator'"},
	latchkey.ItemCollection: {authz.ListCollectionContents, authz.ShareCollection, authz.RemoveCollectionMember, "'collection_owner', 'collection_collaborator'"},
}

// itemRank reads an item p may see and returns p's effective role on it.
func (s *Service) itemRank(ctx context.Context, tx *store.Tx, p *latchkey.Principal, typ latchkey.ItemType, id string) (latchkey.Rank, error) {
	switch typ {
	case latchkey.ItemAccount:
		a, err := s.visibleAccount(ctx, tx, p, id)
		if err != nil {
			return 0, err
		}
		return a.Rank, nil
	case latchkey.ItemSecret:
		sec, err := s.visibleSecret(ctx, tx, p, id)
		if err != nil {
			return 0, err
		}
		return sec.Rank, nil
	}
	c, err := s.visibleCollection(ctx, tx, p, id)
	if err != nil {
		return 0, err
	}
	return c.Rank, nil
}

func (s *Service) managedItem(ctx context.Context, tx *store.Tx, p *latchkey.Principal, typ latchkey.ItemType, id string) error {
	rank, err := s.itemRank(ctx, tx, p, typ, id)
	if err != nil {
		return err
	}
	if !authz.CanManage(p, rank) {
		return latchkey.Errorf(latchkey.EForbidden, "Only the %s's owners may share it.", typ)
	}
	return nil
}

func (s *Service) listMembers(ctx context.Context, typ latchkey.ItemType, id string, memberType latchkey.MemberType, page latchkey.Page) ([]Member, int, error) {
	p, err := authorize(ctx, sharingOps[typ].list)
	if err != nil {
		return nil, 0, err
	}
	var (
		grants []*latchkey.Grant
		total  int
	)
	err = s.db.View(ctx, func(tx *store.Tx) error {
		if _, err := s.itemRank(ctx, tx, p, typ, id); err != nil {
			return err
		}
		grants, total, err = tx.ItemGrants(ctx, p.WorkspaceID, id, memberType, page)
		return err
	})
	out := make([]Member, 0, len(grants))
	for _, g := range grants {
		out = append(out, Member{ID: g.MemberID, Type: g.MemberType, Role: latchkey.ItemRoleFor(typ, g.Rank)})
	}
	return out, total, err
}

func (s *Service) share(ctx context.Context, typ latchkey.ItemType, id string, memberType latchkey.MemberType, memberID, role string) (Member, error) {
	members, err := s.shareMany(ctx, typ, id, memberType, []string{memberID}, role)
	if err != nil {
		return Member{}, err
	}
	return members[0], nil
}

// shareMany gives several members of one type the same role on an item, all
// or none.
func (s *Service) shareMany(ctx context.Context, typ latchkey.ItemType, id string, memberType latchkey.MemberType, memberIDs []string, role string) ([]Member, error) {
	p, err := authorize(ctx, sharingOps[typ].share)
	if err != nil {
		return nil, err
	}
	rank, ok := latchkey.ParseItemRole(typ, role)
	if !ok {
		return nil, latchkey.Invalid([]any{"role"}, "type_error.enum", "value is not a valid enumeration member; permitted: "+sharingOps[typ].roles)
	}
	if len(memberIDs) == 0 {
		return nil, latchkey.Invalid([]any{"id"}, "too_short", "List should have at least 1 item after validation, not 0")
	}
	var out []Member
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if err := s.managedItem(ctx, tx, p, typ, id); err != nil {
			return err
		}
		for _, memberID := range memberIDs {
			if err := s.checkShareTarget(ctx, tx, p, memberType, memberID, rank); err != nil {
				return err
			}
			if err := tx.Grant(ctx, &latchkey.Grant{WorkspaceID: p.WorkspaceID, ItemType: typ, ItemID: id,
				MemberType: memberType, MemberID: memberID, Rank: rank, CreatedAt: s.clock(), CreatedBy: p.UserID}); err != nil {
				return err
			}
			if err := s.record(ctx, tx, p, string(typ)+".shared", string(typ), id, map[string]string{
				"memberType": string(memberType), "memberId": memberID, "role": string(latchkey.ItemRoleFor(typ, rank))}); err != nil {
				return err
			}
			out = append(out, Member{ID: memberID, Type: memberType, Role: latchkey.ItemRoleFor(typ, rank)})
		}
		return s.keepAnOwner(ctx, tx, p.WorkspaceID, id)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) removeMember(ctx context.Context, typ latchkey.ItemType, id string, memberType latchkey.MemberType, memberID string) error {
	p, err := authorize(ctx, sharingOps[typ].remove)
	if err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if err := s.managedItem(ctx, tx, p, typ, id); err != nil {
			return err
		}
		if !validID(memberID) {
			return notFound()
		}
		if err := tx.Revoke(ctx, p.WorkspaceID, id, memberType, memberID); err != nil {
			if latchkey.IsCode(err, latchkey.ENotFound) {
				return latchkey.Errorf(latchkey.ENotFound, "The %s holds no role on this %s.", memberType, typ)
			}
			return err
		}
		if err := s.keepAnOwner(ctx, tx, p.WorkspaceID, id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, string(typ)+".unshared", string(typ), id, map[string]string{"memberType": string(memberType), "memberId": memberID})
	})
}

// keepAnOwner refuses, after the fact and inside the transaction, a change
// that left an item with nobody holding the owner role by any path: someone
// must always be able to manage it.
func (s *Service) keepAnOwner(ctx context.Context, tx *store.Tx, workspaceID, itemID string) error {
	n, err := tx.EffectiveOwners(ctx, workspaceID, itemID)
	if err != nil {
		return err
	}
	if n == 0 {
		return latchkey.Errorf(latchkey.EConflict, "That would leave the item without an owner; make someone else an owner first.")
	}
	return nil
}

// checkShareTarget makes sure an item can be shared with the member at rank.
func (s *Service) checkShareTarget(ctx context.Context, tx *store.Tx, p *latchkey.Principal, memberType latchkey.MemberType, memberID string, rank latchkey.Rank) error {
	switch memberType {
	case latchkey.MemberUser:
		u, err := s.activeMember(ctx, tx, p.WorkspaceID, memberID)
		if err != nil {
			return err
		}
		if !authz.CanShareWith(u.Role, rank) {
			return latchkey.Invalid([]any{"role"}, "value_error", "Guests can only be collaborators.")
		}
	case latchkey.MemberTeam:
		if !validID(memberID) {
			return latchkey.Invalid([]any{"id"}, "value_error.uuid", "value is not a valid uuid")
		}
		if _, err := tx.Team(ctx, p.WorkspaceID, memberID); err != nil {
			if latchkey.IsCode(err, latchkey.ENotFound) {
				return latchkey.Invalid([]any{"id"}, "value_error", "No team with this id is in the workspace.")
			}
			return err
		}
	default:
		return latchkey.Invalid([]any{"type"}, "type_error.enum", "value is not a valid enumeration member; permitted: 'users', 'teams'")
	}
	return nil
}

// The operations by item type.

func (s *Service) ListAccountMembers(ctx context.Context, id string, mt latchkey.MemberType, page latchkey.Page) ([]Member, int, error) {
	return s.listMembers(ctx, latchkey.ItemAccount, id, mt, page)
}

// ShareAccount gives a user or team a role on an account the principal
// owns: account_owner, account_manager or account_collaborator (and the
// bare owner, manager, collaborator).
func (s *Service) ShareAccount(ctx context.Context, id string, mt latchkey.MemberType, memberID, role string) (Member, error) {
	return s.share(ctx, latchkey.ItemAccount, id, mt, memberID, role)
}

// ShareAccountWith gives several users or teams the same role on an
// account in one change, as the vendor's web API shares.
func (s *Service) ShareAccountWith(ctx context.Context, id string, mt latchkey.MemberType, memberIDs []string, role string) ([]Member, error) {
	return s.shareMany(ctx, latchkey.ItemAccount, id, mt, memberIDs, role)
}

func (s *Service) RemoveAccountMember(ctx context.Context, id string, mt latchkey.MemberType, memberID string) error {
	return s.removeMember(ctx, latchkey.ItemAccount, id, mt, memberID)
}

func (s *Service) ListSecretMembers(ctx context.Context, id string, mt latchkey.MemberType, page latchkey.Page) ([]Member, int, error) {
	return s.listMembers(ctx, latchkey.ItemSecret, id, mt, page)
}

// ShareSecret gives a user or team secret_owner or secret_collaborator (the
// legacy secure_secret_* spellings too).
func (s *Service) ShareSecret(ctx context.Context, id string, mt latchkey.MemberType, memberID, role string) (Member, error) {
	return s.share(ctx, latchkey.ItemSecret, id, mt, memberID, role)
}

func (s *Service) RemoveSecretMember(ctx context.Context, id string, mt latchkey.MemberType, memberID string) error {
	return s.removeMember(ctx, latchkey.ItemSecret, id, mt, memberID)
}

func (s *Service) ListCollectionMembers(ctx context.Context, id string, mt latchkey.MemberType, page latchkey.Page) ([]Member, int, error) {
	return s.listMembers(ctx, latchkey.ItemCollection, id, mt, page)
}

// ShareCollection gives a user or team collection_owner or
// collection_collaborator on a collection, and so on everything in it.
func (s *Service) ShareCollection(ctx context.Context, id string, mt latchkey.MemberType, memberID, role string) (Member, error) {
	return s.share(ctx, latchkey.ItemCollection, id, mt, memberID, role)
}

func (s *Service) RemoveCollectionMember(ctx context.Context, id string, mt latchkey.MemberType, memberID string) error {
	return s.removeMember(ctx, latchkey.ItemCollection, id, mt, memberID)
}
