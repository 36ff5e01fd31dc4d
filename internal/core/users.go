package core

import (
	"context"
	"net/mail"
	"strings"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// UserInput describes a new member.
type UserInput struct {
	Email     string
	FirstName string
	LastName  string
	Role      latchkey.Role
	IsGuest   bool
	Status    latchkey.UserStatus // defaults to pending
}

const maxNameLength = 200

func (in *UserInput) validate() error {
	in.Email = strings.TrimSpace(in.Email)
	in.FirstName = strings.TrimSpace(in.FirstName)
	in.LastName = strings.TrimSpace(in.LastName)
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
		return latchkey.Invalid([]any{"email"}, "value_error.email", "The email address is not valid.")
	}
	for field, v := range map[string]string{"firstName": in.FirstName, "lastName": in.LastName} {
		if err := plainText(field, v); err != nil {
			return err
		}
	}
	if chars(in.FirstName) > maxNameLength || chars(in.LastName) > maxNameLength {
		return latchkey.Invalid([]any{"firstName"}, "value_error.any_str.max_length", "Names are at most 200 characters.")
	}
	if _, ok := latchkey.ParseRole(string(in.Role)); !ok {
		return latchkey.Invalid([]any{"role"}, "type_error.enum", "The role is not a workspace role.")
	}
	if in.Role.IsGuest() {
		in.IsGuest = true
	}
	if in.Status == "" {
		in.Status = latchkey.UserPending
	}
	return nil
}

// CreateUser adds a member to the principal's workspace. For now only the
// operator and the system may; the users API arrives with directory
// management. A workspace has exactly one owner.
func (s *Service) CreateUser(ctx context.Context, in UserInput) (*latchkey.User, error) {
	p, ok := latchkey.FromContext(ctx)
	if !ok || !p.IsPrivileged() {
		return nil, latchkey.Errorf(latchkey.EForbidden, "Only the operator can add users this way.")
	}
	role, _ := latchkey.ParseRole(string(in.Role))
	in.Role = role
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := s.clock()
	u := &latchkey.User{ID: newID(), WorkspaceID: p.WorkspaceID, Email: in.Email, FirstName: in.FirstName, LastName: in.LastName,
		Role: in.Role, Status: in.Status, IsGuest: in.IsGuest, CreatedAt: now, UpdatedAt: now}
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		if u.Role == latchkey.RoleOwner {
			n, err := tx.CountUsersWithRole(ctx, p.WorkspaceID, latchkey.RoleOwner)
			if err != nil {
				return err
			}
			if n > 0 {
				return latchkey.Errorf(latchkey.EConflict, "The workspace already has an owner; a workspace has exactly one.")
			}
		}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "user.created", "user", u.ID, map[string]string{"role": string(u.Role)})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// UserByEmail finds a member of the principal's workspace. Operator only.
func (s *Service) UserByEmail(ctx context.Context, email string) (*latchkey.User, error) {
	p, ok := latchkey.FromContext(ctx)
	if !ok || !p.IsPrivileged() {
		return nil, latchkey.Errorf(latchkey.EForbidden, "Only the operator can look users up this way.")
	}
	var u *latchkey.User
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		u, err = tx.UserByEmail(ctx, p.WorkspaceID, email)
		return err
	})
	if latchkey.IsCode(err, latchkey.ENotFound) {
		return nil, latchkey.Errorf(latchkey.ENotFound, "No user with the email %q is in the workspace.", email)
	}
	return u, err
}

// SetUserRole changes a member's workspace role. Operator only for now.
func (s *Service) SetUserRole(ctx context.Context, userID string, role latchkey.Role) error {
	p, ok := latchkey.FromContext(ctx)
	if !ok || !p.IsPrivileged() {
		return latchkey.Errorf(latchkey.EForbidden, "Only the operator can change roles this way.")
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, p.WorkspaceID, userID)
		if err != nil {
			return err
		}
		from := u.Role
		u.Role, u.IsGuest, u.UpdatedAt = role, role.IsGuest(), s.clock()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		tx.AfterCommit(func() { s.creds.forgetUser(u.WorkspaceID, u.ID) })
		return s.record(ctx, tx, p, "user.role.changed", "user", u.ID, map[string]string{"from": string(from), "to": string(role)})
	})
}

// SetUserStatus changes a member's status. Operator only for now.
func (s *Service) SetUserStatus(ctx context.Context, userID string, status latchkey.UserStatus) error {
	p, ok := latchkey.FromContext(ctx)
	if !ok || !p.IsPrivileged() {
		return latchkey.Errorf(latchkey.EForbidden, "Only the operator can change a user's status this way.")
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, p.WorkspaceID, userID)
		if err != nil {
			return err
		}
		u.Status, u.UpdatedAt = status, s.clock()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		tx.AfterCommit(func() { s.creds.forgetUser(u.WorkspaceID, u.ID) })
		return s.record(ctx, tx, p, "user.status.changed", "user", u.ID, map[string]string{"to": string(status)})
	})
}
