package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/latchkeyhq/latchkey/internal/api"
	"github.com/latchkeyhq/latchkey/internal/demo"
)

// Run serves until ctx ends, then stops gracefully: it stops accepting,
// lets in-flight requests finish (up to ShutdownTimeout) and flushes what it
// batches. The line "latchkey listening on http://HOST:PORT" goes to stdout
// once connections are accepted; logs go to stderr.
func Run(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	log, err := cfg.Logger(stderr)
	if err != nil {
		return err
	}
	app, err := Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer app.Close()

	var seeded *demo.Seeded
	var demoSkipped bool
	var sample *demo.App
	if cfg.Demo {
		if sample, err = startSampleApp(cfg, log); err != nil {
			log.Warn("the demo runs without its sample application", "err", err)
		}
		if sample != nil {
			defer sample.Close()
		}
		if seeded, err = demo.Seed(ctx, app.Service, sample); err != nil {
			return fmt.Errorf("seed the demo: %w", err)
		}
		demoSkipped = seeded == nil
	}

	handler, err := Handler(cfg, app, log)
	if err != nil {
		return err
	}
	if err := app.StartJobs(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "latchkey listening on %s\n", base)
	log.Info("serving", "addr", ln.Addr().String(), "store", app.Store.Dialect(), "demo", cfg.Demo)
	switch {
	case seeded != nil:
		printDemo(stdout, base, seeded)
		if seeded.Integration != nil {
			printDemoIntegration(stdout, base, seeded)
		}
	case demoSkipped:
		fmt.Fprintf(stdout, "The store already has data, so --demo changed nothing. For a new token:\n"+
			"  latchkey admin token create --workspace %s --email %s\n", demo.Workspace, demo.OwnerEmail)
	}

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("stopping: finishing in-flight requests", "timeout", cfg.ShutdownTimeout.String())
	stopCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(stopCtx); err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopping: finishing running jobs, handing the rest back to the queue")
	if err := app.StopJobs(stopCtx); err != nil {
		return fmt.Errorf("stop the job workers: %w", err)
	}
	log.Info("stopped")
	return nil
}

// startSampleApp runs the demo's sample application, with the login the
// data directory keeps for it.
func startSampleApp(cfg Config, log *slog.Logger) (*demo.App, error) {
	if cfg.DemoAppAddr == "" || cfg.DemoAppAddr == "off" {
		return nil, nil
	}
	login, err := demo.LoadOrCreateAppLogin(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	a, err := demo.StartApp(cfg.DemoAppAddr, login, log)
	if err != nil {
		return nil, err
	}
	log.Info("sample application", "url", a.URL)
	return a, nil
}

// Handler builds every HTTP route the server answers.
func Handler(cfg Config, app *App, log *slog.Logger) (http.Handler, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "latchkey_store_open_connections", Help: "Open connections to the store.",
	}, func() float64 { w, r := app.Store.Stats(); return float64(w.OpenConnections + r.OpenConnections) }))

	apiHandler, err := api.New(api.Options{
		Service: app.Service, BaseDomain: cfg.BaseDomain, RateLimit: cfg.RateLimit,
		MaxBodyBytes: cfg.MaxBodyBytes, Logger: log, Registerer: reg,
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(api.Prefix+"/", apiHandler)
	mux.Handle(api.LegacyPrefix+"/", apiHandler)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeStatus(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := app.Service.Ready(ctx); err != nil {
			log.Warn("not ready", "err", err)
			writeStatus(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
		writeStatus(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "Latchkey\n\nThe API is at %s/ and describes itself at %s/openapi.json.\n", api.Prefix, api.Prefix)
	})
	return mux, nil
}

func writeStatus(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func printDemo(w io.Writer, base string, s *demo.Seeded) {
	fmt.Fprintf(w, `
Demo workspace %q is ready (owner %s).
  API             %s/api/v1/
  Bearer token    %s
                  (the owner's; valid until %s)
  API key         %s
                  (the owner's; every read scope; never expires)

Try:
  curl -H 'X-API-Key: %s' %s/api/v1/accounts
  curl -g -H 'X-API-Key: %s' '%s/api/v1/accounts/%s/secrets?filter[secretType]=password'
  curl -H 'X-API-Key: %s' %s/api/v1/accounts/%s/totp

These credentials are shown once; they are stored only as digests.
`, s.Workspace, s.OwnerEmail, base, s.Token, s.TokenUntil.Format(time.RFC3339), s.APIKey,
		s.APIKey, base, s.APIKey, base, s.Accounts[0].ID, s.APIKey, base, s.Accounts[0].ID)
}

func printDemoIntegration(w io.Writer, base string, s *demo.Seeded) {
	fmt.Fprintf(w, `The integration %q drives the sample application at %s
(sign in there as %s; its password and TOTP seed are in the integration's account).
Invite a member into it, then watch the job:
  curl -X POST -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \
    %s/api/v1/integrations/%s/users \
    -d '{"data":{"type":"invite_tenant_users","attributes":{"role":"account_collaborator","entitlements":[{"id":"member"}],"userIds":["USER_ID"]}}}'
  curl -H 'Authorization: Bearer %s' %s/api/v1/jobs/JOB_ID
(USER_ID from: curl -H 'Authorization: Bearer %s' %s/api/v1/users)
`, s.Integration.Label, s.App.URL, s.App.Login.Username, s.Token, base, s.Integration.ID, s.Token, base, s.Token, base)
}
