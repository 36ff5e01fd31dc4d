package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/core"
	"github.com/latchkeyhq/latchkey/internal/jobs"
	"github.com/latchkeyhq/latchkey/internal/keyring"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// App is an opened store with its keys and the core service over them.
// Both `serve` and `admin` start from one.
type App struct {
	Store   *store.DB
	Service *core.Service
	Queue   *jobs.Queue
	Log     *slog.Logger

	jobsStarted bool
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
	queue, err := openQueue(ctx, db, cfg.Jobs, log)
	if err != nil {
		return fail(err)
	}
	co := core.Options{Store: db, Keyring: keyring.New(kek), Queue: queue, Logger: log}
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
	return &App{Store: db, Service: svc, Queue: queue, Log: log}, nil
}

// openQueue prepares the job queue on the store and brings its tables up
// to date. The queue inserts jobs at once; workers run after StartJobs.
func openQueue(ctx context.Context, db *store.DB, cfg JobsConfig, log *slog.Logger) (*jobs.Queue, error) {
	sqlite, conn, listener := db.QueueHandles()
	q, err := jobs.New(jobs.Config{SQLite: sqlite, DB: conn, Listener: listener, Workers: cfg.Workers, Timeout: cfg.Timeout,
		RescueAfter: cfg.RescueAfter, Backoff: cfg.Backoff, MaxAttempts: cfg.MaxAttempts, Logger: log})
	if err != nil {
		return nil, err
	}
	if err := db.WithMigrationLock(ctx, q.Migrate); err != nil {
		return nil, err
	}
	return q, nil
}

// StartJobs starts this process's job workers; Close stops them.
func (a *App) StartJobs(ctx context.Context) error {
	if err := a.Queue.Start(context.WithoutCancel(ctx), a.Service); err != nil {
		return fmt.Errorf("start the job workers: %w", err)
	}
	a.jobsStarted = true
	return nil
}

// StopJobs lets running jobs finish until ctx ends and hands the rest
// back to the queue.
func (a *App) StopJobs(ctx context.Context) error {
	if !a.jobsStarted {
		return nil
	}
	a.jobsStarted = false
	return a.Queue.Stop(ctx)
}

// Close stops the job workers, flushes the service and closes the store.
func (a *App) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := a.StopJobs(ctx)
	a.Service.Close()
	return errors.Join(err, a.Store.Close())
}
