package store

import (
	"context"
	"database/sql"
	"time"

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

// Reveal is what a read of an account's password or TOTP code needs, read
// in one narrow query: who may see the account, how it was last signed in
// to, and its current secret of the type asked for.
type Reveal struct {
	AccountID       string
	VaultID         string
	PasswordVisible bool
	LastLoginAt     *time.Time
	LastLoginBy     string
	Rank            latchkey.Rank           // userID's effective role
	Secret          *latchkey.AccountSecret // nil when the account has none
	Ciphertext      []byte
}

// RevealTarget reads an account for revealing its secret of type typ.
func (tx *Tx) RevealTarget(ctx context.Context, workspaceID, accountID, userID string, typ latchkey.SecretType) (*Reveal, error) {
	var (
		r                = Reveal{AccountID: accountID}
		lastLogin        nullTime
		secID            sql.NullString
		version, created sql.NullInt64
		createdBy        sql.NullString
	)
	err := tx.queryRow(ctx, `SELECT a.vault_id, a.password_visible, a.last_login_at, a.last_login_by, COALESCE(x.rank, 0),
		s.id, s.version, s.ciphertext, s.created_at, s.created_by
		FROM accounts a
		LEFT JOIN item_access x ON x.workspace_id = a.workspace_id AND x.user_id = ? AND x.item_type = 'account' AND x.item_id = a.id
		LEFT JOIN account_secrets s ON s.workspace_id = a.workspace_id AND s.account_id = a.id AND s.type = ?
			AND s.version = (SELECT MAX(m.version) FROM account_secrets m WHERE m.workspace_id = a.workspace_id AND m.account_id = a.id AND m.type = ?)
		WHERE a.workspace_id = ? AND a.id = ?`,
		nullableID(userID), string(typ), string(typ), workspaceID, accountID).Scan(
		&r.VaultID, &r.PasswordVisible, &lastLogin, &r.LastLoginBy, &r.Rank, &secID, &version, &r.Ciphertext, &created, &createdBy)
	if err != nil {
		return nil, tx.db.translate(err)
	}
	r.LastLoginAt = lastLogin.ptr()
	if secID.Valid {
		r.Secret = &latchkey.AccountSecret{ID: secID.String, WorkspaceID: workspaceID, AccountID: accountID, VaultID: r.VaultID,
			Type: typ, Version: int(version.Int64), CreatedAt: fromMicros(created.Int64), CreatedBy: createdBy.String}
	}
	return &r, nil
}
