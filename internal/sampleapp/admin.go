package sampleapp

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// minPassword is the shortest admin password the application accepts.
const minPassword = 8

func (a *App) usersPage(w http.ResponseWriter, r *http.Request, ss *session) {
	a.mu.Lock()
	users := a.dir.list()
	seats := a.dir.seats
	a.mu.Unlock()
	rows := make([]userRow, len(users))
	for i, u := range users {
		rows[i] = userRow{Email: u.Email, Name: u.Name(), Role: u.Role}
	}
	a.pages.render(w, http.StatusOK, "users", a.signedIn(ss, pageData{
		Title: "Users", Section: "users",
		Users: rows, Roles: a.roles, Seats: seats, Used: len(users),
	}))
}

func (a *App) invite(w http.ResponseWriter, r *http.Request, ss *session) {
	u := User{
		Email:     r.PostFormValue("email"),
		FirstName: r.PostFormValue("first_name"),
		LastName:  r.PostFormValue("last_name"),
		Role:      r.PostFormValue("role"),
	}
	a.mu.Lock()
	err := a.dir.invite(u, a.roles)
	a.mu.Unlock()
	if err != nil {
		err = fmt.Errorf("could not invite: %w", err)
	}
	a.back(w, r, ss, "/admin/users", err, fmt.Sprintf("Invited %s as %s.", strings.TrimSpace(u.Email), u.Role))
}

func (a *App) changeRole(w http.ResponseWriter, r *http.Request, ss *session) {
	email, role := r.PostFormValue("email"), r.PostFormValue("role")
	a.mu.Lock()
	err := a.dir.setRole(email, role, a.roles)
	a.mu.Unlock()
	if err != nil {
		err = fmt.Errorf("could not change the role: %w", err)
	}
	a.back(w, r, ss, "/admin/users", err, fmt.Sprintf("%s is now %s.", email, role))
}

func (a *App) remove(w http.ResponseWriter, r *http.Request, ss *session) {
	email := r.PostFormValue("email")
	a.mu.Lock()
	err := a.dir.remove(email)
	a.mu.Unlock()
	if err != nil {
		err = fmt.Errorf("could not remove: %w", err)
	}
	a.back(w, r, ss, "/admin/users", err, fmt.Sprintf("Removed %s.", email))
}

func (a *App) rolesPage(w http.ResponseWriter, r *http.Request, ss *session) {
	a.mu.Lock()
	rows := make([]roleRow, len(a.roles))
	for i, k := range a.roles {
		rows[i] = roleRow{Key: k, Label: strings.ToUpper(k[:1]) + k[1:], Count: a.dir.countRole(k)}
	}
	a.mu.Unlock()
	a.pages.render(w, http.StatusOK, "roles", a.signedIn(ss, pageData{Title: "Roles", Section: "roles", RoleRows: rows}))
}

func (a *App) passwordForm(w http.ResponseWriter, r *http.Request, ss *session) {
	a.pages.render(w, http.StatusOK, "password", a.signedIn(ss, pageData{Title: "Change password", Section: "account"}))
}

func (a *App) changePassword(w http.ResponseWriter, r *http.Request, ss *session) {
	current, next := r.PostFormValue("current_password"), r.PostFormValue("new_password")
	a.mu.Lock()
	var err error
	switch {
	case subtle.ConstantTimeCompare([]byte(current), []byte(a.adminPass)) != 1:
		err = errors.New("the current password is wrong")
	case len(next) < minPassword:
		err = fmt.Errorf("the new password must be at least %d characters", minPassword)
	case next == current:
		err = errors.New("the new password must differ from the current one")
	default:
		a.adminPass = next
	}
	a.mu.Unlock()
	a.back(w, r, ss, "/account/password", err, "Your password was changed.")
}

// signedIn fills in what the layout needs for a signed-in page.
func (a *App) signedIn(ss *session, d pageData) pageData {
	d.SignedIn, d.User, d.CSRF = true, ss.user, ss.csrf
	d.Flash = a.sessions.takeFlash(ss)
	return d
}
