// Package testdb gives tests a fresh, migrated store on every engine
// Latchkey supports: SQLite always, and PostgreSQL when
// LATCHKEY_TEST_DATABASE_URL names a server. Each PostgreSQL test gets a
// schema of its own, dropped when the test ends.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx" for schema housekeeping

	"github.com/latchkeyhq/latchkey/internal/store"
)

// EnvURL names the PostgreSQL server tests use.
const EnvURL = "LATCHKEY_TEST_DATABASE_URL"

// SkipMessage is what a PostgreSQL test says when it cannot run; CI fails
// when it finds it in the test output.
const SkipMessage = "PostgreSQL test skipped: " + EnvURL + " is not set"

// Engine names a store to run a test against.
type Engine struct {
	Name   string
	Config func(t testing.TB) store.Config
}

// Engines lists SQLite and PostgreSQL.
var Engines = []Engine{
	{Name: "sqlite", Config: SQLite},
	{Name: "postgres", Config: Postgres},
}

// Each runs fn as a subtest per engine.
func Each(t *testing.T, fn func(t *testing.T, cfg store.Config)) {
	t.Helper()
	for _, e := range Engines {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.Config(t)) })
	}
}

// SQLite returns a config for a store in a temporary directory.
func SQLite(t testing.TB) store.Config {
	return store.Config{DataDir: t.TempDir()}
}

// Postgres returns a config for a fresh schema on the test server, or skips.
func Postgres(t testing.TB) store.Config {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Skip(SkipMessage)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", EnvURL, err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Logf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return store.Config{DatabaseURL: u.String(), DataDir: t.TempDir()}
}

// Open returns a migrated store for cfg, closed when the test ends.
func Open(t testing.TB, cfg store.Config) *store.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	db, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}
