package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/core"
	"github.com/latchkeyhq/latchkey/internal/keyring"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// App is an opened store with its keys and the core service over them.
// Both `serve` and `admin` start from one.
type App struct {
	Store   *store.DB
	Service *core.Service
	Log     *slog.Logger
}

// Option adjusts how Open wires the application.
type Option func(*core.Options)

// WithClock makes core read time from clock; tests use it to expire things.
func WithClock(clock latchkey.Clock) Option { return func(o *core.Options) { o.Clock = clock } }

// Open opens and migrates the store, loads (or on an empty store creates)
// the key-encryption key, and checks that the key opens the store's data.
func Open(ctx context.Context, cfg Config, log *slog.Logger, opts ...Option) (*App, error) {
	db, err := store.Open(ctx, store.Config{DataDir: cfg.DataDir, DatabaseURL: cfg.DatabaseURL, Logger: log})
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*App, error) {
		db.Close()
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		return fail(err)
	}
	if cfg.MasterKey == "" {
		if _, err := os.Stat(cfg.KeyFile()); errors.Is(err, fs.ErrNotExist) {
			// A new key can only be right for an empty store; over data it
			// would make everything sealed unreadable.
			var n int
			if err := db.View(ctx, func(tx *store.Tx) (err error) {
				n, err = tx.CountWorkspaces(ctx)
				return err
			}); err != nil {
				return fail(err)
			}
			if n > 0 {
				return fail(fmt.Errorf("the store holds data but there is no key-encryption key at %s; "+
					"point --master-key-file at the key the store was created with, or set LATCHKEY_MASTER_KEY", cfg.KeyFile()))
			}
		}
	}
	kek, created, err := keyring.LoadOrCreateKEK(cfg.KeyFile(), cfg.MasterKey)
	if err != nil {
		return fail(fmt.Errorf("key-encryption key: %w", err))
	}
	co := core.Options{Store: db, Keyring: keyring.New(kek), Logger: log}
	for _, o := range opts {
		o(&co)
	}
	svc := core.New(co)
	if err := svc.CheckKeys(ctx); err != nil {
		svc.Close()
		return fail(err)
	}
	if created {
		log.Warn("generated a new key-encryption key; back it up, since nothing stored can be read without it",
			"file", cfg.KeyFile(), "key_id", kek.ID())
		if cfg.DatabaseURL != "" {
			log.Warn("every replica sharing this database needs the same key: copy the file to them or set LATCHKEY_MASTER_KEY",
				"file", cfg.KeyFile())
		}
	}
	return &App{Store: db, Service: svc, Log: log}, nil
}

// Close flushes the service and closes the store.
func (a *App) Close() error {
	a.Service.Close()
	return a.Store.Close()
}
