package core

import (
	"context"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/authz"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// ShareAccount gives a user or team a role on an account the principal
// owns, or changes the role they hold. Roles: account_owner,
// account_manager, account_collaborator (and the bare owner, manager,
// collaborator).
func (s *Service) ShareAccount(ctx context.Context, id string, memberType latchkey.MemberType, memberID, role string) (Member, error) {
	p, err := authorize(ctx, authz.ShareAccount)
	if err != nil {
		return Member{}, err
	}
	rank, ok := latchkey.ParseItemRole(latchkey.ItemAccount, role)
	if !ok {
		return Member{}, latchkey.Invalid([]any{"role"}, "type_error.enum", "value is not a valid enumeration member; permitted: 'account_owner', 'account_manager', 'account_collaborator'")
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		a, err := s.managedAccount(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := s.checkShareTarget(ctx, tx, p, memberType, memberID, rank); err != nil {
			return err
		}
		if err := s.keepAnOwner(ctx, tx, p.WorkspaceID, a.ID, memberType, memberID, rank); err != nil {
			return err
		}
		if err := tx.Grant(ctx, &latchkey.Grant{WorkspaceID: p.WorkspaceID, ItemType: latchkey.ItemAccount, ItemID: a.ID,
			MemberType: memberType, MemberID: memberID, Rank: rank, CreatedAt: s.clock(), CreatedBy: p.UserID}); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "account.shared", "account", a.ID, map[string]string{
			"memberType": string(memberType), "memberId": memberID, "role": string(latchkey.ItemRoleFor(latchkey.ItemAccount, rank))})
	})
	if err != nil {
		return Member{}, err
	}
	return Member{ID: memberID, Type: memberType, Role: latchkey.ItemRoleFor(latchkey.ItemAccount, rank)}, nil
}
