// Package sampleapp is a tiny "disconnected" web application: it has users,
// roles and a seat limit, and no API at all — only HTML pages behind a
// password and an optional TOTP second factor. It stands in for the kind of
// application Latchkey's browser connector drives, so the demo and the tests
// can provision people into something real without the network.
//
// It is deliberately ordinary: a login form, a session cookie, a CSRF token
// in every form, redirects after each POST with a flash message. Nothing in
// it is shaped to make automation easier than it would be against a real
// admin page.
package sampleapp

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/pquerna/otp/totp"
)

// DefaultRoles are the roles (the application's entitlements) when Config
// names none.
var DefaultRoles = []string{"admin", "member", "viewer"}

// Config sets up an App.
type Config struct {
	AdminUsername string
	AdminPassword string
	// TOTPSecret is the admin's base32 TOTP seed. Empty means no second
	// factor.
	TOTPSecret string
	// Seats caps the number of users; 0 means unlimited.
	Seats int
	// Roles are the roles a user may hold; empty means DefaultRoles.
	Roles []string
	// Latency is slept before every request is answered, so tests can make
	// the application slow.
	Latency time.Duration
	// Users are present from the start.
	Users []User
}

// User is a person holding a seat in the application.
type User struct {
	Email     string
	FirstName string
	LastName  string
	Role      string
}

// Name is the user's full name as the application shows it.
func (u User) Name() string {
	switch {
	case u.FirstName == "":
		return u.LastName
	case u.LastName == "":
		return u.FirstName
	}
	return u.FirstName + " " + u.LastName
}

// App is the application. It is an http.Handler; its other methods let a
// test look behind the pages.
type App struct {
	totpSecret string
	latency    time.Duration
	roles      []string
	mux        *http.ServeMux
	sessions   *sessions
	pages      *pages

	mu        sync.Mutex
	adminUser string
	adminPass string
	down      bool
	dir       *directory
}

// New returns an App ready to serve.
func New(cfg Config) (*App, error) {
	if cfg.AdminUsername == "" || cfg.AdminPassword == "" {
		return nil, errors.New("sampleapp: an admin username and password are required")
	}
	if cfg.Seats < 0 {
		return nil, fmt.Errorf("sampleapp: seats must not be negative, got %d", cfg.Seats)
	}
	if cfg.TOTPSecret != "" {
		// Generating a code is the cheapest way to learn the seed decodes.
		if _, err := totp.GenerateCode(cfg.TOTPSecret, time.Now()); err != nil {
			return nil, fmt.Errorf("sampleapp: the TOTP secret is not valid base32: %w", err)
		}
	}
	roles := cfg.Roles
	if len(roles) == 0 {
		roles = DefaultRoles
	}
	for i, r := range roles {
		if r == "" || slices.Contains(roles[:i], r) {
			return nil, fmt.Errorf("sampleapp: role %q is empty or listed twice", r)
		}
	}
	pg, err := parsePages()
	if err != nil {
		return nil, err
	}
	a := &App{
		totpSecret: cfg.TOTPSecret,
		latency:    cfg.Latency,
		roles:      slices.Clone(roles),
		sessions:   newSessions(),
		pages:      pg,
		adminUser:  cfg.AdminUsername,
		adminPass:  cfg.AdminPassword,
		dir:        newDirectory(cfg.Seats),
	}
	for _, u := range cfg.Users {
		if err := a.dir.invite(u, a.roles); err != nil {
			return nil, fmt.Errorf("sampleapp: seeding %s: %w", u.Email, err)
		}
	}
	a.mux = a.routes()
	return a, nil
}

// Users returns a copy of the users, in the order they were invited.
func (a *App) Users() []User {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.dir.list()
}

// Roles returns the roles the application offers.
func (a *App) Roles() []string { return slices.Clone(a.roles) }

// SetDown makes every request answer 503 (true) or work again (false), as an
// application in maintenance would.
func (a *App) SetDown(down bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.down = down
}

// SetCredentials replaces the admin's username and password. Sessions that
// are signed in stay signed in, as in most applications.
func (a *App) SetCredentials(user, pass string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.adminUser, a.adminPass = user, pass
}

// ServeHTTP answers a request: the artificial latency first, then the 503 of
// an application that is down, then the page.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.latency > 0 {
		t := time.NewTimer(a.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	a.mu.Lock()
	down := a.down
	a.mu.Unlock()
	if down {
		w.Header().Set("Retry-After", "30")
		http.Error(w, "503 Service Unavailable: down for maintenance", http.StatusServiceUnavailable)
		return
	}
	securityHeaders(w.Header())
	a.mux.ServeHTTP(w, r)
}

// securityHeaders are what any admin page should send. The inline style
// block is the only thing the pages load, hence the narrow policy.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}
