package core

import (
	"context"
	"strings"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// CreateTeam adds a self-managed team. Operator and system only until the
// teams API arrives with directory management.
func (s *Service) CreateTeam(ctx context.Context, name string) (*latchkey.Team, error) {
	p, ok := latchkey.FromContext(ctx)
	if !ok || !p.IsPrivileged() {
		return nil, latchkey.Errorf(latchkey.EForbidden, "Only the operator can add teams this way.")
	}
	name = strings.TrimSpace(name)
	if err := plainText("name", name); err != nil {
		return nil, err
	}
	if name == "" || chars(name) > maxNameLength {
		return nil, latchkey.Invalid([]any{"name"}, "value_error", "A team name is 1 to 200 characters.")
	}
	now := s.clock()
	t := &latchkey.Team{ID: newID(), WorkspaceID: p.WorkspaceID, Name: name, Type: latchkey.TeamUserManaged, CreatedAt: now, UpdatedAt: now}
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CreateTeam(ctx, t); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "team.created", "team", t.ID, map[string]string{"name": name})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// AddTeamMember puts a member in a team; what is shared with the team
// reaches them in the same transaction.
func (s *Service) AddTeamMember(ctx context.Context, teamID, userID string, role latchkey.TeamRole) error {
	p, ok := latchkey.FromContext(ctx)
	if !ok || !p.IsPrivileged() {
		return latchkey.Errorf(latchkey.EForbidden, "Only the operator can change teams this way.")
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.Team(ctx, p.WorkspaceID, teamID); err != nil {
			return err
		}
		if _, err := tx.User(ctx, p.WorkspaceID, userID); err != nil {
			return err
		}
		if err := tx.AddTeamMember(ctx, p.WorkspaceID, teamID, userID, role, s.clock().UnixMicro()); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "team.member.added", "team", teamID, map[string]string{"userId": userID, "role": string(role)})
	})
}

// RemoveTeamMember takes a member out of a team; what the team gave them
// ends in the same transaction.
func (s *Service) RemoveTeamMember(ctx context.Context, teamID, userID string) error {
	p, ok := latchkey.FromContext(ctx)
	if !ok || !p.IsPrivileged() {
		return latchkey.Errorf(latchkey.EForbidden, "Only the operator can change teams this way.")
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.RemoveTeamMember(ctx, p.WorkspaceID, teamID, userID); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "team.member.removed", "team", teamID, map[string]string{"userId": userID})
	})
}
