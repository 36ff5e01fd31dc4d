package store

import (
	"context"

	"github.com/latchkeyhq/latchkey"
)

const secretColumns = `a.workspace_id, a.id, a.vault_id, a.title, a.category, a.requires_identity_challenge, a.status,
	a.event_name, a.expires_at, a.version, a.version_id, a.created_at, a.created_by, a.updated_at, a.updated_by`

func scanSecret(row interface{ Scan(...any) error }, extra ...any) (*latchkey.Secret, error) {
	var (
		s                latchkey.Secret
		expires          nullTime
		created, updated int64
	)
	dest := []any{&s.WorkspaceID, &s.ID, &s.VaultID, &s.Title, &s.Category, &s.RequiresIdentityChallenge, &s.Status,
		&s.EventName, &expires, &s.Version, &s.VersionID, &created, &s.CreatedBy, &updated, &s.UpdatedBy}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	s.ExpiresAt = expires.ptr()
	s.CreatedAt, s.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &s, nil
}

// CreateSecret inserts s and its first sealed version.
func (tx *Tx) CreateSecret(ctx context.Context, s *latchkey.Secret, ciphertext []byte) error {
	if _, err := tx.exec(ctx, `INSERT INTO secrets (workspace_id, id, vault_id, title, category, requires_identity_challenge, status,
		event_name, expires_at, version, version_id, created_at, created_by, updated_at, updated_by)
		VALUES (`+placeholders(15)+`)`,
		s.WorkspaceID, s.ID, s.VaultID, s.Title, string(s.Category), s.RequiresIdentityChallenge, string(s.Status),
		s.EventName, nullMicros(s.ExpiresAt), s.Version, s.VersionID, micros(s.CreatedAt), s.CreatedBy, micros(s.UpdatedAt), s.UpdatedBy); err != nil {
		return err
	}
	if err := tx.bump(ctx, s.WorkspaceID, countSecrets, 1); err != nil {
		return err
	}
	return tx.addSecretVersion(ctx, s, ciphertext)
}

// UpdateSecret writes s's fields; with a ciphertext it also stores the new
// version s.Version/s.VersionID names.
func (tx *Tx) UpdateSecret(ctx context.Context, s *latchkey.Secret, ciphertext []byte) error {
	res, err := tx.exec(ctx, `UPDATE secrets SET vault_id = ?, title = ?, category = ?, requires_identity_challenge = ?, status = ?,
		event_name = ?, expires_at = ?, version = ?, version_id = ?, updated_at = ?, updated_by = ?
		WHERE workspace_id = ? AND id = ?`,
		s.VaultID, s.Title, string(s.Category), s.RequiresIdentityChallenge, string(s.Status),
		s.EventName, nullMicros(s.ExpiresAt), s.Version, s.VersionID, micros(s.UpdatedAt), s.UpdatedBy, s.WorkspaceID, s.ID)
	if err := mustAffect(res, err); err != nil {
		return err
	}
	if ciphertext == nil {
		return nil
	}
	return tx.addSecretVersion(ctx, s, ciphertext)
}

func (tx *Tx) addSecretVersion(ctx context.Context, s *latchkey.Secret, ciphertext []byte) error {
	_, err := tx.exec(ctx, `INSERT INTO secret_versions (workspace_id, id, secret_id, version, ciphertext, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.WorkspaceID, s.VersionID, s.ID, s.Version, ciphertext, micros(s.UpdatedAt), s.UpdatedBy)
	return err
}

// DeleteSecret removes a secret, its versions and every grant on it.
func (tx *Tx) DeleteSecret(ctx context.Context, workspaceID, id string) error {
	if err := tx.ForgetItem(ctx, workspaceID, id); err != nil {
		return err
	}
	res, err := tx.exec(ctx, `DELETE FROM secrets WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err := mustAffect(res, err); err != nil {
		return err
	}
	return tx.bump(ctx, workspaceID, countSecrets, -1)
}

// Secret reads one secret with userID's effective role on it; in a write
// transaction the row stays locked.
func (tx *Tx) Secret(ctx context.Context, workspaceID, id, userID string) (*latchkey.Secret, error) {
	var rank latchkey.Rank
	s, err := scanSecret(tx.queryRow(ctx, `SELECT `+secretColumns+`, COALESCE(x.rank, 0)
		FROM secrets a
		LEFT JOIN item_access x ON x.workspace_id = a.workspace_id AND x.user_id = ? AND x.item_type = 'secret' AND x.item_id = a.id
		WHERE a.workspace_id = ? AND a.id = ?`+tx.forUpdateOf("a"), nullableID(userID), workspaceID, id), &rank)
	if err != nil {
		return nil, tx.db.translate(err)
	}
	s.Rank = rank
	return s, nil
}

// SecretBody returns the sealed body of the secret's current version.
func (tx *Tx) SecretBody(ctx context.Context, workspaceID, secretID string, version int) ([]byte, error) {
	var ciphertext []byte
	err := tx.queryRow(ctx, `SELECT ciphertext FROM secret_versions WHERE workspace_id = ? AND secret_id = ? AND version = ?`,
		workspaceID, secretID, version).Scan(&ciphertext)
	return ciphertext, tx.db.translate(err)
}

// ListSecrets pages through the secrets vis allows, in creation order.
func (tx *Tx) ListSecrets(ctx context.Context, workspaceID string, vis Visibility, page latchkey.Page) ([]*latchkey.Secret, int, error) {
	from, args := visibleItems("secrets", latchkey.ItemSecret, workspaceID, vis)
	total, version, key, err := tx.visibleTotal(ctx, workspaceID, vis, latchkey.ItemSecret, countSecrets)
	if err != nil {
		return nil, 0, err
	}
	keys := ""
	if !vis.All {
		keys = visibleKeys(latchkey.ItemSecret)
	}
	return listPageKeyed(ctx, tx, from, keys, args, idColumn(vis), `SELECT `+secretColumns+`, `+rankColumn(vis)+` `, page, total, key, version,
		func(row interface{ Scan(...any) error }) (*latchkey.Secret, error) {
			var rank latchkey.Rank
			s, err := scanSecret(row, &rank)
			if err == nil {
				s.Rank = rank
			}
			return s, err
		})
}
