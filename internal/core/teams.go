package core

import (
	"context"
	"strings"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/authz"
	"github.com/latchkeyhq/latchkey/internal/store"
)

func validTeamName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if err := plainText("name", name); err != nil {
		return "", err
	}
	if name == "" || chars(name) > maxNameLength {
		return "", latchkey.Invalid([]any{"name"}, "value_error", "A team name is 1 to 200 characters.")
	}
	return name, nil
}

// ListTeams pages through the workspace's teams. Admins only.
func (s *Service) ListTeams(ctx context.Context, page latchkey.Page) ([]*latchkey.Team, int, error) {
	p, err := authorize(ctx, authz.ListTeams)
	if err != nil {
		return nil, 0, err
	}
	var (
		out   []*latchkey.Team
		total int
	)
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, total, err = tx.ListTeams(ctx, p.WorkspaceID, page)
		return err
	})
	return out, total, err
}

// GetTeam reads one team. Admins only.
func (s *Service) GetTeam(ctx context.Context, id string) (*latchkey.Team, error) {
	p, err := authorize(ctx, authz.GetTeam)
	if err != nil {
		return nil, err
	}
	if !validID(id) {
		return nil, notFound()
	}
	var t *latchkey.Team
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		t, err = tx.Team(ctx, p.WorkspaceID, id)
		return err
	})
	return t, err
}

// CreateTeam adds a self-managed team; its creator becomes its team admin.
func (s *Service) CreateTeam(ctx context.Context, name string) (*latchkey.Team, error) {
	p, err := authorize(ctx, authz.CreateTeam)
	if err != nil {
		return nil, err
	}
	if name, err = validTeamName(name); err != nil {
		return nil, err
	}
	now := s.clock()
	t := &latchkey.Team{ID: newID(), WorkspaceID: p.WorkspaceID, Name: name, Type: latchkey.TeamUserManaged, CreatedAt: now, UpdatedAt: now}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CreateTeam(ctx, t); err != nil {
			return err
		}
		if p.UserID != "" {
			if err := tx.AddTeamMember(ctx, p.WorkspaceID, t.ID, p.UserID, latchkey.TeamAdmin, now.UnixMicro()); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, p, "team.created", "team", t.ID, map[string]string{"name": name})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// managedTeam reads a team p may change: a workspace admin or one of the
// team's admins may (403 for anyone else, as the vendor answers); nobody
// changes a team an identity provider manages.
func (s *Service) managedTeam(ctx context.Context, tx *store.Tx, p *latchkey.Principal, id string) (*latchkey.Team, error) {
	if !validID(id) {
		return nil, notFound()
	}
	t, err := tx.Team(ctx, p.WorkspaceID, id)
	if err != nil {
		return nil, err
	}
	if p.IsPrivileged() {
		return t, nil
	}
	role, err := tx.TeamRoleOf(ctx, p.WorkspaceID, t.ID, p.UserID)
	if err != nil {
		return nil, err
	}
	if !p.Role.IsAdmin() && role != latchkey.TeamAdmin {
		return nil, latchkey.Errorf(latchkey.EForbidden, "Only the team's admins and workspace admins may change it.")
	}
	if t.Type == latchkey.TeamSCIMManaged {
		return nil, latchkey.Errorf(latchkey.EForbidden, "The team is managed by the identity provider and cannot change here.")
	}
	return t, nil
}

// UpdateTeam renames a team.
func (s *Service) UpdateTeam(ctx context.Context, id, name string) (*latchkey.Team, error) {
	p, err := authorize(ctx, authz.UpdateTeam)
	if err != nil {
		return nil, err
	}
	if name, err = validTeamName(name); err != nil {
		return nil, err
	}
	var t *latchkey.Team
	err = s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if t, err = s.managedTeam(ctx, tx, p, id); err != nil {
			return err
		}
		from := t.Name
		t.Name, t.UpdatedAt = name, s.clock()
		if err := tx.UpdateTeam(ctx, t); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "team.updated", "team", t.ID, map[string]string{"name": name, "was": from})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// DeleteTeam removes a self-managed team; whatever it gave its members
// ends in the same transaction.
func (s *Service) DeleteTeam(ctx context.Context, id string) error {
	p, err := authorize(ctx, authz.DeleteTeam)
	if err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		t, err := s.managedTeam(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteTeam(ctx, p.WorkspaceID, t.ID); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "team.deleted", "team", t.ID, map[string]string{"name": t.Name})
	})
}

