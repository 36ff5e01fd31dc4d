package core

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/authz"
	"github.com/latchkeyhq/latchkey/internal/otp"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// AccountInput creates or changes an account; nil fields are left alone.
// An empty Password or TOTP clears it.
type AccountInput struct {
	VaultID         *string
	Application     *string
	Label           *string
	Username        *string
	Email           *string
	Phone           *string
	URL             *string
	Domain          *string
	AvatarURL       *string
	BusinessID      *string
	Status          *latchkey.AccountStatus
	Meta            map[string]any
	PasswordVisible *bool
	AutofillMFA     *bool
	Password        *string
	TOTP            *string

	// OwnerID names the first owner of an account the operator or the
	// system creates. Members always own what they create.
	OwnerID string
}

const (
	maxPasswordLength = 4096
	maxFieldLength    = 500
	maxMetaBytes      = 16 << 10
)

var applicationID = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)

// apply checks in and copies it onto a. Locations name the attributes as
// the API spells them.
func (in *AccountInput) apply(a *latchkey.Account) (changed []string, err error) {
	set := func(name string, dst *string, v *string, check func(string) error) error {
		if v == nil {
			return nil
		}
		s := strings.TrimSpace(*v)
		if err := plainText(name, s); err != nil {
			return err
		}
		if chars(s) > maxFieldLength {
			return latchkey.Invalid([]any{name}, "value_error.any_str.max_length", "ensure this value has at most 500 characters")
		}
		if check != nil && s != "" {
			if err := check(s); err != nil {
				return err
			}
		}
		if *dst != s {
			*dst = s
			changed = append(changed, name)
		}
		return nil
	}
	if in.Application != nil {
		app := strings.TrimSpace(*in.Application)
		if !applicationID.MatchString(app) {
			return nil, latchkey.Invalid([]any{"application"}, "value_error",
				"An application is 1 to 64 lower-case letters, digits, '.', '_' or '-', such as twitter or mailchimp.")
		}
		if a.Application != app {
			a.Application = app
			changed = append(changed, "application")
		}
	}
	if in.Label != nil {
		label := strings.TrimSpace(*in.Label)
		if err := plainText("label", label); err != nil {
			return nil, err
		}
		if label == "" || chars(label) > maxNameLength {
			return nil, latchkey.Invalid([]any{"label"}, "value_error", "A label is 1 to 200 characters.")
		}
		if a.Label != label {
			a.Label = label
			changed = append(changed, "label")
		}
	}
	checkURL := func(field string) func(string) error {
		return func(s string) error {
			u, err := url.Parse(s)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return latchkey.Invalid([]any{field}, "value_error.url", "invalid or missing URL scheme; use an http or https URL")
			}
			return nil
		}
	}
	checkEmail := func(s string) error {
		if !strings.Contains(s, "@") {
			return latchkey.Invalid([]any{"email"}, "value_error.email", "value is not a valid email address")
		}
		return nil
	}
	for _, f := range []struct {
		name  string
		dst   *string
		v     *string
		check func(string) error
	}{
		{"username", &a.Username, in.Username, nil},
		{"email", &a.Email, in.Email, checkEmail},
		{"phone", &a.Phone, in.Phone, nil},
		{"url", &a.URL, in.URL, checkURL("url")},
		{"domain", &a.Domain, in.Domain, nil},
		{"avatarUrl", &a.AvatarURL, in.AvatarURL, checkURL("avatarUrl")},
		{"businessId", &a.BusinessID, in.BusinessID, nil},
	} {
		if err := set(f.name, f.dst, f.v, f.check); err != nil {
			return nil, err
		}
	}
	if in.Status != nil {
		if *in.Status != latchkey.AccountEnabled && *in.Status != latchkey.AccountDisabled {
			return nil, latchkey.Invalid([]any{"status"}, "type_error.enum", "value is not a valid enumeration member; permitted: 'enabled', 'disabled'")
		}
		if a.Status != *in.Status {
			a.Status = *in.Status
			changed = append(changed, "status")
		}
	}
	if in.Meta != nil {
		b, err := json.Marshal(in.Meta)
		if err != nil || len(b) > maxMetaBytes {
			return nil, latchkey.Invalid([]any{"meta"}, "value_error", "meta is a JSON object of at most 16 KiB.")
		}
		a.Meta = in.Meta
		changed = append(changed, "meta")
	}
	for _, f := range []struct {
		name string
		dst  *bool
		v    *bool
	}{{"passwordVisible", &a.PasswordVisible, in.PasswordVisible}, {"autofillMfa", &a.AutofillMFA, in.AutofillMFA}} {
		if f.v != nil && *f.dst != *f.v {
			*f.dst = *f.v
			changed = append(changed, f.name)
		}
	}
	return changed, nil
}

