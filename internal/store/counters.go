package store

import (
	"context"

	"github.com/latchkeyhq/latchkey"
)

// Counter names.
const (
	countUsers       = "users"
	countTeams       = "teams"
	countAccounts    = "accounts"
	countSecrets     = "secrets"
	countVaults      = "vaults"
	countCollections = "collections"
)

// bump moves a workspace counter by delta in the current transaction.
func (tx *Tx) bump(ctx context.Context, workspaceID, name string, delta int) error {
	if delta == 0 {
		return nil
	}
	_, err := tx.exec(ctx, `INSERT INTO counters (workspace_id, name, value, version) VALUES (?, ?, ?, 1)
		ON CONFLICT (workspace_id, name) DO UPDATE SET value = counters.value + excluded.value, version = counters.version + 1`,
		workspaceID, name, delta)
	return err
}

// counter reads a workspace counter and its version.
func (tx *Tx) counter(ctx context.Context, workspaceID, name string) (int, int64, error) {
	var v int
	var version int64
	err := tx.queryRow(ctx, `SELECT value, version FROM counters WHERE workspace_id = ? AND name = ?`, workspaceID, name).Scan(&v, &version)
	if err != nil {
		if latchkey.IsCode(tx.db.translate(err), latchkey.ENotFound) {
			return 0, 0, nil
		}
		return 0, 0, tx.db.translate(err)
	}
	return v, version, nil
}
