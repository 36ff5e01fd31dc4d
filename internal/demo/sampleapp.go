package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/latchkeyhq/latchkey/internal/connector/browser"
	"github.com/latchkeyhq/latchkey/internal/sampleapp"
)

// DefaultAppAddr is where `serve --demo` runs the sample application.
const DefaultAppAddr = "127.0.0.1:8090"

// AppLogin is the sample application's admin login: kept in the data
// directory, so that the integration the demo stored keeps working across
// restarts.
type AppLogin struct {
	Username   string `json:"username"`
	Password   string `json:"password"`
	TOTPSecret string `json:"totpSecret"`
}

const appLoginFile = "demo-sample-app.json"

// LoadOrCreateAppLogin reads the sample application's login from dataDir,
// making one the first time. The file holds a password: owner-only.
func LoadOrCreateAppLogin(dataDir string) (AppLogin, error) {
	path := filepath.Join(dataDir, appLoginFile)
	var l AppLogin
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &l); err != nil || l.Username == "" || l.Password == "" {
			return l, fmt.Errorf("%s is damaged; remove it to make a new login", path)
		}
		return l, nil
	case !errors.Is(err, fs.ErrNotExist):
		return l, err
	}
	l = AppLogin{Username: "admin@sample-app.example", Password: password(), TOTPSecret: seed()}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return l, err
	}
	b, _ = json.MarshalIndent(l, "", "  ")
	return l, os.WriteFile(path, b, 0o600)
}

// App is the running sample application.
type App struct {
	URL   string
	Login AppLogin
	srv   *http.Server
}

// StartApp runs the sample application on addr until Close. Its users live
// in memory: after a restart, a sync of the demo integration brings
// Latchkey's view back in line.
func StartApp(addr string, login AppLogin, log *slog.Logger) (*App, error) {
	h, err := sampleapp.New(sampleapp.Config{AdminUsername: login.Username, AdminPassword: login.Password,
		TOTPSecret: login.TOTPSecret, Seats: 10})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("the sample application cannot listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go srv.Serve(ln)
	return &App{URL: "http://" + ln.Addr().String(), Login: login, srv: srv}, nil
}

// Close stops the sample application.
func (a *App) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return a.srv.Shutdown(ctx)
}

// Recipe is how the demo integration drives the sample application.
func Recipe() []byte { return browser.SampleAppRecipe() }
