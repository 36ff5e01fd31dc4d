package core

import (
	"context"
	"net/mail"
	"strings"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/authz"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// UserInput describes a member: a new one, or all of one (PUT).
type UserInput struct {
	Email     string
	FirstName string
	LastName  string
	Role      latchkey.Role
	IsGuest   bool
	Status    latchkey.UserStatus // new members start pending unless the operator says otherwise
}

// UserPatch changes some of a member; nil fields are left alone.
type UserPatch struct {
	Email     *string
	FirstName *string
	LastName  *string
	Role      *latchkey.Role
	IsGuest   *bool
	Status    *latchkey.UserStatus
}

const maxNameLength = 200

func validEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		return "", latchkey.Invalid([]any{"email"}, "value_error.email", "value is not a valid email address")
	}
	return email, nil
}

func validPersonName(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	if err := plainText(field, name); err != nil {
		return "", err
	}
	if chars(name) > maxNameLength {
		return "", latchkey.Invalid([]any{field}, "value_error.any_str.max_length", "ensure this value has at most 200 characters")
	}
	return name, nil
}

func validRole(r latchkey.Role) (latchkey.Role, error) {
	role, ok := latchkey.ParseRole(string(r))
	if !ok {
		return "", latchkey.Invalid([]any{"role"}, "type_error.enum", "value is not a valid enumeration member; permitted: 'workspace_owner', 'workspace_super_admin', 'workspace_admin', 'workspace_user', 'workspace_login_only', 'workspace_guest_user', 'workspace_guest_admin'")
	}
	return role, nil
}

func validStatus(st latchkey.UserStatus) error {
	switch st {
	case latchkey.UserLive, latchkey.UserPending, latchkey.UserDisabled:
		return nil
	}
	return latchkey.Invalid([]any{"status"}, "type_error.enum", "value is not a valid enumeration member; permitted: 'live', 'pending', 'disabled'")
}

// level orders roles for who may change whom: a member can only hand out,
// and only change members holding, roles at or below their own.
func level(r latchkey.Role) int {
	switch r {
	case latchkey.RoleOwner:
		return 4
	case latchkey.RoleSuperAdmin:
		return 3
	case latchkey.RoleAdmin:
		return 2
	}
	return 1
}

// ListUsers pages through the workspace's members. Admins only.
func (s *Service) ListUsers(ctx context.Context, f latchkey.UserFilter) ([]*latchkey.User, int, error) {
	p, err := authorize(ctx, authz.ListUsers)
	if err != nil {
		return nil, 0, err
	}
	for i, st := range f.Statuses {
		if validStatus(st) != nil {
			return nil, 0, latchkey.Invalid([]any{"filter[status]", i}, "type_error.enum", "value is not a valid enumeration member; permitted: 'live', 'pending', 'disabled'")
		}
	}
	for i, id := range f.IDs {
		if !validID(id) {
			return nil, 0, latchkey.Invalid([]any{"userIds", i}, "value_error.uuid", "value is not a valid uuid")
		}
	}
	var (
		out   []*latchkey.User
		total int
	)
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, total, err = tx.ListUsers(ctx, p.WorkspaceID, f)
		return err
	})
	return out, total, err
}

// GetUser reads one member. Admins only.
func (s *Service) GetUser(ctx context.Context, id string) (*latchkey.User, error) {
	p, err := authorize(ctx, authz.GetUser)
	if err != nil {
		return nil, err
	}
	if !validID(id) {
		return nil, notFound()
	}
	var u *latchkey.User
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		u, err = tx.User(ctx, p.WorkspaceID, id)
		return err
	})
	return u, err
}

