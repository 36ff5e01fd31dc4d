package store

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/latchkeyhq/latchkey"
)

// Bulk loading, for `latchkey admin seed`: many rows per statement, and the
// derived tables (effective roles, counts) rebuilt once at the end rather
// than per row.

// insertRows inserts rows in multi-row statements, keeping each under the
// engines' bind-parameter limits.
func (tx *Tx) insertRows(ctx context.Context, table string, columns []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, 8000/len(columns))
	one := "(" + placeholders(len(columns)) + ")"
	for len(rows) > 0 {
		n := min(len(rows), per)
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES ")
		args := make([]any, 0, n*len(columns))
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, r...)
		}
		// Built per batch size; the statement cache bounds how many it keeps.
		if _, err := tx.exec(ctx, b.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// BulkUsers inserts users.
func (tx *Tx) BulkUsers(ctx context.Context, users []*latchkey.User) error {
	rows := make([][]any, len(users))
	statuses := map[latchkey.UserStatus]int{}
	for i, u := range users {
		rows[i] = []any{u.WorkspaceID, u.ID, u.Email, latchkey.NormalizeEmail(u.Email), u.FirstName, u.LastName, string(u.Role), string(u.Status),
			u.IsGuest, u.MFAEnabled, nullMicros(u.MFAEnrolledAt), nullMicros(u.LastActivityAt), micros(u.CreatedAt), micros(u.UpdatedAt)}
		statuses[u.Status]++
	}
	if err := tx.insertRows(ctx, "users", []string{"workspace_id", "id", "email", "email_key", "first_name", "last_name", "role", "status",
		"is_guest", "mfa_enabled", "mfa_enrolled_at", "last_activity_at", "created_at", "updated_at"}, rows); err != nil {
		if IsDuplicate(err) {
			return latchkey.Errorf(latchkey.EConflict, "A user with one of these emails already exists in the workspace.")
		}
		return err
	}
	if len(users) == 0 {
		return nil
	}
	ws := users[0].WorkspaceID
	if err := tx.bump(ctx, ws, countUsers, len(users)); err != nil {
		return err
	}
	for st, n := range statuses {
		if err := tx.bump(ctx, ws, countUsers+"."+string(st), n); err != nil {
			return err
		}
	}
	return nil
}

// BulkTeams inserts teams and their members.
func (tx *Tx) BulkTeams(ctx context.Context, teams []*latchkey.Team, members map[string][]latchkey.TeamMembership, at int64) error {
	rows := make([][]any, len(teams))
	var mrows [][]any
	for i, t := range teams {
		rows[i] = []any{t.WorkspaceID, t.ID, t.Name, nameKey(t.Name), string(t.Type), micros(t.CreatedAt), micros(t.UpdatedAt)}
		for _, m := range members[t.ID] {
			mrows = append(mrows, []any{t.WorkspaceID, t.ID, m.UserID, string(m.Role), at})
		}
	}
	if err := tx.insertRows(ctx, "teams", []string{"workspace_id", "id", "name", "name_key", "type", "created_at", "updated_at"}, rows); err != nil {
		return err
	}
	if err := tx.insertRows(ctx, "team_members", []string{"workspace_id", "team_id", "user_id", "role", "created_at"}, mrows); err != nil {
		return err
	}
	if len(teams) == 0 {
		return nil
	}
	return tx.bump(ctx, teams[0].WorkspaceID, countTeams, len(teams))
}

// SealedSecret is an account secret with its ciphertext, for bulk loads.
type SealedSecret struct {
	Secret     *latchkey.AccountSecret
	Ciphertext []byte
}

// BulkAccounts inserts accounts and their sealed secrets.
func (tx *Tx) BulkAccounts(ctx context.Context, accounts []*latchkey.Account, secrets []SealedSecret) error {
	rows := make([][]any, len(accounts))
	for i, a := range accounts {
		args, err := accountArgs(a)
		if err != nil {
			return err
		}
		rows[i] = append([]any{a.WorkspaceID, a.ID, micros(a.CreatedAt), a.CreatedBy, a.CreatedByEmail}, args...)
	}
	if err := tx.insertRows(ctx, "accounts", []string{"workspace_id", "id", "created_at", "created_by", "created_by_email",
		"vault_id", "application", "label", "username", "email", "phone", "url", "domain",
		"avatar_url", "business_id", "status", "meta", "password_visible", "autofill_mfa", "cerby_managed_email",
		"cerby_managed_phone", "has_backup_code", "has_passkey", "has_password", "has_totp", "mfa_types",
		"updated_at", "updated_by", "last_login_at", "last_login_by",
		"last_password_change_at", "rotated_at", "rotated_by", "rotated_by_id", "synced_at"}, rows); err != nil {
		return err
	}
	srows := make([][]any, len(secrets))
	for i, s := range secrets {
		srows[i] = []any{s.Secret.WorkspaceID, s.Secret.ID, s.Secret.AccountID, string(s.Secret.Type), s.Secret.Version, s.Ciphertext,
			micros(s.Secret.CreatedAt), s.Secret.CreatedBy}
	}
	if err := tx.insertRows(ctx, "account_secrets", []string{"workspace_id", "id", "account_id", "type", "version", "ciphertext", "created_at", "created_by"}, srows); err != nil {
		return err
	}
	if len(accounts) == 0 {
		return nil
	}
	return tx.bump(ctx, accounts[0].WorkspaceID, countAccounts, len(accounts))
}

// BulkGrants inserts grants without rebuilding effective roles; call
// RebuildAccess when the load is done.
func (tx *Tx) BulkGrants(ctx context.Context, grants []*latchkey.Grant) error {
	rows := make([][]any, len(grants))
	for i, g := range grants {
		rows[i] = []any{g.WorkspaceID, g.ItemID, string(g.MemberType), g.MemberID, string(g.ItemType), int(g.Rank), micros(g.CreatedAt), g.CreatedBy}
	}
	return tx.insertRows(ctx, "item_grants", []string{"workspace_id", "item_id", "member_type", "member_id", "item_type", "rank", "created_at", "created_by"}, rows)
}

// BulkCollections inserts top-level collections and the items in them.
func (tx *Tx) BulkCollections(ctx context.Context, collections []*latchkey.Collection, items map[string][]string, by string, at int64) error {
	rows := make([][]any, len(collections))
	closure := make([][]any, len(collections))
	var irows [][]any
	for i, c := range collections {
		meta := "{}"
		if len(c.Meta) > 0 {
			b, err := json.Marshal(c.Meta)
			if err != nil {
				return err
			}
			meta = string(b)
		}
		rows[i] = []any{c.WorkspaceID, c.ID, nil, "", c.Name, nameKey(c.Name), string(c.Status), meta, micros(c.CreatedAt), c.CreatedBy, micros(c.UpdatedAt), c.UpdatedBy}
		closure[i] = []any{c.WorkspaceID, c.ID, c.ID, 0}
		for _, id := range items[c.ID] {
			irows = append(irows, []any{c.WorkspaceID, c.ID, id, string(latchkey.ItemAccount), at, by})
		}
	}
	if err := tx.insertRows(ctx, "collections", []string{"workspace_id", "id", "parent_id", "parent_key", "name", "name_key", "status", "meta",
		"created_at", "created_by", "updated_at", "updated_by"}, rows); err != nil {
		return err
	}
	if err := tx.insertRows(ctx, "collection_closure", []string{"workspace_id", "ancestor_id", "descendant_id", "depth"}, closure); err != nil {
		return err
	}
	if err := tx.insertRows(ctx, "collection_items", []string{"workspace_id", "collection_id", "item_id", "item_type", "added_at", "added_by"}, irows); err != nil {
		return err
	}
	if len(collections) == 0 {
		return nil
	}
	return tx.bump(ctx, collections[0].WorkspaceID, countCollections, len(collections))
}

// RebuildAccess derives every effective role of a workspace from its
// grants, memberships and collections, and recounts access_counts: the
// end of a bulk load. The counts take version, which must be new to every
// list (a time in microseconds serves), so no cache keeps stale anchors.
func (tx *Tx) RebuildAccess(ctx context.Context, workspaceID string, version int64) error {
	for _, q := range []string{
		`DELETE FROM item_access WHERE workspace_id = ?`,
		`DELETE FROM access_counts WHERE workspace_id = ?`,
	} {
		if _, err := tx.exec(ctx, q, workspaceID); err != nil {
			return err
		}
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO item_access (workspace_id, user_id, item_type, item_id, rank)
SELECT workspace_id, user_id, item_type, item_id, MAX(rank) FROM (`)
	args := []any{}
	for i, arm := range accessArms(false) {
		if i > 0 {
			b.WriteString("\nUNION ALL\n")
		}
		b.WriteString(arm.sql)
		args = append(args, workspaceID)
	}
	b.WriteString(`) paths GROUP BY workspace_id, user_id, item_type, item_id`)
	if _, err := tx.exec(ctx, b.String(), args...); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO access_counts (workspace_id, user_id, item_type, total, owned, version)
		SELECT workspace_id, user_id, item_type, COUNT(*), SUM(CASE WHEN rank >= 3 THEN 1 ELSE 0 END), ?
		FROM item_access WHERE workspace_id = ? GROUP BY workspace_id, user_id, item_type`, version, workspaceID)
	return err
}

// Analyze refreshes the planner's statistics after a bulk load.
func (db *DB) Analyze(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, "ANALYZE"); err != nil {
		return err
	}
	if db.dialect == SQLite {
		return dropSampleStats(ctx, db.write)
	}
	return nil
}
