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
	return err
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

// UpdateUser writes every mutable field of u.
func (tx *Tx) UpdateUser(ctx context.Context, u *latchkey.User) error {
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
