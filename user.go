package latchkey

import (
	"strings"
	"time"
)

// UserStatus is a member's lifecycle state.
type UserStatus string

const (
	UserLive     UserStatus = "live"
	UserPending  UserStatus = "pending"
	UserDisabled UserStatus = "disabled"
)

// User is a member of a workspace.
type User struct {
	ID             string
	WorkspaceID    string
	Email          string
	FirstName      string
	LastName       string
	Role           Role
	Status         UserStatus
	IsGuest        bool
	MFAEnabled     bool
	MFAEnrolledAt  *time.Time
	LastActivityAt *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Name is the display name, falling back to the email.
func (u *User) Name() string {
	if n := strings.TrimSpace(u.FirstName + " " + u.LastName); n != "" {
		return n
	}
	return u.Email
}

// NormalizeEmail is the form emails are compared and stored unique in.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }
