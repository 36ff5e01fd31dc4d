package api_test

import (
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey/internal/server/servertest"
	"github.com/latchkeyhq/latchkey/internal/store"
	"github.com/latchkeyhq/latchkey/internal/testdb"
)

// Things that happen with time: secrets expire, tokens end, keys record
// their use.
func TestTimeMoves(t *testing.T) {
	testdb.Each(t, func(t *testing.T, cfg store.Config) {
		clock := &servertest.Clock{}
		f := newFixture(t, cfg, servertest.WithClock(clock))
		key := servertest.Key(f.ownerKey)
		vault := f.defaultVault(t)
		doc := must(t, f.do(t, key, "POST", "/api/v1/secrets", map[string]any{"data": map[string]any{"attributes": map[string]any{
			"vaultId": vault, "title": "one-day pass", "requiresIdentityChallenge": false, "category": "text",
			"body":      map[string]any{"type": "plaintext", "value": "gone tomorrow"},
			"expiresAt": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)}}}), 201)
		sec := dig(t, doc, "data", "id").(string)
		must(t, f.do(t, key, "GET", "/api/v1/secrets/"+sec, nil), 200)

		// A day and a bit later (the key never expires; the tokens are an hour old).
		clock.Advance(25 * time.Hour)
		if r := f.do(t, key, "GET", "/api/v1/secrets/"+sec, nil); r.Status != 404 {
			t.Errorf("expired secret's body: %d %s", r.Status, r.Body)
		}
		list := must(t, f.do(t, key, "GET", "/api/v1/secrets", nil), 200)
		if got := dig(t, list, "data", 0, "attributes", "status"); got != "disabled" {
			t.Errorf("expired secret is listed as %v", got)
		}
		if r := f.do(t, servertest.Bearer(f.ownerToken), "GET", "/api/v1/me", nil); r.Status != 401 {
			t.Errorf("a token past its hour: %d", r.Status)
		}
		// Renewing brings it back.
		fresh := servertest.Bearer(f.ws.Token(f.owner))
		renew := map[string]any{"data": map[string]any{"attributes": map[string]any{"expiresAt": nil}}}
		must(t, f.do(t, fresh, "PATCH", "/api/v1/secrets/"+sec, renew), 200)
		must(t, f.do(t, key, "GET", "/api/v1/secrets/"+sec, nil), 200)

		// The key's use was recorded.
		f.s.Service.FlushKeyUsage()
		keys := must(t, f.do(t, fresh, "GET", "/api/v1/api-keys", nil), 200)
		used := dig(t, keys, "data", 0, "attributes", "lastUsedAt")
		if used == nil {
			t.Fatal("lastUsedAt not recorded")
		}
		at, err := time.Parse(time.RFC3339Nano, used.(string))
		if err != nil || at.Before(time.Now().Add(24*time.Hour)) {
			t.Errorf("lastUsedAt %v (the clock is a day ahead)", used)
		}
	})
}
