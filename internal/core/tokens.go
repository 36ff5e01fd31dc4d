package core

import (
	"context"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/authz"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// MaxTokenTTL bounds a bearer token's life; refresh for longer sessions.
const MaxTokenTTL = 30 * 24 * time.Hour

// IssueToken makes a bearer token for a member. The operator uses it to
// bootstrap; ttl 0 means the workspace's default. The plaintext is returned
// once and never stored.
func (s *Service) IssueToken(ctx context.Context, userID string, ttl time.Duration) (string, *latchkey.Token, error) {
	p, ok := latchkey.FromContext(ctx)
	if !ok || !p.IsPrivileged() {
		return "", nil, latchkey.Errorf(latchkey.EForbidden, "Only the operator can issue tokens this way.")
	}
	if ttl < 0 || ttl > MaxTokenTTL {
		return "", nil, latchkey.Invalid([]any{"ttl"}, "value_error", "A token lasts between one second and 30 days.")
	}
	var (
		secret string
		tok    *latchkey.Token
	)
	err := s.db.Update(ctx, func(tx *store.Tx) (err error) {
		u, err := tx.User(ctx, p.WorkspaceID, userID)
		if err != nil {
			return err
		}
		if u.Status == latchkey.UserDisabled {
			return latchkey.Errorf(latchkey.EConflict, "The user is disabled.")
		}
		secret, tok, err = s.issueToken(ctx, tx, p, u.ID, ttl)
		return err
	})
	return secret, tok, err
}

func (s *Service) issueToken(ctx context.Context, tx *store.Tx, p *latchkey.Principal, userID string, ttl time.Duration) (string, *latchkey.Token, error) {
	if ttl == 0 {
		w, err := tx.WorkspaceByID(ctx, p.WorkspaceID)
		if err != nil {
			return "", nil, err
		}
		ttl = w.TokenTTL
	}
	now := s.clock()
	secret := newSecret(tokenPrefix)
	t := &latchkey.Token{ID: newID(), WorkspaceID: p.WorkspaceID, UserID: userID, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := tx.CreateToken(ctx, t, digest(secret)); err != nil {
		return "", nil, err
	}
	if err := s.record(ctx, tx, p, "token.issued", "token", t.ID, map[string]string{"userId": userID, "expiresAt": t.ExpiresAt.Format(time.RFC3339)}); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// RefreshToken trades the request's bearer token for a new one with a full
// lifetime; the old one stops working at once.
func (s *Service) RefreshToken(ctx context.Context) (string, *latchkey.Token, error) {
	p, err := authorize(ctx, authz.RefreshToken)
	if err != nil {
		return "", nil, err
	}
	var (
		secret string
		tok    *latchkey.Token
	)
	err = s.db.Update(ctx, func(tx *store.Tx) (err error) {
		// Only a token still alive in the store may be traded: one revoked
		// elsewhere a moment ago, and still trusted from a cache here, may not.
		if err := tx.RevokeToken(ctx, p.WorkspaceID, p.CredentialID, s.clock()); err != nil {
			if latchkey.IsCode(err, latchkey.ENotFound) {
				return unauthorized()
			}
			return err
		}
		tx.AfterCommit(func() { s.creds.forgetCredential(p.CredentialID) })
		secret, tok, err = s.issueToken(ctx, tx, p, p.UserID, 0)
		if err != nil {
			return err
		}
		return s.record(ctx, tx, p, "token.refreshed", "token", p.CredentialID, map[string]string{"replacedBy": tok.ID})
	})
	return secret, tok, err
}

// RevokeToken ends the request's bearer token.
func (s *Service) RevokeToken(ctx context.Context) error {
	p, err := authorize(ctx, authz.RevokeToken)
	if err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.RevokeToken(ctx, p.WorkspaceID, p.CredentialID, s.clock()); err != nil {
			if latchkey.IsCode(err, latchkey.ENotFound) {
				return unauthorized()
			}
			return err
		}
		tx.AfterCommit(func() { s.creds.forgetCredential(p.CredentialID) })
		return s.record(ctx, tx, p, "token.revoked", "token", p.CredentialID, nil)
	})
}

// Session is what GET /me tells a caller about itself.
type Session struct {
	User      *latchkey.User
	Workspace *latchkey.Workspace
	Principal *latchkey.Principal
	ExpiresAt *time.Time // of the bearer token
}

// Me describes the request's principal.
func (s *Service) Me(ctx context.Context) (*Session, error) {
	p, err := authorize(ctx, authz.Me)
	if err != nil {
		return nil, err
	}
	out := &Session{Principal: p, ExpiresAt: p.ExpiresAt}
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		if out.User, err = tx.User(ctx, p.WorkspaceID, p.UserID); err != nil {
			return err
		}
		out.Workspace, err = tx.WorkspaceByID(ctx, p.WorkspaceID)
		return err
	})
	return out, err
}
