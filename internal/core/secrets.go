package core

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/authz"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// SecretInput creates or changes a secret; nil fields are left alone.
type SecretInput struct {
	VaultID                   *string
	Title                     *string
	Category                  *latchkey.SecretCategory
	RequiresIdentityChallenge *bool
	Body                      *string
	Status                    *latchkey.SecretStatus
	// ExpiresAt sets the expiry; ClearExpiry removes it.
	ExpiresAt   *time.Time
	ClearExpiry bool

	// OwnerID names the first owner of a secret the operator or the system
	// creates. Members always own what they create.
	OwnerID string
}

func (in *SecretInput) apply(sec *latchkey.Secret, now time.Time) (changed []string, err error) {
	if in.Title != nil {
		title := strings.TrimSpace(*in.Title)
		if err := plainText("title", title); err != nil {
			return nil, err
		}
		if title == "" || chars(title) > maxNameLength {
			return nil, latchkey.Invalid([]any{"title"}, "value_error", "A title is 1 to 200 characters.")
		}
		sec.Title = title
		changed = append(changed, "title")
	}
	if in.Category != nil {
		ok := false
		for _, c := range latchkey.SecretCategories {
			ok = ok || c == *in.Category
		}
		if !ok {
			return nil, latchkey.Invalid([]any{"category"}, "type_error.enum", "value is not a valid enumeration member; permitted: 'text', 'wifi_password', 'ssh_key', 'database', 'server', 'software_license', 'custom'")
		}
		sec.Category = *in.Category
		changed = append(changed, "category")
	}
	if in.RequiresIdentityChallenge != nil {
		sec.RequiresIdentityChallenge = *in.RequiresIdentityChallenge
		changed = append(changed, "requiresIdentityChallenge")
	}
	if in.Status != nil {
		if *in.Status != latchkey.SecretActive && *in.Status != latchkey.SecretDisabled {
			return nil, latchkey.Invalid([]any{"status"}, "type_error.enum", "value is not a valid enumeration member; permitted: 'active', 'disabled'")
		}
		sec.Status = *in.Status
		changed = append(changed, "status")
	}
	if in.ClearExpiry {
		sec.ExpiresAt = nil
		changed = append(changed, "expiresAt")
	} else if in.ExpiresAt != nil {
		t := latchkey.Truncate(*in.ExpiresAt)
		if !t.After(now) {
			return nil, latchkey.Invalid([]any{"expiresAt"}, "value_error", "The expiry must be in the future.")
		}
		sec.ExpiresAt = &t
		changed = append(changed, "expiresAt")
	}
	if sec.ExpiresAt != nil && sec.Category != latchkey.SecretText {
		return nil, latchkey.Invalid([]any{"expiresAt"}, "value_error", "Only text secrets can expire.")
	}
	if in.Body != nil {
		if utf8.RuneCountInString(*in.Body) > latchkey.MaxSecretBody {
			return nil, latchkey.Invalid([]any{"body", "value"}, "value_error.any_str.max_length", "ensure this value has at most 45000 characters")
		}
		changed = append(changed, "body")
	}
	return changed, nil
}

// expired reports whether a secret's expiry has passed. An expired secret
// stays listed, as disabled, so its owner can renew or delete it, but its
// body is no longer served.
func expired(sec *latchkey.Secret, now time.Time) bool {
	return sec.ExpiresAt != nil && !now.Before(*sec.ExpiresAt)
}

func present(sec *latchkey.Secret, p *latchkey.Principal, now time.Time) {
	sec.WorkspaceName = p.WorkspaceName
	if expired(sec, now) {
		sec.Status = latchkey.SecretDisabled
	}
}

