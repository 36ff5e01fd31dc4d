package store

import (
	"context"
	"time"

	"github.com/latchkeyhq/latchkey"
)

const workspaceColumns = `id, name, token_ttl_seconds, created_at, updated_at`

func scanWorkspace(row interface{ Scan(...any) error }) (*latchkey.Workspace, error) {
	var (
		w          latchkey.Workspace
		ttl        int64
		created, u int64
	)
	if err := row.Scan(&w.ID, &w.Name, &ttl, &created, &u); err != nil {
		return nil, err
	}
	w.TokenTTL = time.Duration(ttl) * time.Second
	w.CreatedAt, w.UpdatedAt = fromMicros(created), fromMicros(u)
	return &w, nil
}

// CreateWorkspace inserts w and its wrapped data key.
func (tx *Tx) CreateWorkspace(ctx context.Context, w *latchkey.Workspace, keyID string, wrappedKey []byte) error {
	if _, err := tx.exec(ctx, `INSERT INTO workspaces (`+workspaceColumns+`) VALUES (?, ?, ?, ?, ?)`,
		w.ID, w.Name, int64(w.TokenTTL/time.Second), micros(w.CreatedAt), micros(w.UpdatedAt)); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO workspace_keys (workspace_id, key_id, wrapped, created_at) VALUES (?, ?, ?, ?)`,
		w.ID, keyID, wrappedKey, micros(w.CreatedAt))
	return err
}

// WorkspaceByName finds a workspace by its name.
func (tx *Tx) WorkspaceByName(ctx context.Context, name string) (*latchkey.Workspace, error) {
	w, err := scanWorkspace(tx.queryRow(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE name = ?`, name))
	return w, tx.db.translate(err)
}

// WorkspaceByID finds a workspace by its id.
func (tx *Tx) WorkspaceByID(ctx context.Context, id string) (*latchkey.Workspace, error) {
	w, err := scanWorkspace(tx.queryRow(ctx, `SELECT `+workspaceColumns+` FROM workspaces WHERE id = ?`, id))
	return w, tx.db.translate(err)
}

// CountWorkspaces tells whether the store is empty.
func (tx *Tx) CountWorkspaces(ctx context.Context) (int, error) {
	return tx.count(ctx, `SELECT COUNT(*) FROM workspaces`)
}

// WorkspaceKey returns the wrapped data key of a workspace.
func (tx *Tx) WorkspaceKey(ctx context.Context, workspaceID string) ([]byte, error) {
	var wrapped []byte
	err := tx.queryRow(ctx, `SELECT wrapped FROM workspace_keys WHERE workspace_id = ? ORDER BY created_at DESC LIMIT 1`, workspaceID).Scan(&wrapped)
	return wrapped, tx.db.translate(err)
}

// FirstWorkspace returns the oldest workspace, to check at start that the
// key-encryption key opens the store's data keys.
func (tx *Tx) FirstWorkspace(ctx context.Context) (*latchkey.Workspace, error) {
	w, err := scanWorkspace(tx.queryRow(ctx, `SELECT `+workspaceColumns+` FROM workspaces ORDER BY id LIMIT 1`))
	return w, tx.db.translate(err)
}

// UpdateWorkspace writes a workspace's settings.
func (tx *Tx) UpdateWorkspace(ctx context.Context, w *latchkey.Workspace) error {
	res, err := tx.exec(ctx, `UPDATE workspaces SET token_ttl_seconds = ?, updated_at = ? WHERE id = ?`,
		int64(w.TokenTTL/time.Second), micros(w.UpdatedAt), w.ID)
	return mustAffect(res, err)
}
