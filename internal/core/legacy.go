package core

import (
	"context"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/authz"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// UserAccounts lists the accounts a member can reach, as the legacy Read
// API's /users/{id}/accounts does. Admins read anyone's; a member reads
// their own. An API key reading its own user sees owned accounts only, as
// everywhere else.
func (s *Service) UserAccounts(ctx context.Context, userID string, f latchkey.AccountFilter) ([]*latchkey.Account, int, error) {
	p, err := authorize(ctx, authz.UserAccounts)
	if err != nil {
		return nil, 0, err
	}
	if !validID(userID) {
		return nil, 0, notFound()
	}
	self := userID == p.UserID
	if !self && !p.IsPrivileged() && !p.Role.IsAdmin() {
		return nil, 0, latchkey.Errorf(latchkey.EForbidden, "Only workspace Owners, Super Admins and Admins may read another member's accounts.")
	}
	vis := store.Visibility{UserID: userID, MinRank: latchkey.RankCollaborator}
	if self {
		vis = visibility(p)
	}
	var (
		out   []*latchkey.Account
		total int
	)
	err = s.db.View(ctx, func(tx *store.Tx) error {
		if _, err := tx.User(ctx, p.WorkspaceID, userID); err != nil {
			return err
		}
		out, total, err = tx.ListAccounts(ctx, p.WorkspaceID, vis, f)
		return err
	})
	for _, a := range out {
		a.WorkspaceName = p.WorkspaceName
	}
	return out, total, err
}