// ListSecrets pages through the secrets the principal may see.
func (s *Service) ListSecrets(ctx context.Context, page latchkey.Page) ([]*latchkey.Secret, int, error) {
	p, err := authorize(ctx, authz.ListSecrets)
	if err != nil {
		return nil, 0, err
	}
	var (
		out   []*latchkey.Secret
		total int
	)
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, total, err = tx.ListSecrets(ctx, p.WorkspaceID, visibility(p), page)
		return err
	})
	now := s.clock()
	for _, sec := range out {
		present(sec, p, now)
	}
	return out, total, err
}

func (s *Service) visibleSecret(ctx context.Context, tx *store.Tx, p *latchkey.Principal, id string) (*latchkey.Secret, error) {
	if !validID(id) {
		return nil, notFound()
	}
	sec, err := tx.Secret(ctx, p.WorkspaceID, id, p.UserID)
	if err != nil {
		return nil, err
	}
	if !authz.CanSee(p, sec.Rank) {
		return nil, notFound()
	}
	return sec, nil
}

func (s *Service) managedSecret(ctx context.Context, tx *store.Tx, p *latchkey.Principal, id string) (*latchkey.Secret, error) {
	sec, err := s.visibleSecret(ctx, tx, p, id)
	if err != nil {
		return nil, err
	}
	if !authz.CanManage(p, sec.Rank) {
		return nil, latchkey.Errorf(latchkey.EForbidden, "Only the secret's owners may change or share it.")
	}
	return sec, nil
}

// GetSecret reads a secret with its body; the read is recorded.
func (s *Service) GetSecret(ctx context.Context, id string) (*latchkey.Secret, error) {
	p, err := authorize(ctx, authz.GetSecret)
	if err != nil {
		return nil, err
	}
	var sec *latchkey.Secret
	err = s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if sec, err = s.visibleSecret(ctx, tx, p, id); err != nil {
			return err
		}
		if !authz.CanRevealSecret(p, sec.Rank) {
			return latchkey.Errorf(latchkey.EForbidden, "Your workspace role does not let you read secrets.")
		}
		if expired(sec, s.clock()) {
			return latchkey.Errorf(latchkey.ENotFound, "The secret has expired.")
		}
		ct, err := tx.SecretBody(ctx, p.WorkspaceID, sec.ID, sec.Version)
		if err != nil {
			return err
		}
		plain, err := s.open(ctx, tx, p.WorkspaceID, "secret_versions", sec.VersionID, "body", ct)
		if err != nil {
			return err
		}
		body := string(plain)
		sec.Body = &body
		return s.record(ctx, tx, p, "secret.body.read", "secret", sec.ID, nil)
	})
	if err != nil {
		return nil, err
	}
	present(sec, p, s.clock())
	return sec, nil
}

