package sampleapp

import "net/http"

// handler is a page handler given the request's session (nil on a GET
// from a browser that has none yet).
type handler func(w http.ResponseWriter, r *http.Request, ss *session)

func (a *App) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/users", http.StatusFound)
	})
	m.HandleFunc("GET /login", a.public(a.loginForm))
	m.HandleFunc("POST /login", a.public(a.login))
	m.HandleFunc("GET /login/totp", a.public(a.totpForm))
	m.HandleFunc("POST /login/totp", a.public(a.verifyTOTP))
	m.HandleFunc("POST /logout", a.public(a.logout))

	m.HandleFunc("GET /admin/users", a.auth(a.usersPage))
	m.HandleFunc("POST /admin/users/invite", a.auth(a.invite))
	m.HandleFunc("POST /admin/users/role", a.auth(a.changeRole))
	m.HandleFunc("POST /admin/users/remove", a.auth(a.remove))
	m.HandleFunc("GET /admin/roles", a.auth(a.rolesPage))
	m.HandleFunc("GET /account/password", a.auth(a.passwordForm))
	m.HandleFunc("POST /account/password", a.auth(a.changePassword))
	return m
}

// public serves the pages reachable before sign-in. Their forms carry a
// CSRF token too: a forged login would sign a victim into our account.
func (a *App) public(next handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss := a.sessions.get(r)
		if r.Method == http.MethodPost && !validCSRF(ss, r) {
			forbidCSRF(w)
			return
		}
		next(w, r, ss)
	}
}

// auth serves the signed-in pages and sends everyone else to the login
// page, as a browser would expect.
func (a *App) auth(next handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss := a.sessions.get(r)
		if ss == nil || ss.user == "" {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost && !validCSRF(ss, r) {
			forbidCSRF(w)
			return
		}
		next(w, r, ss)
	}
}

func forbidCSRF(w http.ResponseWriter) {
	http.Error(w, "403 Forbidden: the form's security token is missing or stale; reload the page and try again", http.StatusForbidden)
}

// back redirects after a POST to the page that shows its outcome, with the
// outcome queued as the flash message.
func (a *App) back(w http.ResponseWriter, r *http.Request, ss *session, to string, err error, ok string) {
	if err != nil {
		a.sessions.setFlash(ss, "error", sentence(err.Error()))
	} else {
		a.sessions.setFlash(ss, "ok", ok)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// sentence capitalises a message and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	if c := s[0]; 'a' <= c && c <= 'z' {
		s = string(c-'a'+'A') + s[1:]
	}
	if s[len(s)-1] != '.' {
		s += "."
	}
	return s
}