// parseSecrets checks the password and TOTP seed of in before anything is
// written. The seed comes back parsed.
func (in *AccountInput) parseSecrets() (*otp.Seed, error) {
	if in.Password != nil && chars(*in.Password) > maxPasswordLength {
		return nil, latchkey.Invalid([]any{"password"}, "value_error.any_str.max_length", "ensure this value has at most 4096 characters")
	}
	if in.TOTP == nil || *in.TOTP == "" {
		return nil, nil
	}
	seed, err := otp.Parse(*in.TOTP)
	if err != nil {
		// otp's messages never echo the seed.
		return nil, latchkey.Invalid([]any{"totp"}, "value_error", err.Error())
	}
	return &seed, nil
}

// ListAccounts pages through the accounts the principal may see: for API
// keys only those its user owns.
func (s *Service) ListAccounts(ctx context.Context, f latchkey.AccountFilter) ([]*latchkey.Account, int, error) {
	p, err := authorize(ctx, authz.ListAccounts)
	if err != nil {
		return nil, 0, err
	}
	for i, st := range f.Statuses {
		if st != latchkey.AccountEnabled && st != latchkey.AccountDisabled {
			return nil, 0, latchkey.Invalid([]any{"filter[status]", i}, "type_error.enum", "value is not a valid enumeration member; permitted: 'enabled', 'disabled'")
		}
	}
	for i, id := range f.IDs {
		if !validID(id) {
			return nil, 0, latchkey.Invalid([]any{"ids", i}, "value_error.uuid", "value is not a valid uuid")
		}
	}
	switch f.Sort {
	case latchkey.SortCreated, latchkey.SortNewest, latchkey.SortAlphaAsc, latchkey.SortAlphaDesc, latchkey.SortRecentlyUsed:
	default:
		return nil, 0, latchkey.Invalid([]any{"sortBy"}, "type_error.enum", "unknown sort")
	}
	var (
		out   []*latchkey.Account
		total int
	)
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, total, err = tx.ListAccounts(ctx, p.WorkspaceID, visibility(p), f)
		return err
	})
	for _, a := range out {
		a.WorkspaceName = p.WorkspaceName
	}
	return out, total, err
}

// GetAccount reads one account the principal may see.
func (s *Service) GetAccount(ctx context.Context, id string) (*latchkey.Account, error) {
	p, err := authorize(ctx, authz.GetAccount)
	if err != nil {
		return nil, err
	}
	var a *latchkey.Account
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		a, err = s.visibleAccount(ctx, tx, p, id)
		return err
	})
	return a, err
}

// visibleAccount reads an account, answering 404 for one p may not see.
func (s *Service) visibleAccount(ctx context.Context, tx *store.Tx, p *latchkey.Principal, id string) (*latchkey.Account, error) {
	if !validID(id) {
		return nil, notFound()
	}
	a, err := tx.Account(ctx, p.WorkspaceID, id, p.UserID)
	if err != nil {
		return nil, err
	}
	if !authz.CanSee(p, a.Rank) {
		return nil, notFound()
	}
	a.WorkspaceName = p.WorkspaceName
	return a, nil
}

// managedAccount reads an account p may change, locking it.
func (s *Service) managedAccount(ctx context.Context, tx *store.Tx, p *latchkey.Principal, id string) (*latchkey.Account, error) {
	a, err := s.visibleAccount(ctx, tx, p, id)
	if err != nil {
		return nil, err
	}
	if !authz.CanManage(p, a.Rank) {
		return nil, latchkey.Errorf(latchkey.EForbidden, "Only the account's owners may change it.")
	}
	return a, nil
}

