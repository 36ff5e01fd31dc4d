package store

import (
	"context"

	"github.com/latchkeyhq/latchkey"
)

const vaultColumns = `workspace_id, id, name, scheme, state, is_default, created_by, created_by_type, created_at, updated_at`

func scanVault(row interface{ Scan(...any) error }) (*latchkey.Vault, error) {
	var (
		v                latchkey.Vault
		created, updated int64
	)
	if err := row.Scan(&v.WorkspaceID, &v.ID, &v.Name, &v.Scheme, &v.State, &v.IsDefault, &v.CreatedBy, &v.CreatedByType, &created, &updated); err != nil {
		return nil, err
	}
	v.CreatedAt, v.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &v, nil
}

func duplicateVault(err error, name string) error {
	if IsDuplicate(err) {
		return latchkey.Errorf(latchkey.EConflict, "A vault named %q already exists.", name)
	}
	return err
}

// CreateVault inserts v; vault names are unique in a workspace, in any case.
func (tx *Tx) CreateVault(ctx context.Context, v *latchkey.Vault) error {
	_, err := tx.exec(ctx, `INSERT INTO vaults (workspace_id, id, name, name_key, scheme, state, is_default, created_by, created_by_type, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.WorkspaceID, v.ID, v.Name, nameKey(v.Name), string(v.Scheme), string(v.State), v.IsDefault, v.CreatedBy, v.CreatedByType,
		micros(v.CreatedAt), micros(v.UpdatedAt))
	if err := duplicateVault(err, v.Name); err != nil {
		return err
	}
	return tx.bump(ctx, v.WorkspaceID, countVaults, 1)
}

// UpdateVault writes v's name and state.
func (tx *Tx) UpdateVault(ctx context.Context, v *latchkey.Vault) error {
	res, err := tx.exec(ctx, `UPDATE vaults SET name = ?, name_key = ?, state = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
		v.Name, nameKey(v.Name), string(v.State), micros(v.UpdatedAt), v.WorkspaceID, v.ID)
	return mustAffect(res, duplicateVault(err, v.Name))
}

// Vault finds a vault by id.
func (tx *Tx) Vault(ctx context.Context, workspaceID, id string) (*latchkey.Vault, error) {
	v, err := scanVault(tx.queryRow(ctx, `SELECT `+vaultColumns+` FROM vaults WHERE workspace_id = ? AND id = ?`+tx.forUpdate(), workspaceID, id))
	return v, tx.db.translate(err)
}

// DefaultVault returns the vault used when a request names none.
func (tx *Tx) DefaultVault(ctx context.Context, workspaceID string) (*latchkey.Vault, error) {
	v, err := scanVault(tx.queryRow(ctx, `SELECT `+vaultColumns+` FROM vaults WHERE workspace_id = ? AND is_default = ? ORDER BY id LIMIT 1`, workspaceID, true))
	return v, tx.db.translate(err)
}

// ListVaults pages through a workspace's vaults, oldest first.
func (tx *Tx) ListVaults(ctx context.Context, workspaceID string, page latchkey.Page) ([]*latchkey.Vault, int, error) {
	total, version, err := tx.counter(ctx, workspaceID, countVaults)
	if err != nil {
		return nil, 0, err
	}
	return listPage(ctx, tx, `FROM vaults v WHERE v.workspace_id = ?`, []any{workspaceID}, "v.id", `SELECT `+qualified("v", vaultColumns)+` `,
		page, total, workspaceID+"|"+countVaults, version, func(row interface{ Scan(...any) error }) (*latchkey.Vault, error) { return scanVault(row) })
}