// TeamMemberInput adds one member to a team.
type TeamMemberInput struct {
	UserID     string
	MemberType string // only "user"
	Role       latchkey.TeamRole
}

// AddTeamMembers adds members (or changes their team role), all or none.
// Guests cannot be team admins.
func (s *Service) AddTeamMembers(ctx context.Context, teamID string, members []TeamMemberInput) ([]latchkey.TeamMembership, error) {
	p, err := authorize(ctx, authz.AddTeamMembers)
	if err != nil {
		return nil, err
	}
	if len(members) == 0 {
		return nil, latchkey.Invalid([]any{"data"}, "too_short", "List should have at least 1 item after validation, not 0")
	}
	var out []latchkey.TeamMembership
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		t, err := s.managedTeam(ctx, tx, p, teamID)
		if err != nil {
			return err
		}
		for i, m := range members {
			at := func(field string) []any { return []any{i, "attributes", field} }
			if m.MemberType != "" && m.MemberType != "user" {
				return latchkey.Invalid(at("member_type"), "type_error.enum", "value is not a valid enumeration member; permitted: 'user'")
			}
			if m.Role != latchkey.TeamAdmin && m.Role != latchkey.TeamMember {
				return latchkey.Invalid(at("role"), "type_error.enum", "value is not a valid enumeration member; permitted: 'admin', 'member'")
			}
			u, err := s.activeMember(ctx, tx, p.WorkspaceID, m.UserID)
			if err != nil {
				return relocate(err, at("member_id"))
			}
			if m.Role == latchkey.TeamAdmin && u.Role.IsGuest() {
				return latchkey.Invalid(at("role"), "value_error", "Guests cannot be team admins.")
			}
			if err := tx.AddTeamMember(ctx, p.WorkspaceID, t.ID, u.ID, m.Role, s.clock().UnixMicro()); err != nil {
				return err
			}
			out = append(out, latchkey.TeamMembership{UserID: u.ID, Role: m.Role})
			if err := s.record(ctx, tx, p, "team.member.added", "team", t.ID, map[string]string{"userId": u.ID, "role": string(m.Role)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddTeamMember adds one member; the operator's and the demo's shorthand.
func (s *Service) AddTeamMember(ctx context.Context, teamID, userID string, role latchkey.TeamRole) error {
	_, err := s.AddTeamMembers(ctx, teamID, []TeamMemberInput{{UserID: userID, MemberType: "user", Role: role}})
	return err
}

// ListTeamMembers pages through a team's members: workspace admins and the
// team's own members may look.
func (s *Service) ListTeamMembers(ctx context.Context, teamID string, page latchkey.Page) ([]latchkey.TeamMembership, int, error) {
	p, err := authorize(ctx, authz.ListTeamMembers)
	if err != nil {
		return nil, 0, err
	}
	if !validID(teamID) {
		return nil, 0, notFound()
	}
	var (
		out   []latchkey.TeamMembership
		total int
	)
	err = s.db.View(ctx, func(tx *store.Tx) error {
		t, err := tx.Team(ctx, p.WorkspaceID, teamID)
		if err != nil {
			return err
		}
		if !p.IsPrivileged() && !p.Role.IsAdmin() {
			role, err := tx.TeamRoleOf(ctx, p.WorkspaceID, t.ID, p.UserID)
			if err != nil {
				return err
			}
			if role == "" {
				return notFound()
			}
		}
		out, total, err = tx.TeamMembers(ctx, p.WorkspaceID, t.ID, page)
		return err
	})
	return out, total, err
}

// RemoveTeamMember takes a member out of a team; what the team gave them
// ends in the same transaction.
func (s *Service) RemoveTeamMember(ctx context.Context, teamID, userID string) error {
	p, err := authorize(ctx, authz.RemoveTeamMember)
	if err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		t, err := s.managedTeam(ctx, tx, p, teamID)
		if err != nil {
			return err
		}
		if !validID(userID) {
			return notFound()
		}
		if err := tx.RemoveTeamMember(ctx, p.WorkspaceID, t.ID, userID); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "team.member.removed", "team", t.ID, map[string]string{"userId": userID})
	})
}

// relocate puts a validation error from a helper at the caller's location.
func relocate(err error, loc []any) error {
	var le *latchkey.Error
	if !asError(err, &le) || le.Meta == nil {
		return err
	}
	out := *le
	meta := *le.Meta
	meta.Loc = loc
	out.Meta = &meta
	return &out
}
