package core

import (
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// A lookup that began before a revocation must not put the credential back.
func TestCredCacheForgetWinsOverSlowLookup(t *testing.T) {
	c := newCredCache()
	now := time.Now()
	var d [32]byte
	gen := c.generation() // the lookup starts…
	c.forgetCredential("key-1")
	c.put(d, &cachedCredential{principal: latchkey.Principal{CredentialID: "key-1"}, until: now.Add(time.Minute)}, gen) // …and ends
	if _, ok := c.get(d, now); ok {
		t.Fatal("a credential revoked during its lookup was cached")
	}
	c.put(d, &cachedCredential{principal: latchkey.Principal{CredentialID: "key-1"}, until: now.Add(time.Minute)}, c.generation())
	if _, ok := c.get(d, now); !ok {
		t.Fatal("a fresh lookup was not cached")
	}
	exp := now.Add(time.Second)
	c.put(d, &cachedCredential{principal: latchkey.Principal{ExpiresAt: &exp}, until: now.Add(time.Minute)}, c.generation())
	if _, ok := c.get(d, now.Add(2*time.Second)); ok {
		t.Fatal("a cached credential outlived its own expiry")
	}
}
