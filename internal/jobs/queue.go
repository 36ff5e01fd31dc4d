// Package jobs runs automation jobs durably: a job is queued in the
// transaction of the request that caused it, worked by one process at a
// time, retried with backoff when the application is unavailable, and
// taken up again after a crash. River does the queueing on both stores;
// what a job does is core's business, reached through the Runner given to
// Start, so this package knows nothing of connectors or the API.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// Run is one attempt at a job.
type Run struct {
	WorkspaceID string
	JobID       string
	Attempt     int // 1 for the first
	MaxAttempts int
}

// Final reports whether a failure of this attempt ends the job.
func (r Run) Final() bool { return r.Attempt >= r.MaxAttempts }

// Runner does the work of a job. It returns nil when the job reached an
// end (finished, or failed for good and recorded so); an error asks for
// another attempt later, unless the attempt was the last.
type Runner interface {
	RunJob(ctx context.Context, run Run) error
}

// Config says where the queue lives and how it works.
type Config struct {
	SQLite   bool
	DB       *sql.DB       // SQLite: the store's one writer connection; PostgreSQL: its pool
	Listener *pgxpool.Pool // PostgreSQL: for LISTEN/NOTIFY, so idle workers wake at once
	Workers  int           // jobs run at once by this process; default 20
	// Timeout bounds one attempt; default 5 minutes.
	Timeout time.Duration
	// RescueAfter is how long a job may stay running before it is taken
	// to belong to a dead process and run again; default Timeout plus a
	// minute. It must exceed Timeout, or live jobs would run twice.
	RescueAfter time.Duration
	MaxAttempts int           // default 8
	Backoff     time.Duration // first retry delay, doubling each time; default 2 s
	Logger      *slog.Logger
}

func (c *Config) defaults() {
	if c.Workers <= 0 {
		c.Workers = 20
	}
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Minute
	}
	if c.RescueAfter <= c.Timeout {
		c.RescueAfter = c.Timeout + time.Minute
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 8
	}
	if c.Backoff <= 0 {
		c.Backoff = 2 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Queue is the job queue of one process.
type Queue struct {
	cfg      Config
	driver   riverdriver.Driver[*sql.Tx]
	client   *river.Client[*sql.Tx]
	worker   *worker
	browsers sharedBrowser
}

// jobArgs is what River stores: only the job's address. Everything else
// is in the store's jobs table, which the API reads.
type jobArgs struct {
	WorkspaceID string `json:"ws"`
	JobID       string `json:"job"`
}

func (jobArgs) Kind() string { return "latchkey_job" }

// New prepares a queue; it inserts jobs at once and works them after Start.
func New(cfg Config) (*Queue, error) {
	cfg.defaults()
	q := &Queue{cfg: cfg, worker: &worker{}}
	if cfg.SQLite {
		q.driver = riversqlite.New(cfg.DB)
	} else if cfg.Listener != nil {
		q.driver = riverdatabasesql.NewWithPgxListener(cfg.DB, cfg.Listener)
	} else {
		q.driver = riverdatabasesql.New(cfg.DB)
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, q.worker); err != nil {
		return nil, err
	}
	client, err := river.NewClient(q.driver, &river.Config{
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		Workers:              workers,
		JobTimeout:           cfg.Timeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		MaxAttempts:          cfg.MaxAttempts,
		RetryPolicy:          backoff{first: cfg.Backoff},
		FetchCooldown:        20 * time.Millisecond,
		FetchPollInterval:    250 * time.Millisecond,
		Logger:               slog.New(quieter{cfg.Logger.Handler()}).With("component", "jobs"),
	})
	if err != nil {
		return nil, fmt.Errorf("job queue: %w", err)
	}
	q.client = client
	return q, nil
}

// Migrate creates or updates the queue's own tables.
func (q *Queue) Migrate(ctx context.Context) error {
	m, err := rivermigrate.New(q.driver, nil)
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate the job queue: %w", err)
	}
	return nil
}

// Enqueue queues a run of a job inside tx, the transaction that created
// or reset it: if tx rolls back, nothing runs.
func (q *Queue) Enqueue(ctx context.Context, tx *sql.Tx, workspaceID, jobID string) error {
	_, err := q.client.InsertTx(ctx, tx, jobArgs{WorkspaceID: workspaceID, JobID: jobID}, nil)
	return err
}

// Start works queued jobs through runner until Stop.
func (q *Queue) Start(ctx context.Context, runner Runner) error {
	q.worker.runner = runner
	return q.client.Start(ctx)
}

// Stop lets running jobs finish until ctx ends, then cancels them; a
// cancelled job goes back to the queue and runs again, here or elsewhere.
func (q *Queue) Stop(ctx context.Context) error {
	defer q.browsers.close()
	err := q.client.Stop(ctx)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return err
	}
	cancelCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return q.client.StopAndCancel(cancelCtx)
}

type worker struct {
	river.WorkerDefaults[jobArgs]
	runner Runner
}

func (w *worker) Work(ctx context.Context, job *river.Job[jobArgs]) error {
	if w.runner == nil {
		return errors.New("the job queue was started without a runner")
	}
	return w.runner.RunJob(ctx, Run{
		WorkspaceID: job.Args.WorkspaceID,
		JobID:       job.Args.JobID,
		Attempt:     job.Attempt,
		MaxAttempts: job.MaxAttempts,
	})
}

// backoff doubles the delay after each failed attempt, capped at an hour.
type backoff struct{ first time.Duration }

func (b backoff) NextRetry(job *rivertype.JobRow) time.Time {
	d := b.first
	for i := 1; i < job.Attempt && d < time.Hour; i++ {
		d *= 2
	}
	return time.Now().Add(min(d, time.Hour))
}

// quieter passes River's warnings and errors on; its info lines (job
// counts every few seconds, starts and stops) would drown the server's own.
type quieter struct{ slog.Handler }

func (q quieter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && q.Handler.Enabled(ctx, l)
}

func (q quieter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quieter{q.Handler.WithAttrs(attrs)}
}
func (q quieter) WithGroup(name string) slog.Handler { return quieter{q.Handler.WithGroup(name)} }
