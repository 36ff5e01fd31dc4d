package core

import (
	"context"
	"strings"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/authz"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// VaultInput creates or changes a vault; nil fields are left alone.
type VaultInput struct {
	Name   *string
	Scheme *latchkey.VaultScheme
	State  *latchkey.VaultState
}

func validVaultName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if err := plainText("name", name); err != nil {
		return "", err
	}
	if name == "" || chars(name) > maxNameLength {
		return "", latchkey.Invalid([]any{"name"}, "value_error", "A vault name is 1 to 200 characters.")
	}
	return name, nil
}

func validVaultState(st latchkey.VaultState) error {
	if st != latchkey.VaultEnabled && st != latchkey.VaultDisabled {
		return latchkey.Invalid([]any{"state"}, "type_error.enum", "The state must be enabled or disabled.")
	}
	return nil
}

// ListVaults pages through the workspace's vaults. Admins only.
func (s *Service) ListVaults(ctx context.Context, page latchkey.Page) ([]*latchkey.Vault, int, error) {
	p, err := authorize(ctx, authz.ListVaults)
	if err != nil {
		return nil, 0, err
	}
	var (
		out   []*latchkey.Vault
		total int
	)
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		out, total, err = tx.ListVaults(ctx, p.WorkspaceID, page)
		return err
	})
	return out, total, err
}

// GetVault reads one vault. Admins only.
func (s *Service) GetVault(ctx context.Context, id string) (*latchkey.Vault, error) {
	p, err := authorize(ctx, authz.GetVault)
	if err != nil {
		return nil, err
	}
	if !validID(id) {
		return nil, notFound()
	}
	var v *latchkey.Vault
	err = s.db.View(ctx, func(tx *store.Tx) (err error) {
		v, err = tx.Vault(ctx, p.WorkspaceID, id)
		return err
	})
	return v, err
}

// CreateVault adds a vault sealed by the server's key. Admins only.
func (s *Service) CreateVault(ctx context.Context, in VaultInput) (*latchkey.Vault, error) {
	p, err := authorize(ctx, authz.CreateVault)
	if err != nil {
		return nil, err
	}
	if in.Name == nil {
		return nil, latchkey.Invalid([]any{"name"}, "value_error.missing", "field required")
	}
	name, err := validVaultName(*in.Name)
	if err != nil {
		return nil, err
	}
	if in.Scheme != nil && *in.Scheme != latchkey.VaultKMSBYO {
		return nil, latchkey.Invalid([]any{"scheme"}, "type_error.enum",
			"Only kms_byo vaults can be created: this server seals them with the key-encryption key its operator brings.")
	}
	state := latchkey.VaultEnabled
	if in.State != nil {
		if err := validVaultState(*in.State); err != nil {
			return nil, err
		}
		state = *in.State
	}
	now := s.clock()
	v := &latchkey.Vault{ID: newID(), WorkspaceID: p.WorkspaceID, Name: name, Scheme: latchkey.VaultKMSBYO, State: state,
		CreatedBy: p.UserID, CreatedByType: "user", CreatedAt: now, UpdatedAt: now}
	if p.IsPrivileged() {
		v.CreatedByType = "system"
	}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CreateVault(ctx, v); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "vault.created", "vault", v.ID, map[string]string{"name": name})
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// UpdateVault renames a vault or turns it on or off. A disabled vault keeps
// its items readable but takes no new ones. Admins only.
func (s *Service) UpdateVault(ctx context.Context, id string, in VaultInput) (*latchkey.Vault, error) {
	p, err := authorize(ctx, authz.UpdateVault)
	if err != nil {
		return nil, err
	}
	if !validID(id) {
		return nil, notFound()
	}
	if in.Scheme != nil {
		return nil, latchkey.Invalid([]any{"scheme"}, "value_error", "A vault's scheme cannot change.")
	}
	var v *latchkey.Vault
	err = s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if v, err = tx.Vault(ctx, p.WorkspaceID, id); err != nil {
			return err
		}
		var changed []string
		if in.Name != nil {
			if v.Name, err = validVaultName(*in.Name); err != nil {
				return err
			}
			changed = append(changed, "name")
		}
		if in.State != nil {
			if err := validVaultState(*in.State); err != nil {
				return err
			}
			v.State = *in.State
			changed = append(changed, "state")
		}
		v.UpdatedAt = s.clock()
		if err := tx.UpdateVault(ctx, v); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "vault.updated", "vault", v.ID, map[string]string{"fields": strings.Join(changed, ",")})
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// vaultForNewItem resolves the vault a new item goes in: the one named, or
// the workspace's default. It must exist and be enabled.
func vaultForNewItem(ctx context.Context, tx *store.Tx, workspaceID string, id *string) (*latchkey.Vault, error) {
	var (
		v   *latchkey.Vault
		err error
	)
	if id == nil {
		v, err = tx.DefaultVault(ctx, workspaceID)
		if latchkey.IsCode(err, latchkey.ENotFound) {
			return nil, latchkey.Invalid([]any{"vaultId"}, "value_error.missing", "The workspace has no default vault; name one.")
		}
	} else {
		if !validID(*id) {
			return nil, latchkey.Invalid([]any{"vaultId"}, "value_error.uuid", "value is not a valid uuid")
		}
		v, err = tx.Vault(ctx, workspaceID, *id)
		if latchkey.IsCode(err, latchkey.ENotFound) {
			return nil, latchkey.Invalid([]any{"vaultId"}, "value_error", "No vault with this id is in the workspace.")
		}
	}
	if err != nil {
		return nil, err
	}
	if v.State != latchkey.VaultEnabled {
		return nil, latchkey.Errorf(latchkey.EConflict, "The vault %q is disabled and takes no new items.", v.Name)
	}
	return v, nil
}
