package core

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// Credential prefixes make a leaked key recognisable to secret scanners and
// tell the two kinds apart at a glance.
const (
	apiKeyPrefix = "lk_"
	tokenPrefix  = "lkt_"
	secretBytes  = 32
	hintLength   = 10
)

// base62 keeps credentials free of characters that need quoting in headers,
// shells and INI files.
const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func newSecret(prefix string) string {
	// 43 base62 characters carry more than 256 bits.
	const n = 43
	b := make([]byte, n)
	buf := make([]byte, n*2)
	if _, err := rand.Read(buf); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	j := 0
	for i := 0; i < n; i++ {
		// Rejection sampling keeps every character equally likely.
		for {
			if j == len(buf) {
				_, _ = rand.Read(buf)
				j = 0
			}
			c := buf[j] & 63
			j++
			if int(c) < len(base62) {
				b[i] = base62[c]
				break
			}
		}
	}
	return prefix + string(b)
}

// digest is what the store keeps of a credential. The credentials carry 256
// random bits, so a fast hash is as safe as a slow one here and keeps
// verification at a fraction of a microsecond.
func digest(secret string) []byte {
	d := sha256.Sum256([]byte(secret))
	return d[:]
}

// plausible rejects strings that cannot be one of our credentials before
// any lookup.
func plausible(secret, prefix string) bool {
	return strings.HasPrefix(secret, prefix) && len(secret) == len(prefix)+43
}

func unauthorized() error {
	return latchkey.Errorf(latchkey.EUnauthorized, "User is not authorized to perform the request.")
}

// AuthenticateAPIKey resolves an X-API-Key value. Unknown, expired and
// removed keys, and keys of disabled users, all answer the same 401.
func (s *Service) AuthenticateAPIKey(ctx context.Context, key string) (*latchkey.Principal, error) {
	if !plausible(key, apiKeyPrefix) {
		return nil, unauthorized()
	}
	d := sha256.Sum256([]byte(key))
	now := s.clock()
	if e, ok := s.creds.get(d, now); ok {
		s.touch(e, now)
		p := e.principal
		return &p, nil
	}
	gen := s.creds.generation()
	var c *store.Credential
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		c, err = tx.APIKeyByDigest(ctx, d[:])
		return err
	})
	if latchkey.IsCode(err, latchkey.ENotFound) {
		return nil, unauthorized()
	}
	if err != nil {
		return nil, err
	}
	if c.Key.Status(now) != latchkey.APIKeyActive || c.User.Status == latchkey.UserDisabled {
		return nil, unauthorized()
	}
	p := principalOf(c, latchkey.CredentialAPIKey, c.Key.ID, c.Key.Scopes)
	p.ExpiresAt = c.Key.ExpiresAt
	e := &cachedCredential{principal: *p, until: now.Add(credentialTTL)}
	if c.Key.LastUsedAt != nil {
		e.lastUsed.Store(c.Key.LastUsedAt.UnixMicro())
	}
	s.creds.put(d, e, gen)
	s.touch(e, now)
	return p, nil
}

// AuthenticateToken resolves an Authorization: Bearer value.
func (s *Service) AuthenticateToken(ctx context.Context, token string) (*latchkey.Principal, error) {
	if !plausible(token, tokenPrefix) {
		return nil, unauthorized()
	}
	d := sha256.Sum256([]byte(token))
	now := s.clock()
	if e, ok := s.creds.get(d, now); ok {
		p := e.principal
		return &p, nil
	}
	gen := s.creds.generation()
	var c *store.Credential
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		c, err = tx.TokenByDigest(ctx, d[:])
		return err
	})
	if latchkey.IsCode(err, latchkey.ENotFound) {
		return nil, unauthorized()
	}
	if err != nil {
		return nil, err
	}
	if c.Token.RevokedAt != nil || !now.Before(c.Token.ExpiresAt) || c.User.Status == latchkey.UserDisabled {
		return nil, unauthorized()
	}
	p := principalOf(c, latchkey.CredentialBearer, c.Token.ID, 0)
	p.ExpiresAt = &c.Token.ExpiresAt
	s.creds.put(d, &cachedCredential{principal: *p, until: now.Add(credentialTTL)}, gen)
	return p, nil
}

func principalOf(c *store.Credential, kind latchkey.CredentialKind, id string, scopes latchkey.ScopeSet) *latchkey.Principal {
	return &latchkey.Principal{
		WorkspaceID:   c.Workspace.ID,
		WorkspaceName: c.Workspace.Name,
		UserID:        c.User.ID,
		UserName:      c.User.Name(),
		UserEmail:     c.User.Email,
		Role:          c.User.Role,
		Kind:          kind,
		CredentialID:  id,
		Scopes:        scopes,
	}
}

// touchEvery is how stale a key's last-used time may get. Recording every
// use would turn every read into a write.
const touchEvery = time.Minute

func (s *Service) touch(e *cachedCredential, now time.Time) {
	last := e.lastUsed.Load()
	if now.UnixMicro()-last < touchEvery.Microseconds() || !e.lastUsed.CompareAndSwap(last, now.UnixMicro()) {
		return
	}
	s.touchMu.Lock()
	s.touched[[2]string{e.principal.WorkspaceID, e.principal.CredentialID}] = now.UnixMicro()
	s.touchMu.Unlock()
}

func (s *Service) flushLoop() {
	defer close(s.stopped)
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.flushTouches()
		case <-s.stop:
			s.flushTouches()
			return
		}
	}
}

func (s *Service) flushTouches() {
	s.touchMu.Lock()
	batch := s.touched
	if len(batch) == 0 {
		s.touchMu.Unlock()
		return
	}
	s.touched = make(map[[2]string]int64)
	s.touchMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.db.Update(ctx, func(tx *store.Tx) error { return tx.TouchAPIKeys(ctx, batch) }); err != nil {
		s.log.Warn("recording API key use", "keys", len(batch), "err", err)
	}
}

// FlushKeyUsage writes pending last-used times now; tests and shutdown use it.
func (s *Service) FlushKeyUsage() { s.flushTouches() }
