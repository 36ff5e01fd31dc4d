package store

import (
	"context"
	"time"

	"github.com/latchkeyhq/latchkey"
)

func secondsToDuration(s int64) time.Duration { return time.Duration(s) * time.Second }

// CreateToken inserts t with the digest of its secret.
func (tx *Tx) CreateToken(ctx context.Context, t *latchkey.Token, digest []byte) error {
	_, err := tx.exec(ctx, `INSERT INTO tokens (workspace_id, id, user_id, digest, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.WorkspaceID, t.ID, t.UserID, digest, micros(t.CreatedAt), micros(t.ExpiresAt))
	return err
}

// TokenByDigest finds the token whose secret has the given digest.
func (tx *Tx) TokenByDigest(ctx context.Context, digest []byte) (*Credential, error) {
	var (
		c                latchkey.Token
		created, expires int64
		revoked          nullTime
		wsName           string
		ttl              int64
		userRow          userFields
	)
	err := tx.queryRow(ctx, `SELECT t.workspace_id, t.id, t.user_id, t.created_at, t.expires_at, t.revoked_at, w.name, w.token_ttl_seconds, `+userFieldColumns+`
		FROM tokens t
		JOIN workspaces w ON w.id = t.workspace_id
		JOIN users u ON u.workspace_id = t.workspace_id AND u.id = t.user_id
		WHERE t.digest = ?`, digest).Scan(append([]any{&c.WorkspaceID, &c.ID, &c.UserID, &created, &expires, &revoked, &wsName, &ttl}, userRow.dest()...)...)
	if err != nil {
		return nil, tx.db.translate(err)
	}
	c.CreatedAt, c.ExpiresAt, c.RevokedAt = fromMicros(created), fromMicros(expires), revoked.ptr()
	cred := &Credential{Token: &c}
	cred.fill(c.WorkspaceID, wsName, ttl, c.UserID, &userRow)
	return cred, nil
}

// RevokeToken ends a live token now. It reports ENotFound when the token
// had already ended (revoked or expired), so nothing can be done with it.
func (tx *Tx) RevokeToken(ctx context.Context, workspaceID, id string, at time.Time) error {
	res, err := tx.exec(ctx, `UPDATE tokens SET revoked_at = ? WHERE workspace_id = ? AND id = ? AND revoked_at IS NULL AND expires_at > ?`,
		micros(at), workspaceID, id, micros(at))
	return mustAffect(res, err)
}

// DeleteExpiredTokens removes tokens that ended before cutoff, so the table
// does not grow forever.
func (tx *Tx) DeleteExpiredTokens(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM tokens WHERE expires_at < ?`, micros(cutoff))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
