package core

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// credentialTTL is how long a verified credential is trusted without asking
// the store again. Every change this server makes to a key, a token or a
// user drops their entries at once; a change made by another replica or by
// `latchkey admin` shows here within this time.
const credentialTTL = 3 * time.Second

// maxCachedCredentials bounds the cache; when full it starts over, which
// costs one lookup per credential in use.
const maxCachedCredentials = 50_000

type cachedCredential struct {
	principal latchkey.Principal
	until     time.Time // trust the entry until then
	// lastUsed is when the key was last recorded as used (microseconds),
	// so that cached lookups queue that record at most once a minute.
	lastUsed atomic.Int64
}

// credCache maps a credential's digest to the principal it resolved to.
type credCache struct {
	mu sync.RWMutex
	m  map[[32]byte]*cachedCredential
	// gen counts forgets. A lookup that started before a forget must not
	// store what it read: the credential may have been revoked meanwhile.
	gen uint64
}

// generation is read before a lookup and handed to put.
func (c *credCache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

func newCredCache() *credCache { return &credCache{m: map[[32]byte]*cachedCredential{}} }

func (c *credCache) get(d [32]byte, now time.Time) (*cachedCredential, bool) {
	c.mu.RLock()
	e, ok := c.m[d]
	c.mu.RUnlock()
	if !ok || !now.Before(e.until) {
		return nil, false
	}
	// A credential that expires while cached stops at its own expiry.
	if e.principal.ExpiresAt != nil && !now.Before(*e.principal.ExpiresAt) {
		return nil, false
	}
	return e, true
}

func (c *credCache) put(d [32]byte, e *cachedCredential, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.m) >= maxCachedCredentials {
		c.m = map[[32]byte]*cachedCredential{}
	}
	c.m[d] = e
}

// forget drops every entry matching: a credential id, or all of a user's.
func (c *credCache) forget(match func(p *latchkey.Principal) bool) {
	c.mu.Lock()
	c.gen++
	for d, e := range c.m {
		if match(&e.principal) {
			delete(c.m, d)
		}
	}
	c.mu.Unlock()
}

func (c *credCache) forgetCredential(id string) {
	c.forget(func(p *latchkey.Principal) bool { return p.CredentialID == id })
}

func (c *credCache) forgetUser(workspaceID, userID string) {
	c.forget(func(p *latchkey.Principal) bool { return p.WorkspaceID == workspaceID && p.UserID == userID })
}