// CreateUser adds a member. Through the API an admin adds a local or guest
// member, who starts pending; the operator may create them live. Nobody
// hands out a role above their own, and there is exactly one owner.
func (s *Service) CreateUser(ctx context.Context, in UserInput) (*latchkey.User, error) {
	p, err := authorize(ctx, authz.CreateUser)
	if err != nil {
		return nil, err
	}
	if in.Role, err = validRole(in.Role); err != nil {
		return nil, err
	}
	if in.Email, err = validEmail(in.Email); err != nil {
		return nil, err
	}
	if in.FirstName, err = validPersonName("firstName", in.FirstName); err != nil {
		return nil, err
	}
	if in.LastName, err = validPersonName("lastName", in.LastName); err != nil {
		return nil, err
	}
	if err := guestConsistent(in.Role, in.IsGuest); err != nil {
		return nil, err
	}
	in.IsGuest = in.Role.IsGuest()
	if !p.IsPrivileged() {
		if in.Status != "" && in.Status != latchkey.UserPending {
			return nil, latchkey.Invalid([]any{"status"}, "value_error", "A new member starts pending until they first sign in.")
		}
		in.Status = latchkey.UserPending
		if level(in.Role) > level(p.Role) || in.Role == latchkey.RoleOwner {
			return nil, latchkey.Errorf(latchkey.EForbidden, "You cannot give a role above your own, and the owner role passes only by transfer.")
		}
	}
	if in.Status == "" {
		in.Status = latchkey.UserPending
	}
	if err := validStatus(in.Status); err != nil {
		return nil, err
	}
	now := s.clock()
	u := &latchkey.User{ID: newID(), WorkspaceID: p.WorkspaceID, Email: in.Email, FirstName: in.FirstName, LastName: in.LastName,
		Role: in.Role, Status: in.Status, IsGuest: in.IsGuest, CreatedAt: now, UpdatedAt: now}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
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
		return s.record(ctx, tx, p, "user.created", "user", u.ID, map[string]string{"role": string(u.Role), "status": string(u.Status)})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// guestConsistent refuses a member marked guest with a member's role. A
// guest role makes a guest whatever isGuest says.
func guestConsistent(role latchkey.Role, isGuest bool) error {
	if isGuest && !role.IsGuest() {
		return latchkey.Invalid([]any{"isGuest"}, "value_error", "isGuest must agree with the role: guests hold workspace_guest_user or workspace_guest_admin.")
	}
	return nil
}

// ReplaceUser sets every changeable attribute of a member (PUT).
func (s *Service) ReplaceUser(ctx context.Context, id string, in UserInput) (*latchkey.User, error) {
	role, isGuest := in.Role, in.IsGuest
	return s.UpdateUser(ctx, id, UserPatch{Email: &in.Email, FirstName: &in.FirstName, LastName: &in.LastName, Role: &role, IsGuest: &isGuest})
}

// UpdateUser changes a member (PATCH). The member's row stays locked for
// the change, so two admins changing one member at once both land, one
// after the other. Disabling a member deprovisions them as DeleteUser does.
func (s *Service) UpdateUser(ctx context.Context, id string, in UserPatch) (*latchkey.User, error) {
	p, err := authorize(ctx, authz.UpdateUser)
	if err != nil {
		return nil, err
	}
	if !validID(id) {
		return nil, notFound()
	}
	var u *latchkey.User
	err = s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if u, err = tx.User(ctx, p.WorkspaceID, id); err != nil {
			return err
		}
		from := *u
		changed, err := s.applyUserPatch(ctx, tx, p, u, in)
		if err != nil {
			return err
		}
		if len(changed) == 0 {
			return nil
		}
		u.UpdatedAt = s.clock()
		if err := tx.UpdateUser(ctx, u, from.Status); err != nil {
			return err
		}
		if u.Status == latchkey.UserDisabled && from.Status != latchkey.UserDisabled {
			if err := s.deprovision(ctx, tx, p, u); err != nil {
				return err
			}
		}
		tx.AfterCommit(func() { s.creds.forgetUser(u.WorkspaceID, u.ID) })
		return s.record(ctx, tx, p, "user.updated", "user", u.ID, map[string]string{"fields": strings.Join(changed, ","), "role": string(u.Role)})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// applyUserPatch checks and applies a change, including the role rules:
// a member can change only members at or below their own level, can give
// no role above it, and the owner role moves only by transfer — the owner
// naming another member owner, who takes it while the old owner becomes a
// super admin.
func (s *Service) applyUserPatch(ctx context.Context, tx *store.Tx, p *latchkey.Principal, u *latchkey.User, in UserPatch) ([]string, error) {
	var changed []string
	actor := p.Role
	if !p.IsPrivileged() && level(u.Role) > level(actor) {
		return nil, latchkey.Errorf(latchkey.EForbidden, "You cannot change a member whose role is above yours.")
	}
	if in.Email != nil {
		email, err := validEmail(*in.Email)
		if err != nil {
			return nil, err
		}
		if email != u.Email {
			u.Email = email
			changed = append(changed, "email")
		}
	}
	for _, f := range []struct {
		name string
		v    *string
		dst  *string
	}{{"firstName", in.FirstName, &u.FirstName}, {"lastName", in.LastName, &u.LastName}} {
		if f.v == nil {
			continue
		}
		v, err := validPersonName(f.name, *f.v)
		if err != nil {
			return nil, err
		}
		if v != *f.dst {
			*f.dst = v
			changed = append(changed, f.name)
		}
	}
	if in.Status != nil && *in.Status != u.Status {
		if err := validStatus(*in.Status); err != nil {
			return nil, err
		}
		if u.Role == latchkey.RoleOwner {
			return nil, latchkey.Errorf(latchkey.EConflict, "The owner stays live; transfer ownership before changing their status.")
		}
		u.Status = *in.Status
		changed = append(changed, "status")
	}
	role := u.Role
	if in.Role != nil {
		r, err := validRole(*in.Role)
		if err != nil {
			return nil, err
		}
		role = r
	}
	isGuest := role.IsGuest()
	if in.IsGuest != nil {
		isGuest = *in.IsGuest
	}
	if err := guestConsistent(role, isGuest); err != nil {
		return nil, err
	}
	if role == u.Role {
		return changed, nil
	}
	switch {
	case u.Role == latchkey.RoleOwner:
		return nil, latchkey.Errorf(latchkey.EConflict, "The owner keeps the role until ownership is transferred to another member.")
	case role == latchkey.RoleOwner:
		if !p.IsPrivileged() && actor != latchkey.RoleOwner {
			return nil, latchkey.Errorf(latchkey.EForbidden, "Only the owner can transfer ownership.")
		}
		if u.Status != latchkey.UserLive {
			return nil, latchkey.Errorf(latchkey.EConflict, "Ownership can only pass to a live member.")
		}
		if err := s.stepDownOwner(ctx, tx, p); err != nil {
			return nil, err
		}
	case !p.IsPrivileged() && level(role) > level(actor):
		return nil, latchkey.Errorf(latchkey.EForbidden, "You cannot give a role above your own.")
	}
	u.Role, u.IsGuest = role, role.IsGuest()
	return append(changed, "role"), nil
}

// stepDownOwner makes the current owner a super admin, the other half of a
// transfer.
func (s *Service) stepDownOwner(ctx context.Context, tx *store.Tx, p *latchkey.Principal) error {
	id, err := tx.OwnerID(ctx, p.WorkspaceID)
	if err != nil || id == "" {
		return err
	}
	old, err := tx.User(ctx, p.WorkspaceID, id)
	if err != nil {
		return err
	}
	old.Role, old.UpdatedAt = latchkey.RoleSuperAdmin, s.clock()
	if err := tx.UpdateUser(ctx, old, old.Status); err != nil {
		return err
	}
	tx.AfterCommit(func() { s.creds.forgetUser(old.WorkspaceID, old.ID) })
	return s.record(ctx, tx, p, "workspace.ownership.transferred", "user", old.ID, map[string]string{"from": old.ID})
}

// DeleteUser deprovisions a member: disabled at once, every API key and
// token ended, every item role and team place removed. Items the member
// was the last owner of pass to the workspace owner, so nothing is left
// without someone who can manage it. Deleting a disabled member again
// changes nothing.
func (s *Service) DeleteUser(ctx context.Context, id string) error {
	p, err := authorize(ctx, authz.DeleteUser)
	if err != nil {
		return err
	}
	if !validID(id) {
		return notFound()
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, p.WorkspaceID, id)
		if err != nil {
			return err
		}
		if u.Role == latchkey.RoleOwner {
			return latchkey.Errorf(latchkey.EConflict, "The owner cannot be deleted; transfer ownership first.")
		}
		if !p.IsPrivileged() && level(u.Role) > level(p.Role) {
			return latchkey.Errorf(latchkey.EForbidden, "You cannot remove a member whose role is above yours.")
		}
		if u.Status == latchkey.UserDisabled {
			return nil
		}
		from := u.Status
		u.Status, u.UpdatedAt = latchkey.UserDisabled, s.clock()
		if err := tx.UpdateUser(ctx, u, from); err != nil {
			return err
		}
		if err := s.deprovision(ctx, tx, p, u); err != nil {
			return err
		}
		if err := s.revokeSeats(ctx, tx, p, u); err != nil {
			return err
		}
		tx.AfterCommit(func() { s.creds.forgetUser(u.WorkspaceID, u.ID) })
		return nil
	})
}

