package store

import (
	"context"
	"strings"

	"github.com/latchkeyhq/latchkey"
)

const apiKeyColumns = `k.workspace_id, k.id, k.user_id, k.name, k.hint, k.scopes, k.expires_at, k.created_at, k.updated_at, k.last_used_at, k.removed_at`

func scanAPIKey(row interface{ Scan(...any) error }, extra ...any) (*latchkey.APIKey, error) {
	var (
		k                          latchkey.APIKey
		scopes                     string
		expires, lastUsed, removed nullTime
		created, updated           int64
	)
	dest := []any{&k.WorkspaceID, &k.ID, &k.UserID, &k.Name, &k.Hint, &scopes, &expires, &created, &updated, &lastUsed, &removed}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	// Stored scopes were validated on the way in; an identifier this binary
	// no longer knows grants nothing.
	for _, s := range strings.Split(scopes, ",") {
		if sc, ok := latchkey.ParseScope(s); ok {
			k.Scopes |= latchkey.ScopeSet(sc)
		}
	}
	k.ExpiresAt, k.LastUsedAt, k.RemovedAt = expires.ptr(), lastUsed.ptr(), removed.ptr()
	k.Removed = k.RemovedAt != nil
	k.CreatedAt, k.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &k, nil
}

func duplicateKey(err error, name string) error {
	if IsDuplicate(err) {
		return latchkey.Errorf(latchkey.EConflict, "You already have an API key named %q.", name)
	}
	return err
}

// CreateAPIKey inserts k with the digest of its secret.
func (tx *Tx) CreateAPIKey(ctx context.Context, k *latchkey.APIKey, digest []byte) error {
	_, err := tx.exec(ctx, `INSERT INTO api_keys (workspace_id, id, user_id, name, name_key, digest, hint, scopes, expires_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		k.WorkspaceID, k.ID, k.UserID, k.Name, nameKey(k.Name), digest, k.Hint, k.Scopes.String(), nullMicros(k.ExpiresAt),
		micros(k.CreatedAt), micros(k.UpdatedAt))
	return duplicateKey(err, k.Name)
}

// UpdateAPIKey writes k's name, scopes and removal.
func (tx *Tx) UpdateAPIKey(ctx context.Context, k *latchkey.APIKey) error {
	res, err := tx.exec(ctx, `UPDATE api_keys SET name = ?, name_key = ?, scopes = ?, updated_at = ?, removed_at = ? WHERE workspace_id = ? AND id = ?`,
		k.Name, nameKey(k.Name), k.Scopes.String(), micros(k.UpdatedAt), nullMicros(k.RemovedAt), k.WorkspaceID, k.ID)
	return mustAffect(res, duplicateKey(err, k.Name))
}

// APIKey finds a key by id.
func (tx *Tx) APIKey(ctx context.Context, workspaceID, id string) (*latchkey.APIKey, error) {
	k, err := scanAPIKey(tx.queryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys k WHERE k.workspace_id = ? AND k.id = ?`+tx.forUpdate(), workspaceID, id))
	return k, tx.db.translate(err)
}

// ListAPIKeys pages through one user's keys, removed ones included, oldest first.
func (tx *Tx) ListAPIKeys(ctx context.Context, workspaceID, userID string, page latchkey.Page) ([]*latchkey.APIKey, int, error) {
	return listPage(ctx, tx, `FROM api_keys k WHERE k.workspace_id = ? AND k.user_id = ?`, []any{workspaceID, userID}, "k.id",
		`SELECT `+apiKeyColumns+` `, page, -1, "", 0, func(row interface{ Scan(...any) error }) (*latchkey.APIKey, error) { return scanAPIKey(row) })
}

// Credential is what authentication needs to know about a key or token:
// the credential, its user and its workspace, read in one round trip.
type Credential struct {
	Key       *latchkey.APIKey // set for API keys
	Token     *latchkey.Token  // set for bearer tokens
	User      latchkey.User
	Workspace latchkey.Workspace
}

// APIKeyByDigest finds the key whose secret has the given digest.
func (tx *Tx) APIKeyByDigest(ctx context.Context, digest []byte) (*Credential, error) {
	var (
		c       Credential
		wsName  string
		ttl     int64
		userRow userFields
	)
	k, err := scanAPIKey(tx.queryRow(ctx, `SELECT `+apiKeyColumns+`, w.name, w.token_ttl_seconds, `+userFieldColumns+`
		FROM api_keys k
		JOIN workspaces w ON w.id = k.workspace_id
		JOIN users u ON u.workspace_id = k.workspace_id AND u.id = k.user_id
		WHERE k.digest = ?`, digest), append([]any{&wsName, &ttl}, userRow.dest()...)...)
	if err != nil {
		return nil, tx.db.translate(err)
	}
	c.Key = k
	c.fill(k.WorkspaceID, wsName, ttl, k.UserID, &userRow)
	return &c, nil
}

// TouchAPIKeys records when keys were last used. It is called in batches
// off the request path, so authentication never waits on a write.
func (tx *Tx) TouchAPIKeys(ctx context.Context, used map[[2]string]int64) error {
	for k, at := range used {
		if _, err := tx.exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE workspace_id = ? AND id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
			at, k[0], k[1], at); err != nil {
			return err
		}
	}
	return nil
}

// userFields is the part of a user authentication needs.
type userFields struct {
	email, first, last, role, status string
}

const userFieldColumns = `u.email, u.first_name, u.last_name, u.role, u.status`

func (u *userFields) dest() []any { return []any{&u.email, &u.first, &u.last, &u.role, &u.status} }

func (c *Credential) fill(workspaceID, workspaceName string, ttlSeconds int64, userID string, u *userFields) {
	c.Workspace = latchkey.Workspace{ID: workspaceID, Name: workspaceName}
	c.Workspace.TokenTTL = secondsToDuration(ttlSeconds)
	c.User = latchkey.User{WorkspaceID: workspaceID, ID: userID, Email: u.email, FirstName: u.first, LastName: u.last,
		Role: latchkey.Role(u.role), Status: latchkey.UserStatus(u.status)}
}
