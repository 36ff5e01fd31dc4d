package core

import (
	"context"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// DefaultVaultName names the vault every workspace starts with.
const DefaultVaultName = "Default vault"

// OperatorContext returns ctx acting as the operator inside the named
// workspace: the admin command line's way in.
func (s *Service) OperatorContext(ctx context.Context, workspace string) (context.Context, error) {
	return s.privilegedContext(ctx, workspace, latchkey.CredentialOperator, "operator")
}

// SystemContext returns ctx acting as the server itself inside the named
// workspace, for work no person asked for (demo seeding, later jobs).
func (s *Service) SystemContext(ctx context.Context, workspace string) (context.Context, error) {
	return s.privilegedContext(ctx, workspace, latchkey.CredentialSystem, "system")
}

func (s *Service) privilegedContext(ctx context.Context, workspace string, kind latchkey.CredentialKind, name string) (context.Context, error) {
	var w *latchkey.Workspace
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		w, err = tx.WorkspaceByName(ctx, strings.ToLower(strings.TrimSpace(workspace)))
		return err
	})
	if latchkey.IsCode(err, latchkey.ENotFound) {
		return nil, latchkey.Errorf(latchkey.ENotFound, "No workspace is named %q.", workspace)
	}
	if err != nil {
		return nil, err
	}
	return latchkey.NewContext(ctx, &latchkey.Principal{
		WorkspaceID: w.ID, WorkspaceName: w.Name, UserName: name, Kind: kind, Role: latchkey.RoleOwner,
	}), nil
}

// CreateWorkspace makes an empty workspace with its data key and default
// vault, in one transaction. tokenTTL 0 means the default hour. Only the
// operator does this, from the command line.
func (s *Service) CreateWorkspace(ctx context.Context, name string, tokenTTL time.Duration) (*latchkey.Workspace, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if !latchkey.ValidWorkspaceName(name) {
		return nil, latchkey.Invalid([]any{"name"}, "value_error",
			"A workspace name is 1 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit.")
	}
	if tokenTTL == 0 {
		tokenTTL = latchkey.DefaultTokenTTL
	}
	if err := validTokenTTL(tokenTTL); err != nil {
		return nil, err
	}
	now := s.clock()
	w := &latchkey.Workspace{ID: newID(), Name: name, TokenTTL: tokenTTL.Truncate(time.Second), CreatedAt: now, UpdatedAt: now}
	wrapped, err := s.keys.NewWorkspaceKey(w.ID)
	if err != nil {
		return nil, latchkey.Wrap(err, latchkey.EInternal, "The workspace's data key could not be made.")
	}
	p := &latchkey.Principal{WorkspaceID: w.ID, WorkspaceName: name, UserName: "operator", Kind: latchkey.CredentialOperator}
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CreateWorkspace(ctx, w, "1", wrapped); err != nil {
			if latchkey.IsCode(err, latchkey.EConflict) {
				return latchkey.Errorf(latchkey.EConflict, "A workspace named %q already exists.", name)
			}
			return err
		}
		v := &latchkey.Vault{ID: newID(), WorkspaceID: w.ID, Name: DefaultVaultName, Scheme: latchkey.VaultKMSBYO,
			State: latchkey.VaultEnabled, IsDefault: true, CreatedByType: "system", CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateVault(ctx, v); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "workspace.created", "workspace", w.ID, map[string]string{"name": name})
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// IsEmpty reports whether the store holds no workspace yet, which is when
// the demo may seed one.
func (s *Service) IsEmpty(ctx context.Context) (bool, error) {
	var n int
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		n, err = tx.CountWorkspaces(ctx)
		return err
	})
	return n == 0, err
}

// MinTokenTTL is the shortest lifetime a workspace may give its tokens.
const MinTokenTTL = time.Minute

func validTokenTTL(ttl time.Duration) error {
	if ttl < MinTokenTTL || ttl > MaxTokenTTL {
		return latchkey.Invalid([]any{"tokenTtl"}, "value_error", "A token lifetime is between one minute and 30 days.")
	}
	return nil
}

// SetTokenTTL sets how long new bearer tokens of the principal's workspace
// last. Operator only; tokens already issued keep their expiry.
func (s *Service) SetTokenTTL(ctx context.Context, ttl time.Duration) (*latchkey.Workspace, error) {
	p, ok := latchkey.FromContext(ctx)
	if !ok || !p.IsPrivileged() {
		return nil, latchkey.Errorf(latchkey.EForbidden, "Only the operator can change workspace settings.")
	}
	if err := validTokenTTL(ttl); err != nil {
		return nil, err
	}
	var w *latchkey.Workspace
	err := s.db.Update(ctx, func(tx *store.Tx) (err error) {
		if w, err = tx.WorkspaceByID(ctx, p.WorkspaceID); err != nil {
			return err
		}
		from := w.TokenTTL
		w.TokenTTL, w.UpdatedAt = ttl.Truncate(time.Second), s.clock()
		if err := tx.UpdateWorkspace(ctx, w); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "workspace.updated", "workspace", w.ID, map[string]string{"tokenTtl": w.TokenTTL.String(), "was": from.String()})
	})
	return w, err
}
