package cli

import (
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/latchkeyhq/latchkey/internal/server"
)

// storeFlags are the flags every command that opens the store takes.
var storeEnv = map[string]string{
	"data-dir":        "LATCHKEY_DATA_DIR",
	"database-url":    "LATCHKEY_DATABASE_URL",
	"master-key-file": "LATCHKEY_MASTER_KEY_FILE",
	"log-level":       "LATCHKEY_LOG_LEVEL",
	"log-format":      "LATCHKEY_LOG_FORMAT",
}

func addStoreFlags(cmd *cobra.Command, cfg *server.Config) {
	f := cmd.Flags()
	f.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "directory of the SQLite database and the local key-encryption key (env LATCHKEY_DATA_DIR)")
	f.StringVar(&cfg.DatabaseURL, "database-url", "", "postgres://… selects PostgreSQL instead of SQLite (env LATCHKEY_DATABASE_URL)")
	f.StringVar(&cfg.MasterKeyFile, "master-key-file", "", "key-encryption key file (default DATA-DIR/master.key, created on first start; env LATCHKEY_MASTER_KEY_FILE; LATCHKEY_MASTER_KEY supplies the key itself, base64 of 32 bytes)")
	f.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "debug, info, warn or error (env LATCHKEY_LOG_LEVEL)")
	f.StringVar(&cfg.LogFormat, "log-format", cfg.LogFormat, "json or text (env LATCHKEY_LOG_FORMAT)")
}

func newServe(getenv env, stdout, stderr io.Writer) *cobra.Command {
	cfg := server.Defaults()
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Latchkey server",
		Long: `Run the Latchkey server: the REST API under /api/v1, /healthz, /readyz and /metrics.

It prints "latchkey listening on http://HOST:PORT" once it accepts connections,
and stops gracefully on SIGINT or SIGTERM. The store is SQLite in --data-dir
unless --database-url names PostgreSQL; migrations run at start.`,
		Example: "  latchkey serve --demo\n  latchkey serve --addr :8443 --database-url postgres://latchkey@db/latchkey",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			env := map[string]string{"addr": "LATCHKEY_ADDR", "base-domain": "LATCHKEY_BASE_DOMAIN", "demo": "LATCHKEY_DEMO", "demo-app-addr": "LATCHKEY_DEMO_APP_ADDR", "rate-limit": "LATCHKEY_RATE_LIMIT",
				"job-workers": "LATCHKEY_JOB_WORKERS", "job-timeout": "LATCHKEY_JOB_TIMEOUT", "job-rescue-after": "LATCHKEY_JOB_RESCUE_AFTER"}
			for k, v := range storeEnv {
				env[k] = v
			}
			if err := bindEnv(cmd, getenv, env); err != nil {
				return err
			}
			if cfg.RateLimit < 0 {
				return usagef("--rate-limit must be 0 (off) or more")
			}
			if cfg.Jobs.Workers < 1 {
				return usagef("--job-workers must be 1 or more")
			}
			if cfg.Jobs.Timeout < time.Second {
				return usagef("--job-timeout must be at least 1s")
			}
			if cfg.Jobs.RescueAfter != 0 && cfg.Jobs.RescueAfter <= cfg.Jobs.Timeout {
				return usagef("--job-rescue-after must be longer than --job-timeout, or a job still running would run twice")
			}
			cfg.MasterKey = getenv("LATCHKEY_MASTER_KEY")
			tuneGC(getenv)
			return server.Run(cmd.Context(), cfg, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address; :0 picks a free port (env LATCHKEY_ADDR)")
	f.StringVar(&cfg.BaseDomain, "base-domain", cfg.BaseDomain, "{workspace}.{base-domain} in the Host header names a workspace (env LATCHKEY_BASE_DOMAIN)")
	f.BoolVar(&cfg.Demo, "demo", false, "seed the demo workspace when the store is empty, and run the sample application its integration drives (env LATCHKEY_DEMO)")
	f.StringVar(&cfg.DemoAppAddr, "demo-app-addr", cfg.DemoAppAddr, "where --demo runs the sample application; off runs none (env LATCHKEY_DEMO_APP_ADDR)")
	f.IntVar(&cfg.RateLimit, "rate-limit", cfg.RateLimit, "requests per minute per credential, and per client address for failed authentication; 0 turns limiting off (env LATCHKEY_RATE_LIMIT)")
	f.IntVar(&cfg.Jobs.Workers, "job-workers", 20, "automation jobs this process runs at once (env LATCHKEY_JOB_WORKERS)")
	f.DurationVar(&cfg.Jobs.Timeout, "job-timeout", 5*time.Minute, "longest one attempt of a job may run (env LATCHKEY_JOB_TIMEOUT)")
	f.DurationVar(&cfg.Jobs.RescueAfter, "job-rescue-after", 0, "a job running this long is taken to belong to a dead process and runs again; must exceed --job-timeout (default: job timeout + 1m; env LATCHKEY_JOB_RESCUE_AFTER)")
	addStoreFlags(cmd, &cfg)
	return cmd
}