// CreateAccount stores a new account, sealing its password and TOTP seed.
// Its creator becomes its owner.
func (s *Service) CreateAccount(ctx context.Context, in AccountInput) (*latchkey.Account, error) {
	p, err := authorize(ctx, authz.CreateAccount)
	if err != nil {
		return nil, err
	}
	if in.Application == nil {
		return nil, latchkey.Invalid([]any{"application"}, "value_error.missing", "field required")
	}
	if in.Label == nil {
		return nil, latchkey.Invalid([]any{"label"}, "value_error.missing", "field required")
	}
	now := s.clock()
	a := &latchkey.Account{ID: newID(), WorkspaceID: p.WorkspaceID, WorkspaceName: p.WorkspaceName, Status: latchkey.AccountEnabled,
		CreatedAt: now, CreatedBy: p.UserID, CreatedByEmail: p.UserEmail, UpdatedAt: now, UpdatedBy: p.UserID, Rank: latchkey.RankOwner}
	if _, err := in.apply(a); err != nil {
		return nil, err
	}
	seed, err := in.parseSecrets()
	if err != nil {
		return nil, err
	}
	owner := p.UserID
	if p.IsPrivileged() {
		owner = in.OwnerID
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if err := s.insertAccount(ctx, tx, p, a, in, seed, owner, now); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "account.created", "account", a.ID, map[string]string{"application": a.Application})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// insertAccount stores a new account checked by in.apply, its secrets and
// its first owner's grant.
func (s *Service) insertAccount(ctx context.Context, tx *store.Tx, p *latchkey.Principal, a *latchkey.Account, in AccountInput, seed *otp.Seed, owner string, now time.Time) error {
	// The id is made inside the transaction, so ids follow commit order as
	// closely as the store allows: a cursor walking the list then meets
	// new accounts at its end.
	a.ID = newID()
	v, err := vaultForNewItem(ctx, tx, p.WorkspaceID, in.VaultID)
	if err != nil {
		return err
	}
	a.VaultID = v.ID
	if owner != "" {
		u, err := s.activeMember(ctx, tx, p.WorkspaceID, owner)
		if err != nil {
			return err
		}
		if p.IsPrivileged() {
			// Made on the owner's behalf: theirs, as far as the record goes.
			a.CreatedBy, a.CreatedByEmail, a.UpdatedBy = u.ID, u.Email, u.ID
		}
	}
	secretFlags(p, a, in.Password, in.TOTP, seed, now)
	if err := tx.CreateAccount(ctx, a); err != nil {
		return err
	}
	if err := s.writeAccountSecrets(ctx, tx, p, a, in.Password, in.TOTP, seed, now); err != nil {
		return err
	}
	if owner != "" {
		return tx.Grant(ctx, &latchkey.Grant{WorkspaceID: p.WorkspaceID, ItemType: latchkey.ItemAccount, ItemID: a.ID,
			MemberType: latchkey.MemberUser, MemberID: owner, Rank: latchkey.RankOwner, CreatedAt: now, CreatedBy: p.UserID})
	}
	return nil
}

// secretFlags updates the flags a password or seed change implies.
func secretFlags(p *latchkey.Principal, a *latchkey.Account, password, totp *string, seed *otp.Seed, now time.Time) {
	if password != nil {
		a.HasPassword = *password != ""
		a.LastPasswordChange = &now
		a.RotatedAt, a.RotatedBy, a.RotatedByID = &now, "manual_rotation", p.UserID
	}
	if totp != nil {
		a.HasTOTP = seed != nil
		a.MFATypes = slices.DeleteFunc(a.MFATypes, func(t string) bool { return t == "otp" })
		if a.HasTOTP {
			a.MFATypes = append(a.MFATypes, "otp")
		}
	}
}

// writeAccountSecrets seals and stores new versions, or clears them.
func (s *Service) writeAccountSecrets(ctx context.Context, tx *store.Tx, p *latchkey.Principal, a *latchkey.Account, password, totp *string, seed *otp.Seed, now time.Time) error {
	if password != nil {
		if *password == "" {
			if err := tx.DeleteAccountSecrets(ctx, a.WorkspaceID, a.ID, latchkey.SecretPassword); err != nil {
				return err
			}
		} else if err := s.addAccountSecret(ctx, tx, p, a, latchkey.SecretPassword, []byte(*password), now); err != nil {
			return err
		}
	}
	if totp != nil {
		if seed == nil {
			return tx.DeleteAccountSecrets(ctx, a.WorkspaceID, a.ID, latchkey.SecretTOTP)
		}
		b, err := seed.MarshalBinary()
		if err != nil {
			return err
		}
		return s.addAccountSecret(ctx, tx, p, a, latchkey.SecretTOTP, b, now)
	}
	return nil
}

func (s *Service) addAccountSecret(ctx context.Context, tx *store.Tx, p *latchkey.Principal, a *latchkey.Account, typ latchkey.SecretType, plain []byte, now time.Time) error {
	sec := &latchkey.AccountSecret{ID: newID(), WorkspaceID: a.WorkspaceID, AccountID: a.ID, Type: typ, CreatedAt: now, CreatedBy: p.UserID}
	ct, err := s.seal(ctx, tx, a.WorkspaceID, "account_secrets", sec.ID, string(typ), plain)
	if err != nil {
		return err
	}
	return tx.AddAccountSecret(ctx, sec, ct)
}

// UpdateAccount changes an account the principal owns. A new password or
// seed is stored as a new version.
func (s *Service) UpdateAccount(ctx context.Context, id string, in AccountInput) (*latchkey.Account, error) {
	p, err := authorize(ctx, authz.UpdateAccount)
	if err != nil {
		return nil, err
	}
	seed, err := in.parseSecrets()
	if err != nil {
		return nil, err
	}
	var a *latchkey.Account
	err = s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if a, err = s.managedAccount(ctx, tx, p, id); err != nil {
			return err
		}
		changed, err := in.apply(a)
		if err != nil {
			return err
		}
		if in.VaultID != nil && *in.VaultID != a.VaultID {
			v, err := vaultForNewItem(ctx, tx, p.WorkspaceID, in.VaultID)
			if err != nil {
				return err
			}
			a.VaultID = v.ID
			changed = append(changed, "vaultId")
		}
		now := s.clock()
		if in.Password != nil {
			changed = append(changed, "password")
		}
		if in.TOTP != nil {
			changed = append(changed, "totp")
		}
		secretFlags(p, a, in.Password, in.TOTP, seed, now)
		a.UpdatedAt, a.UpdatedBy = now, p.UserID
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		if err := s.writeAccountSecrets(ctx, tx, p, a, in.Password, in.TOTP, seed, now); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "account.updated", "account", a.ID, map[string]string{"fields": strings.Join(changed, ",")})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// DeleteAccount removes an account the principal owns, with its secrets.
func (s *Service) DeleteAccount(ctx context.Context, id string) error {
	p, err := authorize(ctx, authz.DeleteAccount)
	if err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		a, err := s.managedAccount(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteAccount(ctx, p.WorkspaceID, a.ID); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "account.deleted", "account", a.ID, map[string]string{"application": a.Application, "label": a.Label})
	})
}