func (s *Service) deprovision(ctx context.Context, tx *store.Tx, p *latchkey.Principal, u *latchkey.User) error {
	owned, err := tx.OwnedItems(ctx, p.WorkspaceID, u.ID)
	if err != nil {
		return err
	}
	if err := tx.Deprovision(ctx, p.WorkspaceID, u.ID, s.clock().UnixMicro()); err != nil {
		return err
	}
	orphans, err := tx.Ownerless(ctx, p.WorkspaceID, owned)
	if err != nil {
		return err
	}
	ownerID, err := tx.OwnerID(ctx, p.WorkspaceID)
	if err != nil {
		return err
	}
	if ownerID != "" && len(orphans) > 0 {
		if err := tx.GrantMany(ctx, p.WorkspaceID, orphans, latchkey.MemberUser, ownerID, latchkey.RankOwner, s.clock().UnixMicro(), p.UserID); err != nil {
			return err
		}
	}
	return s.record(ctx, tx, p, "user.deprovisioned", "user", u.ID, map[string]string{"reassignedItems": itoa(len(orphans))})
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

// SetUserRole changes a member's workspace role as the operator.
func (s *Service) SetUserRole(ctx context.Context, userID string, role latchkey.Role) error {
	_, err := s.UpdateUser(ctx, userID, UserPatch{Role: &role})
	return err
}

// SetUserStatus changes a member's status as the operator.
func (s *Service) SetUserStatus(ctx context.Context, userID string, status latchkey.UserStatus) error {
	_, err := s.UpdateUser(ctx, userID, UserPatch{Status: &status})
	return err
}
