package core

import (
	"context"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/authz"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// Expiry is when a new key stops working: one of the wizard's presets
// ("1h", "12h", "1d", "5d", "1y", "never"), or "custom" with an instant.
type Expiry struct {
	Preset string
	At     *time.Time
}

// IsZero reports whether no expiry was given at all.
func (e Expiry) IsZero() bool { return e.Preset == "" && e.At == nil }

// ParseExpiry reads an expiry as the command line writes it: a preset or an
// RFC 3339 time.
func ParseExpiry(s string) (Expiry, error) {
	s = strings.TrimSpace(s)
	if _, ok := latchkey.KeyExpirations[s]; ok || s == "never" {
		return Expiry{Preset: s}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return Expiry{}, latchkey.Invalid([]any{"expiration"}, "value_error",
			"The expiration is 1h, 12h, 1d, 5d, 1y, never, or an RFC 3339 time such as 2027-01-31T00:00:00Z.")
	}
	return Expiry{Preset: "custom", At: &t}, nil
}

func (e Expiry) resolve(now time.Time) (*time.Time, error) {
	switch {
	case e.Preset == "custom":
		if e.At == nil {
			return nil, latchkey.Invalid([]any{"expiresAt"}, "value_error.missing", "A custom expiration needs expiresAt.")
		}
		t := latchkey.Truncate(*e.At)
		if !t.After(now) {
			return nil, latchkey.Invalid([]any{"expiresAt"}, "value_error", "The expiry must be in the future.")
		}
		return &t, nil
	case e.At != nil:
		return nil, latchkey.Invalid([]any{"expiresAt"}, "value_error", "expiresAt goes with expiration custom only.")
	case e.Preset == "never":
		return nil, nil
	case e.Preset == "":
		return nil, latchkey.Invalid([]any{"expiration"}, "value_error.missing", "field required")
	}
	d, ok := latchkey.KeyExpirations[e.Preset]
	if !ok {
		return nil, latchkey.Invalid([]any{"expiration"}, "type_error.enum", "value is not a valid enumeration member; permitted: '1h', '12h', '1d', '5d', '1y', 'never', 'custom'")
	}
	t := now.Add(d)
	return &t, nil
}

// APIKeyInput creates or changes a key.
type APIKeyInput struct {
	Name    *string
	Scopes  []string // identifiers or display names; nil leaves them alone
	Expiry  Expiry
	VaultID *string // save the new key as a secret in this vault
}

func validKeyName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if err := plainText("name", name); err != nil {
		return "", err
	}
	if name == "" || chars(name) > maxNameLength {
		return "", latchkey.Invalid([]any{"name"}, "value_error", "A key name is 1 to 200 characters.")
	}
	return name, nil
}

func parseScopes(list []string) (latchkey.ScopeSet, error) {
	if len(list) == 0 {
		return 0, latchkey.Invalid([]any{"scopes"}, "too_short", "List should have at least 1 item after validation, not 0")
	}
	var set latchkey.ScopeSet
	for i, v := range list {
		sc, ok := latchkey.ParseScope(v)
		if !ok {
			return 0, latchkey.Invalid([]any{"scopes", i}, "type_error.enum", "Unknown scope; use an identifier such as read:items:accounts or a display name such as \"Read accounts\".")
		}
		set |= latchkey.ScopeSet(sc)
	}
	return set, nil
}

// NewAPIKey is a key just made, with the plaintext shown this once.
type NewAPIKey struct {
	Key      *latchkey.APIKey
	Secret   string
	SecretID string // the vault secret it was saved as, if asked
}

// CreateAPIKey makes a key for the principal's user; the operator makes
// keys for the user userID names. Only workspace Owners, Super Admins and
// Admins hold keys.
func (s *Service) CreateAPIKey(ctx context.Context, userID string, in APIKeyInput) (*NewAPIKey, error) {
	p, err := authorize(ctx, authz.CreateAPIKey)
	if err != nil {
		return nil, err
	}
	if !p.IsPrivileged() {
		userID = p.UserID
	}
	if in.Name == nil {
		return nil, latchkey.Invalid([]any{"name"}, "value_error.missing", "field required")
	}
	name, err := validKeyName(*in.Name)
	if err != nil {
		return nil, err
	}
	scopes, err := parseScopes(in.Scopes)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	expires, err := in.Expiry.resolve(now)
	if err != nil {
		return nil, err
	}
	secret := newSecret(apiKeyPrefix)
	out := &NewAPIKey{Secret: secret, Key: &latchkey.APIKey{ID: newID(), WorkspaceID: p.WorkspaceID, UserID: userID, Name: name,
		Hint: secret[:hintLength], Scopes: scopes, ExpiresAt: expires, CreatedAt: now, UpdatedAt: now}}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, p.WorkspaceID, userID)
		if err != nil {
			return err
		}
		if !u.Role.IsAdmin() {
			return latchkey.Errorf(latchkey.EForbidden, "Only workspace Owners, Super Admins and Admins can hold API keys.")
		}
		if u.Status == latchkey.UserDisabled {
			return latchkey.Errorf(latchkey.EConflict, "The user is disabled.")
		}
		if err := tx.CreateAPIKey(ctx, out.Key, digest(secret)); err != nil {
			return err
		}
		if err := s.record(ctx, tx, p, "apikey.created", "api_key", out.Key.ID, map[string]string{
			"name": name, "scopes": scopes.String(), "userId": userID}); err != nil {
			return err
		}
		if in.VaultID == nil {
			return nil
		}
		// Saved as the key's user would save it, so they own the secret.
		owner := *p
		owner.UserID, owner.UserName, owner.Role = u.ID, u.Name(), u.Role
		title, category, challenge := "API key: "+name, latchkey.SecretText, false
		sec, err := s.createSecret(ctx, tx, &owner, SecretInput{VaultID: in.VaultID, Title: &title, Category: &category,
			RequiresIdentityChallenge: &challenge, Body: &secret})
		if err != nil {
			return err
		}
		out.SecretID = sec.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListAPIKeys pages through the principal's own keys, removed ones included.
