package store

import (
	"context"

	"github.com/latchkeyhq/latchkey"
)

const userColumns = `workspace_id, id, email, first_name, last_name, role, status, is_guest,
	mfa_enabled, mfa_enrolled_at, last_activity_at, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (*latchkey.User, error) {
	var (
		u                  latchkey.User
		enrolled, activity nullTime
		created, updated   int64
	)
	if err := row.Scan(&u.WorkspaceID, &u.ID, &u.Email, &u.FirstName, &u.LastName, &u.Role, &u.Status, &u.IsGuest,
		&u.MFAEnabled, &enrolled, &activity, &created, &updated); err != nil {
		return nil, err
	}
	u.MFAEnrolledAt, u.LastActivityAt = enrolled.ptr(), activity.ptr()
	u.CreatedAt, u.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &u, nil
}

// CreateUser inserts u. A second user with the same email in the workspace
// is a conflict.
func (tx *Tx) CreateUser(ctx context.Context, u *latchkey.User) error {
	_, err := tx.exec(ctx, `INSERT INTO users (workspace_id, id, email, email_key, first_name, last_name, role, status, is_guest,
		mfa_enabled, mfa_enrolled_at, last_activity_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.WorkspaceID, u.ID, u.Email, latchkey.NormalizeEmail(u.Email), u.FirstName, u.LastName, string(u.Role), string(u.Status), u.IsGuest,
		u.MFAEnabled, nullMicros(u.MFAEnrolledAt), nullMicros(u.LastActivityAt), micros(u.CreatedAt), micros(u.UpdatedAt))
	if IsDuplicate(err) {
		return latchkey.Errorf(latchkey.EConflict, "A user with this email already exists in the workspace.")
	}
	if err != nil {
		return err
	}
	if err := tx.bump(ctx, u.WorkspaceID, countUsers, 1); err != nil {
		return err
	}
	return tx.bump(ctx, u.WorkspaceID, countUsers+"."+string(u.Status), 1)
}

// User finds a user of a workspace by id.
func (tx *Tx) User(ctx context.Context, workspaceID, id string) (*latchkey.User, error) {
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE workspace_id = ? AND id = ?`+tx.forUpdate(), workspaceID, id))
	return u, tx.db.translate(err)
}

// UserByEmail finds a user of a workspace by email, in any case.
func (tx *Tx) UserByEmail(ctx context.Context, workspaceID, email string) (*latchkey.User, error) {
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE workspace_id = ? AND email_key = ?`,
		workspaceID, latchkey.NormalizeEmail(email)))
	return u, tx.db.translate(err)
}

// UpdateUser writes every mutable field of u; from is its status before.
func (tx *Tx) UpdateUser(ctx context.Context, u *latchkey.User, from latchkey.UserStatus) error {
	if from != u.Status {
		if err := tx.bump(ctx, u.WorkspaceID, countUsers+"."+string(from), -1); err != nil {
			return err
		}
		if err := tx.bump(ctx, u.WorkspaceID, countUsers+"."+string(u.Status), 1); err != nil {
			return err
		}
	}
	res, err := tx.exec(ctx, `UPDATE users SET email = ?, email_key = ?, first_name = ?, last_name = ?, role = ?, status = ?,
		is_guest = ?, mfa_enabled = ?, mfa_enrolled_at = ?, last_activity_at = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`,
		u.Email, latchkey.NormalizeEmail(u.Email), u.FirstName, u.LastName, string(u.Role), string(u.Status),
		u.IsGuest, u.MFAEnabled, nullMicros(u.MFAEnrolledAt), nullMicros(u.LastActivityAt), micros(u.UpdatedAt),
		u.WorkspaceID, u.ID)
	if IsDuplicate(err) {
		return latchkey.Errorf(latchkey.EConflict, "A user with this email already exists in the workspace.")
	}
	return mustAffect(res, err)
}

// mustAffect turns an update that matched no row into ENotFound.
func mustAffect(res interface{ RowsAffected() (int64, error) }, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return latchkey.Errorf(latchkey.ENotFound, "Resource not found.")
	}
	return nil
}

// CountUsersWithRole counts a workspace's members holding role.
func (tx *Tx) CountUsersWithRole(ctx context.Context, workspaceID string, role latchkey.Role) (int, error) {
	return tx.count(ctx, `SELECT COUNT(*) FROM users WHERE workspace_id = ? AND role = ?`, workspaceID, string(role))
}

// OwnerID returns the workspace owner's id, or "" when there is none yet.
func (tx *Tx) OwnerID(ctx context.Context, workspaceID string) (string, error) {
	ids, err := tx.strings(ctx, `SELECT id FROM users WHERE workspace_id = ? AND role = ? LIMIT 1`, workspaceID, string(latchkey.RoleOwner))
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

// ItemRef names an item.
type ItemRef struct {
	Type latchkey.ItemType
	ID   string
}

// OwnedItems lists the items a user holds the owner rank on, however.
func (tx *Tx) OwnedItems(ctx context.Context, workspaceID, userID string) ([]ItemRef, error) {
	rows, err := tx.query(ctx, `SELECT item_type, item_id FROM item_access WHERE workspace_id = ? AND user_id = ? AND rank >= ?`,
		workspaceID, userID, int(latchkey.RankOwner))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ItemRef
	for rows.Next() {
		var r ItemRef
		if err := rows.Scan(&r.Type, &r.ID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Ownerless returns those of items that nobody holds the owner rank on.
func (tx *Tx) Ownerless(ctx context.Context, workspaceID string, items []ItemRef) ([]ItemRef, error) {
	var out []ItemRef
	for len(items) > 0 {
		n := min(len(items), chunk)
		args := []any{workspaceID, int(latchkey.RankOwner)}
		for _, it := range items[:n] {
			args = append(args, it.ID)
		}
		owned, err := tx.strings(ctx, `SELECT DISTINCT item_id FROM item_access WHERE workspace_id = ? AND rank >= ? AND item_id IN (`+placeholders(n)+`)`, args...)
		if err != nil {
			return nil, err
		}
		has := make(map[string]bool, len(owned))
		for _, id := range owned {
			has[id] = true
		}
		for _, it := range items[:n] {
			if !has[it.ID] {
				out = append(out, it)
			}
		}
		items = items[n:]
	}
	return out, nil
}

// EffectiveOwners counts who holds the owner rank on an item, by any path.
func (tx *Tx) EffectiveOwners(ctx context.Context, workspaceID, itemID string) (int, error) {
	return tx.count(ctx, `SELECT COUNT(*) FROM item_access WHERE workspace_id = ? AND item_id = ? AND rank >= ?`,
		workspaceID, itemID, int(latchkey.RankOwner))
}