// revealTarget reads an account whose password or TOTP code p may read,
// with its current secret of that type, answering 404 for an account p may
// not see and 403 for one whose secrets p's roles keep hidden.
func (s *Service) revealTarget(ctx context.Context, tx *store.Tx, p *latchkey.Principal, id string, typ latchkey.SecretType) (*store.Reveal, error) {
	if !validID(id) {
		return nil, notFound()
	}
	r, err := tx.RevealTarget(ctx, p.WorkspaceID, id, p.UserID, typ)
	if err != nil {
		return nil, err
	}
	if !authz.CanSee(p, r.Rank) {
		return nil, notFound()
	}
	if !authz.CanRevealAccount(p, r.Rank, r.PasswordVisible) {
		return nil, latchkey.Errorf(latchkey.EForbidden, "Your role on this account does not let you read its password or code.")
	}
	return r, nil
}

// AccountPasswords returns the account's current password as the one-item
// list the vendor's API pages. The read is recorded, and counts as the
// account's last login, in a transaction that commits before the password
// is returned; reads from many requests share one commit.
func (s *Service) AccountPasswords(ctx context.Context, id string, page latchkey.Page) ([]*latchkey.AccountSecret, int, error) {
	p, err := authorize(ctx, authz.ReadAccountSecrets)
	if err != nil {
		return nil, 0, err
	}
	var r *store.Reveal
	var plain []byte
	err = s.db.View(ctx, func(tx *store.Tx) error {
		if r, err = s.revealTarget(ctx, tx, p, id, latchkey.SecretPassword); err != nil || r.Secret == nil {
			return err
		}
		if page.Offset() >= 1 {
			return nil
		}
		plain, err = s.open(ctx, tx, p.WorkspaceID, "account_secrets", r.Secret.ID, string(latchkey.SecretPassword), r.Ciphertext)
		return err
	})
	if err != nil || r.Secret == nil {
		return nil, 0, err
	}
	now := s.clock()
	err = s.db.UpdateBatched(ctx, func(tx *store.Tx) error {
		// Recording a sign-in again within a minute by the same person
		// adds nothing but a write.
		if r.LastLoginAt == nil || now.Sub(*r.LastLoginAt) >= time.Minute || r.LastLoginBy != p.UserName {
			if err := tx.TouchAccountLogin(ctx, p.WorkspaceID, r.AccountID, now, p.UserName); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, p, "account.password.read", "account", r.AccountID, nil)
	})
	if err != nil || plain == nil {
		return nil, 1, err
	}
	r.Secret.Value = string(plain)
	return []*latchkey.AccountSecret{r.Secret}, 1, nil
}

