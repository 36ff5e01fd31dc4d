package sampleapp

import (
	"crypto/rand"
	"crypto/subtle"
	"net/http"
	"sync"
	"time"
)

const (
	sessionCookie = "sampleapp_session"
	sessionIdle   = 8 * time.Hour
)

// session is one browser's state. A session exists before sign-in too, so
// the login form carries a CSRF token like every other form.
type session struct {
	id       string
	csrf     string
	user     string // signed in as; empty until both factors passed
	pending  string // passed the password, owes a TOTP code
	flash    flash  // guarded by sessions.mu
	lastSeen time.Time
}

// flash is a one-shot message shown on the page a POST redirects to.
type flash struct {
	Kind string // "ok" or "error"
	Text string
}

type sessions struct {
	mu   sync.Mutex
	byID map[string]*session
}

func newSessions() *sessions { return &sessions{byID: map[string]*session{}} }

// token is 128 random bits, text-safe for a cookie or a form field.
func token() string { return rand.Text() }

// get returns the request's session, or nil when it has none or it expired.
func (s *sessions) get(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.byID[c.Value]
	if ss == nil {
		return nil
	}
	if time.Since(ss.lastSeen) > sessionIdle {
		delete(s.byID, ss.id)
		return nil
	}
	ss.lastSeen = time.Now()
	return ss
}

// start makes a new session and sets its cookie. Each step of signing in
// calls it again, so an id a visitor had before is worthless after (session
// fixation), and so a session's id, token, user and pending never change
// once other requests can see it.
func (s *sessions) start(w http.ResponseWriter, r *http.Request, old *session, user, pending string) *session {
	ss := &session{id: token(), csrf: token(), user: user, pending: pending, lastSeen: time.Now()}
	s.mu.Lock()
	if old != nil {
		delete(s.byID, old.id)
	}
	s.prune()
	s.byID[ss.id] = ss
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    ss.id,
		Path:     "/",
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
	return ss
}

// end forgets the session and clears the cookie.
func (s *sessions) end(w http.ResponseWriter, ss *session) {
	s.mu.Lock()
	delete(s.byID, ss.id)
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// prune drops expired sessions; the caller holds mu. Sessions are few, so a
// sweep on each new one is cheaper than a janitor goroutine to stop.
func (s *sessions) prune() {
	for id, ss := range s.byID {
		if time.Since(ss.lastSeen) > sessionIdle {
			delete(s.byID, id)
		}
	}
}

// update runs f with the sessions locked, for changes to a session's fields.
func (s *sessions) update(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

// setFlash queues a message for the next page.
func (s *sessions) setFlash(ss *session, kind, text string) {
	s.update(func() { ss.flash = flash{Kind: kind, Text: text} })
}

// takeFlash returns the queued message and clears it.
func (s *sessions) takeFlash(ss *session) flash {
	var f flash
	s.update(func() { f, ss.flash = ss.flash, flash{} })
	return f
}

// validCSRF reports whether the form's token is the session's.
func validCSRF(ss *session, r *http.Request) bool {
	got := r.PostFormValue("csrf_token")
	return ss != nil && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(ss.csrf)) == 1
}
