package store

import (
	"context"
	"strings"

	"github.com/latchkeyhq/latchkey"
)

const teamColumns = `workspace_id, id, name, type, created_at, updated_at`

func scanTeam(row interface{ Scan(...any) error }) (*latchkey.Team, error) {
	var (
		t                latchkey.Team
		created, updated int64
	)
	if err := row.Scan(&t.WorkspaceID, &t.ID, &t.Name, &t.Type, &created, &updated); err != nil {
		return nil, err
	}
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &t, nil
}

func nameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// CreateTeam inserts t; team names are unique in a workspace, in any case.
func (tx *Tx) CreateTeam(ctx context.Context, t *latchkey.Team) error {
	_, err := tx.exec(ctx, `INSERT INTO teams (workspace_id, id, name, name_key, type, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.WorkspaceID, t.ID, t.Name, nameKey(t.Name), string(t.Type), micros(t.CreatedAt), micros(t.UpdatedAt))
	if IsDuplicate(err) {
		return latchkey.Errorf(latchkey.EConflict, "A team named %q already exists.", t.Name)
	}
	if err != nil {
		return err
	}
	return tx.bump(ctx, t.WorkspaceID, countTeams, 1)
}

// UpdateTeam renames a team.
func (tx *Tx) UpdateTeam(ctx context.Context, t *latchkey.Team) error {
	res, err := tx.exec(ctx, `UPDATE teams SET name = ?, name_key = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
		t.Name, nameKey(t.Name), micros(t.UpdatedAt), t.WorkspaceID, t.ID)
	if IsDuplicate(err) {
		return latchkey.Errorf(latchkey.EConflict, "A team named %q already exists.", t.Name)
	}
	return mustAffect(res, err)
}

// DeleteTeam removes a team, its memberships and every grant to it; what it
// gave its members ends in the same transaction.
func (tx *Tx) DeleteTeam(ctx context.Context, workspaceID, id string) error {
	if err := tx.lockAccess(ctx, workspaceID); err != nil {
		return err
	}
	members, err := tx.strings(ctx, `SELECT user_id FROM team_members WHERE workspace_id = ? AND team_id = ?`, workspaceID, id)
	if err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM item_grants WHERE workspace_id = ? AND member_type = 'team' AND member_id = ?`,
		`DELETE FROM team_members WHERE workspace_id = ? AND team_id = ?`,
	} {
		if _, err := tx.exec(ctx, q, workspaceID, id); err != nil {
			return err
		}
	}
	res, err := tx.exec(ctx, `DELETE FROM teams WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err := mustAffect(res, err); err != nil {
		return err
	}
	if err := tx.bump(ctx, workspaceID, countTeams, -1); err != nil {
		return err
	}
	return tx.refreshUsers(ctx, workspaceID, members)
}

// ListTeams pages through a workspace's teams, oldest first.
func (tx *Tx) ListTeams(ctx context.Context, workspaceID string, page latchkey.Page) ([]*latchkey.Team, int, error) {
	total, version, err := tx.counter(ctx, workspaceID, countTeams)
	if err != nil {
		return nil, 0, err
	}
	return listPage(ctx, tx, `FROM teams t WHERE t.workspace_id = ?`, []any{workspaceID}, "t.id", `SELECT `+qualified("t", teamColumns)+` `,
		page, total, workspaceID+"|"+countTeams, version, func(row interface{ Scan(...any) error }) (*latchkey.Team, error) { return scanTeam(row) })
}

// TeamMembers pages through a team's members by user id.
func (tx *Tx) TeamMembers(ctx context.Context, workspaceID, teamID string, page latchkey.Page) ([]latchkey.TeamMembership, int, error) {
	return listPage(ctx, tx, `FROM team_members m WHERE m.workspace_id = ? AND m.team_id = ?`, []any{workspaceID, teamID}, "m.user_id",
		`SELECT m.user_id, m.role `, page, -1, "", 0, func(row interface{ Scan(...any) error }) (latchkey.TeamMembership, error) {
			var m latchkey.TeamMembership
			err := row.Scan(&m.UserID, &m.Role)
			return m, err
		})
}

// TeamRoleOf returns a user's role in a team, or "" when not a member.
func (tx *Tx) TeamRoleOf(ctx context.Context, workspaceID, teamID, userID string) (latchkey.TeamRole, error) {
	var role latchkey.TeamRole
	err := tx.queryRow(ctx, `SELECT role FROM team_members WHERE workspace_id = ? AND team_id = ? AND user_id = ?`,
		workspaceID, teamID, nullableID(userID)).Scan(&role)
	if err != nil && latchkey.IsCode(tx.db.translate(err), latchkey.ENotFound) {
		return "", nil
	}
	return role, tx.db.translate(err)
}

// Team finds a team by id.
func (tx *Tx) Team(ctx context.Context, workspaceID, id string) (*latchkey.Team, error) {
	t, err := scanTeam(tx.queryRow(ctx, `SELECT `+teamColumns+` FROM teams WHERE workspace_id = ? AND id = ?`+tx.forUpdate(), workspaceID, id))
	return t, tx.db.translate(err)
}

// AddTeamMember puts a user in a team, or changes their team role, and
// refreshes the user's effective item roles.
func (tx *Tx) AddTeamMember(ctx context.Context, workspaceID, teamID, userID string, role latchkey.TeamRole, at int64) error {
	if err := tx.lockAccess(ctx, workspaceID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO team_members (workspace_id, team_id, user_id, role, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, team_id, user_id) DO UPDATE SET role = excluded.role`,
		workspaceID, teamID, userID, string(role), at); err != nil {
		return err
	}
	return tx.refreshUsers(ctx, workspaceID, []string{userID})
}

// RemoveTeamMember takes a user out of a team; what the team gave them ends
// in the same transaction.
func (tx *Tx) RemoveTeamMember(ctx context.Context, workspaceID, teamID, userID string) error {
	if err := tx.lockAccess(ctx, workspaceID); err != nil {
		return err
	}
	res, err := tx.exec(ctx, `DELETE FROM team_members WHERE workspace_id = ? AND team_id = ? AND user_id = ?`, workspaceID, teamID, userID)
	if err := mustAffect(res, err); err != nil {
		return err
	}
	return tx.refreshUsers(ctx, workspaceID, []string{userID})
}