func (s *Service) ListAPIKeys(ctx context.Context, page latchkey.Page) ([]*latchkey.APIKey, int, error) {
	p, err := authorize(ctx, authz.ListAPIKeys)
	if err != nil {
		return nil, 0, err
	}
	var (
		out   []*latchkey.APIKey
		total int
	)
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, total, err = tx.ListAPIKeys(ctx, p.WorkspaceID, p.UserID, page)
		return err
	})
	return out, total, err
}

// ownKey reads a key of the principal's; anyone else's is not found.
func (s *Service) ownKey(ctx context.Context, tx *store.Tx, p *latchkey.Principal, id string) (*latchkey.APIKey, error) {
	if !validID(id) {
		return nil, notFound()
	}
	k, err := tx.APIKey(ctx, p.WorkspaceID, id)
	if err != nil {
		return nil, err
	}
	if k.UserID != p.UserID {
		return nil, notFound()
	}
	return k, nil
}

// GetAPIKey reads one of the principal's keys. The key itself is never shown again.
func (s *Service) GetAPIKey(ctx context.Context, id string) (*latchkey.APIKey, error) {
	p, err := authorize(ctx, authz.GetAPIKey)
	if err != nil {
		return nil, err
	}
	var k *latchkey.APIKey
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		k, err = s.ownKey(ctx, tx, p, id)
		return err
	})
	return k, err
}

// UpdateAPIKey renames one of the principal's keys or changes its scopes.
func (s *Service) UpdateAPIKey(ctx context.Context, id string, in APIKeyInput) (*latchkey.APIKey, error) {
	p, err := authorize(ctx, authz.UpdateAPIKey)
	if err != nil {
		return nil, err
	}
	if in.VaultID != nil || !in.Expiry.IsZero() {
		return nil, latchkey.Invalid([]any{"expiration"}, "value_error", "Only a key's name and scopes can change.")
	}
	var k *latchkey.APIKey
	err = s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if k, err = s.ownKey(ctx, tx, p, id); err != nil {
			return err
		}
		if k.Removed {
			return latchkey.Errorf(latchkey.EConflict, "The key was removed and cannot change.")
		}
		details := map[string]string{}
		if in.Name != nil {
			if k.Name, err = validKeyName(*in.Name); err != nil {
				return err
			}
			details["name"] = k.Name
		}
		if in.Scopes != nil {
			if k.Scopes, err = parseScopes(in.Scopes); err != nil {
				return err
			}
			details["scopes"] = k.Scopes.String()
		}
		k.UpdatedAt = s.clock()
		if err := tx.UpdateAPIKey(ctx, k); err != nil {
			return err
		}
		tx.AfterCommit(func() { s.creds.forgetCredential(k.ID) })
		return s.record(ctx, tx, p, "apikey.updated", "api_key", k.ID, details)
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// DeleteAPIKey removes one of the principal's keys. It stops working at
// once and stays listed as removed. Removing it again changes nothing.
func (s *Service) DeleteAPIKey(ctx context.Context, id string) error {
	p, err := authorize(ctx, authz.DeleteAPIKey)
	if err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		k, err := s.ownKey(ctx, tx, p, id)
		if err != nil || k.Removed {
			return err
		}
		now := s.clock()
		k.Removed, k.RemovedAt, k.UpdatedAt = true, &now, now
		if err := tx.UpdateAPIKey(ctx, k); err != nil {
			return err
		}
		tx.AfterCommit(func() { s.creds.forgetCredential(k.ID) })
		return s.record(ctx, tx, p, "apikey.removed", "api_key", k.ID, map[string]string{"name": k.Name})
	})
}