// AccountTOTP returns the account's current TOTP code. The seed itself is
// never returned; the read is recorded as AccountPasswords records one.
func (s *Service) AccountTOTP(ctx context.Context, id string) (*latchkey.TOTPCode, error) {
	p, err := authorize(ctx, authz.ReadAccountTOTP)
	if err != nil {
		return nil, err
	}
	var code *latchkey.TOTPCode
	err = s.db.View(ctx, func(tx *store.Tx) error {
		r, err := s.revealTarget(ctx, tx, p, id, latchkey.SecretTOTP)
		if err != nil {
			return err
		}
		if r.Secret == nil {
			return latchkey.Errorf(latchkey.ENotFound, "The account has no TOTP seed.")
		}
		plain, err := s.open(ctx, tx, p.WorkspaceID, "account_secrets", r.Secret.ID, string(latchkey.SecretTOTP), r.Ciphertext)
		if err != nil {
			return err
		}
		var seed otp.Seed
		if err := seed.UnmarshalBinary(plain); err != nil {
			return latchkey.Wrap(err, latchkey.EInternal, "The stored TOTP seed cannot be read.")
		}
		now := s.now()
		c, expires, err := seed.Code(now)
		if err != nil {
			return err
		}
		code = &latchkey.TOTPCode{AccountID: r.AccountID, Code: c, Digits: seed.Digits, Period: seed.Period,
			Algorithm: string(seed.Algorithm), ExpiresAt: expires.UTC(), ValidFor: expires.Sub(now)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = s.db.UpdateBatched(ctx, func(tx *store.Tx) error {
		return s.record(ctx, tx, p, "account.totp.read", "account", code.AccountID, nil)
	})
	if err != nil {
		return nil, err
	}
	return code, nil
}

// activeMember checks that id names a member of the workspace who is not
// disabled, for grants and ownership.
func (s *Service) activeMember(ctx context.Context, tx *store.Tx, workspaceID, id string) (*latchkey.User, error) {
	if !validID(id) {
		return nil, latchkey.Invalid([]any{"id"}, "value_error.uuid", "value is not a valid uuid")
	}
	u, err := tx.User(ctx, workspaceID, id)
	if latchkey.IsCode(err, latchkey.ENotFound) {
		return nil, latchkey.Invalid([]any{"id"}, "value_error", "No user with this id is in the workspace.")
	}
	if err != nil {
		return nil, err
	}
	if u.Status == latchkey.UserDisabled {
		return nil, latchkey.Invalid([]any{"id"}, "value_error", "The user is disabled.")
	}
	return u, nil
}
