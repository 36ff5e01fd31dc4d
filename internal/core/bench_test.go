package core_test

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/core"
	"github.com/latchkeyhq/latchkey/internal/keyring"
	"github.com/latchkeyhq/latchkey/internal/testdb"
)

func newService(tb testing.TB) *core.Service {
	tb.Helper()
	db := testdb.Open(tb, testdb.SQLite(tb))
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	kek, err := keyring.NewLocalKEK(key)
	if err != nil {
		tb.Fatal(err)
	}
	svc := core.New(core.Options{Store: db, Keyring: keyring.New(kek)})
	tb.Cleanup(svc.Close)
	return svc
}

// BenchmarkAuthenticateAPIKey is the cost every API-key request pays
// before its operation: digest, one indexed lookup joining the key, its user
// and workspace, and the checks. SQLite, warm cache.
func BenchmarkAuthenticateAPIKey(b *testing.B) {
	svc := newService(b)
	ctx := context.Background()
	if _, err := svc.CreateWorkspace(ctx, "acme", 0); err != nil {
		b.Fatal(err)
	}
	op, _ := svc.OperatorContext(ctx, "acme")
	u, err := svc.CreateUser(op, core.UserInput{Email: "o@acme.example", Role: latchkey.RoleOwner, Status: latchkey.UserLive})
	if err != nil {
		b.Fatal(err)
	}
	name := "bench"
	k, err := svc.CreateAPIKey(op, u.ID, core.APIKeyInput{Name: &name, Scopes: []string{"read:items"}, Expiry: core.Expiry{Preset: "never"}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := svc.AuthenticateAPIKey(ctx, k.Secret); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkRejectImplausibleKey is what a flood of garbage keys costs:
// nothing reaches the store.
func BenchmarkRejectImplausibleKey(b *testing.B) {
	svc := newService(b)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := svc.AuthenticateAPIKey(ctx, "lk_short"); err == nil {
			b.Fatal("accepted")
		}
	}
}
