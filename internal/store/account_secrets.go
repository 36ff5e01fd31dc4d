package store

import (
	"context"

	"github.com/latchkeyhq/latchkey"
)

// AddAccountSecret stores a new version of an account's password or TOTP
// seed; s.Version is set to the version written. The caller holds the
// account row locked, so versions never race.
func (tx *Tx) AddAccountSecret(ctx context.Context, s *latchkey.AccountSecret, ciphertext []byte) error {
	next, err := tx.count(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM account_secrets WHERE workspace_id = ? AND account_id = ? AND type = ?`,
		s.WorkspaceID, s.AccountID, string(s.Type))
	if err != nil {
		return err
	}
	s.Version = next
	_, err = tx.exec(ctx, `INSERT INTO account_secrets (workspace_id, id, account_id, type, version, ciphertext, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		s.WorkspaceID, s.ID, s.AccountID, string(s.Type), s.Version, ciphertext, micros(s.CreatedAt), s.CreatedBy)
	return err
}

// CurrentAccountSecret returns the latest version of an account's secret of
// one type and its sealed value.
func (tx *Tx) CurrentAccountSecret(ctx context.Context, workspaceID, accountID string, typ latchkey.SecretType) (*latchkey.AccountSecret, []byte, error) {
	s := latchkey.AccountSecret{WorkspaceID: workspaceID, AccountID: accountID, Type: typ}
	var (
		created    int64
		ciphertext []byte
	)
	err := tx.queryRow(ctx, `SELECT id, version, ciphertext, created_at, created_by FROM account_secrets
		WHERE workspace_id = ? AND account_id = ? AND type = ? ORDER BY version DESC LIMIT 1`,
		workspaceID, accountID, string(typ)).Scan(&s.ID, &s.Version, &ciphertext, &created, &s.CreatedBy)
	if err != nil {
		return nil, nil, tx.db.translate(err)
	}
	s.CreatedAt = fromMicros(created)
	return &s, ciphertext, nil
}

// DeleteAccountSecrets removes every version of an account's secret of one
// type, when the owner clears it.
func (tx *Tx) DeleteAccountSecrets(ctx context.Context, workspaceID, accountID string, typ latchkey.SecretType) error {
	_, err := tx.exec(ctx, `DELETE FROM account_secrets WHERE workspace_id = ? AND account_id = ? AND type = ?`, workspaceID, accountID, string(typ))
	return err
}
