package core

import (
	"context"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/authz"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// ListActivities pages through recorded events, newest first. Admins see
// the whole workspace; other members see what they did themselves.
func (s *Service) ListActivities(ctx context.Context, f latchkey.ActivityFilter) ([]*latchkey.Activity, int, error) {
	p, err := authorize(ctx, authz.ListActivities)
	if err != nil {
		return nil, 0, err
	}
	if !p.IsPrivileged() && !p.Role.IsAdmin() {
		f.OnlyActorID = p.UserID
	}
	if f.Since != nil && f.Until != nil && !f.Since.Before(*f.Until) {
		return nil, 0, latchkey.Invalid([]any{"filter[since]"}, "value_error", "since must be before until")
	}
	var (
		out   []*latchkey.Activity
		total int
	)
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, total, err = tx.ListActivities(ctx, p.WorkspaceID, f)
		return err
	})
	return out, total, err
}
