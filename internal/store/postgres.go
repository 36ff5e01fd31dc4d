package store

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// defaultPoolSize covers the default 20 job workers, the queue's own
// connections and concurrent requests.
const defaultPoolSize = 40

// openPostgres opens a pgx pool and serves database/sql from it, so one pool
// carries every query, migrations included.
func openPostgres(ctx context.Context, databaseURL string, log *slog.Logger) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		// pgx's message can echo the URL, password included.
		return nil, fmt.Errorf("the database URL cannot be parsed")
	}
	// pgx's default pool (four connections on two cores) starves a server
	// whose job workers, queue and requests all wait on it. An explicit
	// pool_max_conns in the URL wins.
	if !strings.Contains(databaseURL, "pool_max_conns") {
		cfg.MaxConns = defaultPoolSize
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL at %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	return &DB{
		dialect: Postgres,
		write:   sqlDB,
		read:    sqlDB,
		closers: []func() error{func() error { pool.Close(); return nil }, sqlDB.Close},
		log:     log,
		anchors: newAnchorCache(),
		pgx:     pool,
	}, nil
}
