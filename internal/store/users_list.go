package store

import (
	"context"
	"strings"

	"github.com/latchkeyhq/latchkey"
)

// ListUsers pages through a workspace's members, oldest first. Unfiltered
// and status-only lists count from the kept counters; free text scans.
func (tx *Tx) ListUsers(ctx context.Context, workspaceID string, f latchkey.UserFilter) ([]*latchkey.User, int, error) {
	var (
		where strings.Builder
		args  = []any{workspaceID}
	)
	where.WriteString(`FROM users u WHERE u.workspace_id = ?`)
	if len(f.Statuses) > 0 {
		where.WriteString(` AND u.status IN (` + placeholders(len(f.Statuses)) + `)`)
		for _, s := range f.Statuses {
			args = append(args, string(s))
		}
	}
	if f.IsGuest != nil {
		where.WriteString(` AND u.is_guest = ?`)
		args = append(args, *f.IsGuest)
	}
	if len(f.IDs) > 0 {
		where.WriteString(` AND u.id IN (` + placeholders(len(f.IDs)) + `)`)
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		like := "%" + escapeLike(strings.ToLower(t)) + "%"
		where.WriteString(` AND (LOWER(u.first_name || ' ' || u.last_name) LIKE ? ESCAPE '\' OR u.email_key LIKE ? ESCAPE '\')`)
		args = append(args, like, like)
	}
	total, version, key := -1, int64(0), ""
	if f.Text == "" && f.IsGuest == nil && len(f.IDs) == 0 && len(f.Statuses) <= 1 {
		name := countUsers
		if len(f.Statuses) == 1 {
			name = countUsers + "." + string(f.Statuses[0])
		}
		n, v, err := tx.counter(ctx, workspaceID, name)
		if err != nil {
			return nil, 0, err
		}
		total, version, key = n, v, workspaceID+"|"+name
	}
	return listPage(ctx, tx, where.String(), args, "u.id", `SELECT `+qualified("u", userColumns)+` `, f.Page, total, key, version,
		func(row interface{ Scan(...any) error }) (*latchkey.User, error) { return scanUser(row) })
}

// escapeLike makes a user's text match literally inside LIKE.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// qualified prefixes every column of a comma-separated list with a table alias.
func qualified(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// UserTeams lists the teams a user is in.
func (tx *Tx) UserTeams(ctx context.Context, workspaceID, userID string) ([]string, error) {
	return tx.strings(ctx, `SELECT team_id FROM team_members WHERE workspace_id = ? AND user_id = ?`, workspaceID, userID)
}

// Deprovision ends everything a disabled user had: their API keys are
// removed, their tokens revoked, their item roles and team places gone,
// and their effective roles rebuilt (to nothing).
func (tx *Tx) Deprovision(ctx context.Context, workspaceID, userID string, at int64) error {
	if err := tx.lockAccess(ctx, workspaceID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE api_keys SET removed_at = ?, updated_at = ? WHERE workspace_id = ? AND user_id = ? AND removed_at IS NULL`,
		at, at, workspaceID, userID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE tokens SET revoked_at = ? WHERE workspace_id = ? AND user_id = ? AND revoked_at IS NULL`,
		at, workspaceID, userID); err != nil {
		return err
	}
	// Items granted to the user alone are rebuilt after the grants go.
	items, err := tx.strings(ctx, `SELECT item_id FROM item_grants WHERE workspace_id = ? AND member_type = 'user' AND member_id = ?`, workspaceID, userID)
	if err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM item_grants WHERE workspace_id = ? AND member_type = 'user' AND member_id = ?`,
		`DELETE FROM team_members WHERE workspace_id = ? AND user_id = ?`,
	} {
		if _, err := tx.exec(ctx, q, workspaceID, userID); err != nil {
			return err
		}
	}
	if err := tx.refreshUsers(ctx, workspaceID, []string{userID}); err != nil {
		return err
	}
	// A grant on a collection reached others only through this user's own
	// row, so rebuilding the user is enough; items are rebuilt for safety.
	return tx.refreshItems(ctx, workspaceID, items)
}
