package server_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey/internal/server"
	"github.com/latchkeyhq/latchkey/internal/store"
	"github.com/latchkeyhq/latchkey/internal/testdb"
)

func randomKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// The key-encryption key is made on first start, kept to its owner, and a
// store sealed with one key refuses to start with another.
func TestKeyEncryptionKey(t *testing.T) {
	testdb.Each(t, func(t *testing.T, cfg store.Config) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		log := slog.New(slog.DiscardHandler)
		c := server.Defaults()
		c.DataDir, c.DatabaseURL = cfg.DataDir, cfg.DatabaseURL

		app, err := server.Open(ctx, c, log)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := app.Service.CreateWorkspace(ctx, "acme", 0); err != nil {
			t.Fatal(err)
		}
		app.Close()
		fi, err := os.Stat(filepath.Join(cfg.DataDir, "master.key"))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
		}

		// The same file opens the store again.
		app, err = server.Open(ctx, c, log)
		if err != nil {
			t.Fatalf("reopen with the same key: %v", err)
		}
		app.Close()

		// Another key does not, and says why without showing either key.
		other := c
		other.MasterKey = randomKey()
		if _, err := server.Open(ctx, other, log); err == nil || !strings.Contains(err.Error(), "key-encryption key") || strings.Contains(err.Error(), other.MasterKey) {
			t.Errorf("another key: %v", err)
		}
		// Nor does a fresh key file over an existing store.
		moved := c
		moved.MasterKeyFile = filepath.Join(t.TempDir(), "new.key")
		if _, err := server.Open(ctx, moved, log); err == nil || !strings.Contains(err.Error(), "no key-encryption key at") {
			t.Errorf("a missing key file over an existing store: %v", err)
		}
		if _, err := os.Stat(moved.MasterKeyFile); !os.IsNotExist(err) {
			t.Error("a key file was generated over an existing store")
		}
	})
}
