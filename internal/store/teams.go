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
	return err
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
	return tx.refreshUserAccess(ctx, workspaceID, userID)
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
	return tx.refreshUserAccess(ctx, workspaceID, userID)
}
