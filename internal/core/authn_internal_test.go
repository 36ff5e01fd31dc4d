package core

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"testing"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/keyring"
	"github.com/latchkeyhq/latchkey/internal/store"
	"github.com/latchkeyhq/latchkey/internal/testdb"
)

// BenchmarkVerifyAPIKeyUncached is what verifying a key costs when the
// credential cache does not hold it (a new key, another replica's change,
// or every 3 seconds per key): the digest and one indexed lookup joining
// the key, its user and its workspace. SQLite, warm page cache.
func BenchmarkVerifyAPIKeyUncached(b *testing.B) {
	db := testdb.Open(b, testdb.SQLite(b))
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	kek, _ := keyring.NewLocalKEK(key)
	svc := New(Options{Store: db, Keyring: keyring.New(kek)})
	b.Cleanup(svc.Close)
	ctx := context.Background()
	if _, err := svc.CreateWorkspace(ctx, "acme", 0); err != nil {
		b.Fatal(err)
	}
	op, _ := svc.OperatorContext(ctx, "acme")
	u, err := svc.CreateUser(op, UserInput{Email: "o@acme.example", Role: latchkey.RoleOwner, Status: latchkey.UserLive})
	if err != nil {
		b.Fatal(err)
	}
	name := "bench"
	k, err := svc.CreateAPIKey(op, u.ID, APIKeyInput{Name: &name, Scopes: []string{"read:items"}, Expiry: Expiry{Preset: "never"}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			d := sha256.Sum256([]byte(k.Secret))
			err := svc.db.View(ctx, func(tx *store.Tx) error {
				c, err := tx.APIKeyByDigest(ctx, d[:])
				if err == nil && c.Key.Status(svc.clock()) != latchkey.APIKeyActive {
					b.Error("inactive")
				}
				return err
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
