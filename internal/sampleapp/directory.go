package sampleapp

import (
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
)

// What the pages say when an action is refused. The wording matters: the
// browser connector's recipe recognises these phrases, as it would a real
// application's.
var (
	errAlreadyMember = errors.New("already a member")
	errNoSeats       = errors.New("no seats left")
	errNotMember     = errors.New("not a member")
	errUnknownRole   = errors.New("unknown role")
	errInvalidEmail  = errors.New("not a valid email address")
)

// directory holds the users. The App's mutex guards it.
type directory struct {
	seats int // 0: unlimited
	users []User
}

func newDirectory(seats int) *directory { return &directory{seats: seats} }

func (d *directory) list() []User { return slices.Clone(d.users) }

// find returns the index of the user with the email, compared without case
// as mail systems do, or -1.
func (d *directory) find(email string) int {
	return slices.IndexFunc(d.users, func(u User) bool { return strings.EqualFold(u.Email, email) })
}

func (d *directory) invite(u User, roles []string) error {
	u.Email = strings.TrimSpace(u.Email)
	u.FirstName = strings.TrimSpace(u.FirstName)
	u.LastName = strings.TrimSpace(u.LastName)
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
		return fmt.Errorf("%q is %w", u.Email, errInvalidEmail)
	}
	if !slices.Contains(roles, u.Role) {
		return fmt.Errorf("%w %q", errUnknownRole, u.Role)
	}
	// Duplicates are checked before seats: re-inviting someone present must
	// say so even when the plan is full.
	if d.find(u.Email) >= 0 {
		return fmt.Errorf("%s is %w", u.Email, errAlreadyMember)
	}
	if d.seats > 0 && len(d.users) >= d.seats {
		return fmt.Errorf("%w: all %d seats are taken", errNoSeats, d.seats)
	}
	d.users = append(d.users, u)
	return nil
}

func (d *directory) setRole(email, role string, roles []string) error {
	if !slices.Contains(roles, role) {
		return fmt.Errorf("%w %q", errUnknownRole, role)
	}
	i := d.find(email)
	if i < 0 {
		return fmt.Errorf("%s is %w", email, errNotMember)
	}
	d.users[i].Role = role
	return nil
}

func (d *directory) remove(email string) error {
	i := d.find(email)
	if i < 0 {
		return fmt.Errorf("%s is %w", email, errNotMember)
	}
	d.users = slices.Delete(d.users, i, i+1)
	return nil
}

// countRole is how many users hold the role, for the roles page.
func (d *directory) countRole(role string) int {
	n := 0
	for _, u := range d.users {
		if u.Role == role {
			n++
		}
	}
	return n
}
