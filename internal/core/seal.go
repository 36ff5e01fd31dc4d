package core

import (
	"context"
	"fmt"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/keyring"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// sealer returns the workspace's data key, loading it on first use. The
// key is read through tx, the caller's transaction, when there is one: a
// write transaction already holds a connection, and asking the pool for a
// second while every connection is held that way would wait forever.
func (s *Service) sealer(ctx context.Context, tx *store.Tx, workspaceID string) (*keyring.Sealer, error) {
	return s.keys.Sealer(ctx, workspaceID, func(ctx context.Context) ([]byte, error) {
		if tx != nil {
			return tx.WorkspaceKey(ctx, workspaceID)
		}
		var wrapped []byte
		err := s.db.View(ctx, func(tx *store.Tx) (err error) {
			wrapped, err = tx.WorkspaceKey(ctx, workspaceID)
			return err
		})
		return wrapped, err
	})
}

// seal encrypts one field value bound to its workspace, table, row and field.
func (s *Service) seal(ctx context.Context, tx *store.Tx, workspaceID, table, row, field string, plaintext []byte) ([]byte, error) {
	sl, err := s.sealer(ctx, tx, workspaceID)
	if err != nil {
		return nil, latchkey.Wrap(err, latchkey.EInternal, "The workspace's data key is not available.")
	}
	return sl.Seal(plaintext, keyring.AD{Workspace: workspaceID, Table: table, Row: row, Field: field})
}

// open decrypts what seal sealed with the same binding.
func (s *Service) open(ctx context.Context, tx *store.Tx, workspaceID, table, row, field string, ciphertext []byte) ([]byte, error) {
	sl, err := s.sealer(ctx, tx, workspaceID)
	if err != nil {
		return nil, latchkey.Wrap(err, latchkey.EInternal, "The workspace's data key is not available.")
	}
	plain, err := sl.Open(ciphertext, keyring.AD{Workspace: workspaceID, Table: table, Row: row, Field: field})
	if err != nil {
		// A ciphertext that does not open was tampered with or moved: never
		// serve something else in its place.
		return nil, latchkey.Wrap(err, latchkey.EInternal, "A stored value could not be decrypted.")
	}
	return plain, nil
}

// CheckKeys makes sure the key-encryption key opens the store's data keys.
// Starting with the wrong key, or a freshly generated one over an existing
// store, would otherwise only show at the first read of a password.
func (s *Service) CheckKeys(ctx context.Context) error {
	var w *latchkey.Workspace
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		w, err = tx.FirstWorkspace(ctx)
		return err
	})
	if latchkey.IsCode(err, latchkey.ENotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := s.sealer(ctx, nil, w.ID); err != nil {
		return fmt.Errorf("the key-encryption key does not open this store's data keys (%w); start with the key the store was created with", err)
	}
	return nil
}
