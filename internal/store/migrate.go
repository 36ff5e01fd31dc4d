package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations
var migrations embed.FS

// Migrate brings the schema up to date. On PostgreSQL a session advisory
// lock makes replicas that start together take turns; on SQLite a lock file
// beside the database does the same for processes sharing the file.
func (db *DB) Migrate(ctx context.Context) error {
	dir, err := fs.Sub(migrations, "migrations/"+string(db.dialect))
	if err != nil {
		return err
	}
	var (
		dialect goose.Dialect
		opts    []goose.ProviderOption
	)
	switch db.dialect {
	case Postgres:
		dialect = goose.DialectPostgres
		// Replicas that start together wait their turn, checking each
		// second for up to five minutes.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	case SQLite:
		dialect = goose.DialectSQLite3
		unlock, err := lockFile(db.path + ".migrate-lock")
		if err != nil {
			return fmt.Errorf("lock for migration: %w", err)
		}
		defer unlock()
	}
	provider, err := goose.NewProvider(dialect, db.write, dir, opts...)
	if err != nil {
		return fmt.Errorf("prepare migrations: %w", err)
	}
	if _, err := provider.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Migrated reports whether every migration this binary knows is applied.
func (db *DB) Migrated(ctx context.Context) (bool, error) {
	dir, err := fs.Sub(migrations, "migrations/"+string(db.dialect))
	if err != nil {
		return false, err
	}
	dialect := goose.DialectSQLite3
	if db.dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	provider, err := goose.NewProvider(dialect, db.read, dir)
	if err != nil {
		return false, err
	}
	pending, err := provider.HasPending(ctx)
	return err == nil && !pending, err
}