// CreateSecret stores a new secret in a vault; its creator owns it.
func (s *Service) CreateSecret(ctx context.Context, in SecretInput) (*latchkey.Secret, error) {
	p, err := authorize(ctx, authz.CreateSecret)
	if err != nil {
		return nil, err
	}
	var sec *latchkey.Secret
	err = s.db.Update(ctx, func(tx *store.Tx) (err error) {
		sec, err = s.createSecret(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	present(sec, p, s.clock())
	return sec, nil
}

func (s *Service) createSecret(ctx context.Context, tx *store.Tx, p *latchkey.Principal, in SecretInput) (*latchkey.Secret, error) {
	if in.Status != nil {
		return nil, latchkey.Invalid([]any{"status"}, "extra_forbidden", "A new secret is always active; set its status afterwards.")
	}
	if in.ClearExpiry {
		in.ClearExpiry = false // a null expiry on create is no expiry
	}
	for _, req := range []struct {
		missing bool
		loc     []any
	}{
		{in.VaultID == nil, []any{"vaultId"}},
		{in.Title == nil, []any{"title"}},
		{in.RequiresIdentityChallenge == nil, []any{"requiresIdentityChallenge"}},
		{in.Body == nil, []any{"body"}},
		{in.Category == nil, []any{"category"}},
	} {
		if req.missing {
			return nil, latchkey.Invalid(req.loc, "value_error.missing", "field required")
		}
	}
	now := s.clock()
	sec := &latchkey.Secret{ID: newID(), WorkspaceID: p.WorkspaceID, Status: latchkey.SecretActive, EventName: "create",
		Version: 0, VersionID: newID(), CreatedAt: now, CreatedBy: p.UserID, UpdatedAt: now, UpdatedBy: p.UserID, Rank: latchkey.RankOwner}
	if _, err := in.apply(sec, now); err != nil {
		return nil, err
	}
	v, err := vaultForNewItem(ctx, tx, p.WorkspaceID, in.VaultID)
	if err != nil {
		return nil, err
	}
	sec.ID = newID() // made inside the transaction: see CreateAccount
	sec.VaultID = v.ID
	owner := p.UserID
	if p.IsPrivileged() {
		owner = in.OwnerID
		if owner != "" {
			// Made on the owner's behalf: theirs, as far as the record goes.
			sec.CreatedBy, sec.UpdatedBy = owner, owner
		}
	}
	if owner != "" {
		if _, err := s.activeMember(ctx, tx, p.WorkspaceID, owner); err != nil {
			return nil, err
		}
	}
	ct, err := s.seal(ctx, tx, p.WorkspaceID, "secret_versions", sec.VersionID, "body", []byte(*in.Body))
	if err != nil {
		return nil, err
	}
	if err := tx.CreateSecret(ctx, sec, ct); err != nil {
		return nil, err
	}
	if owner != "" {
		if err := tx.Grant(ctx, &latchkey.Grant{WorkspaceID: p.WorkspaceID, ItemType: latchkey.ItemSecret, ItemID: sec.ID,
			MemberType: latchkey.MemberUser, MemberID: owner, Rank: latchkey.RankOwner, CreatedAt: now, CreatedBy: p.UserID}); err != nil {
			return nil, err
		}
	}
	if err := s.record(ctx, tx, p, "secret.created", "secret", sec.ID, map[string]string{"category": string(sec.Category)}); err != nil {
		return nil, err
	}
	return sec, nil
}

// UpdateSecret changes a secret the principal owns; a new body becomes a
// new version.
func (s *Service) UpdateSecret(ctx context.Context, id string, in SecretInput) (*latchkey.Secret, error) {
	p, err := authorize(ctx, authz.UpdateSecret)
	if err != nil {
		return nil, err
	}
	if in.VaultID != nil {
		return nil, latchkey.Invalid([]any{"vaultId"}, "value_error", "A secret cannot move to another vault.")
	}
	var sec *latchkey.Secret
	err = s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if sec, err = s.managedSecret(ctx, tx, p, id); err != nil {
			return err
		}
		now := s.clock()
		changed, err := in.apply(sec, now)
		if err != nil {
			return err
		}
		sec.UpdatedAt, sec.UpdatedBy, sec.EventName = now, p.UserID, "update"
		var ct []byte
		if in.Body != nil {
			sec.Version++
			sec.VersionID = newID()
			if ct, err = s.seal(ctx, tx, p.WorkspaceID, "secret_versions", sec.VersionID, "body", []byte(*in.Body)); err != nil {
				return err
			}
		}
		if err := tx.UpdateSecret(ctx, sec, ct); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "secret.updated", "secret", sec.ID, map[string]string{"fields": strings.Join(changed, ",")})
	})
	if err != nil {
		return nil, err
	}
	present(sec, p, s.clock())
	return sec, nil
}

// DeleteSecret removes a secret the principal owns, with every version.
func (s *Service) DeleteSecret(ctx context.Context, id string) error {
	p, err := authorize(ctx, authz.DeleteSecret)
	if err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *store.Tx) error {
		sec, err := s.managedSecret(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteSecret(ctx, p.WorkspaceID, sec.ID); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "secret.deleted", "secret", sec.ID, map[string]string{"title": sec.Title})
	})
}
