package sampleapp

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/pquerna/otp/totp"
)

func (a *App) loginForm(w http.ResponseWriter, r *http.Request, ss *session) {
	switch {
	case ss != nil && ss.user != "":
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
		return
	case ss == nil:
		ss = a.sessions.start(w, r, nil, "", "")
	}
	a.pages.render(w, http.StatusOK, "login", pageData{Title: "Sign in", CSRF: ss.csrf, Flash: a.sessions.takeFlash(ss)})
}

func (a *App) login(w http.ResponseWriter, r *http.Request, ss *session) {
	user := strings.TrimSpace(r.PostFormValue("username"))
	if !a.checkPassword(user, r.PostFormValue("password")) {
		a.pages.render(w, http.StatusUnauthorized, "login", pageData{
			Title: "Sign in", CSRF: ss.csrf, Username: user,
			Error: "Invalid username or password.",
		})
		return
	}
	if a.totpSecret == "" {
		a.sessions.start(w, r, ss, user, "")
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
		return
	}
	a.sessions.start(w, r, ss, "", user)
	http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
}

// checkPassword compares in constant time, both fields always, so the
// timing tells nothing about which was wrong.
func (a *App) checkPassword(user, pass string) bool {
	a.mu.Lock()
	wantUser, wantPass := a.adminUser, a.adminPass
	a.mu.Unlock()
	u := subtle.ConstantTimeCompare([]byte(user), []byte(wantUser))
	p := subtle.ConstantTimeCompare([]byte(pass), []byte(wantPass))
	return u&p == 1
}

func (a *App) totpForm(w http.ResponseWriter, r *http.Request, ss *session) {
	if ss == nil || ss.pending == "" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	a.pages.render(w, http.StatusOK, "totp", pageData{Title: "Two-factor authentication", CSRF: ss.csrf})
}

// verifyTOTP finishes signing in. A code may be used more than once within
// its 30-second window: a stricter application would refuse the replay, and
// the connector, which signs in for every operation, would then wait for the
// next code.
func (a *App) verifyTOTP(w http.ResponseWriter, r *http.Request, ss *session) {
	if ss.pending == "" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	if !totp.Validate(strings.TrimSpace(r.PostFormValue("code")), a.totpSecret) {
		a.pages.render(w, http.StatusUnauthorized, "totp", pageData{
			Title: "Two-factor authentication", CSRF: ss.csrf,
			Error: "Invalid code. Check your authenticator and try again.",
		})
		return
	}
	a.sessions.start(w, r, ss, ss.pending, "")
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
}

func (a *App) logout(w http.ResponseWriter, r *http.Request, ss *session) {
	a.sessions.end(w, ss)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
