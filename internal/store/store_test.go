package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/store"
	"github.com/latchkeyhq/latchkey/internal/testdb"
)

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func TestMigrateIsIdempotentAndConcurrent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, cfg store.Config) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// Several processes starting together on one store must not race:
		// here several pools stand in for several replicas.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := store.Open(ctx, cfg)
				if err != nil {
					errs[i] = err
					return
				}
				defer db.Close()
				errs[i] = db.Migrate(ctx)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
		}
		db := testdb.Open(t, cfg)
		ok, err := db.Migrated(ctx)
		if err != nil || !ok {
			t.Fatalf("Migrated() = %v, %v; want true, nil", ok, err)
		}
	})
}

func TestDuplicateUserEmailIsConflict(t *testing.T) {
	testdb.Each(t, func(t *testing.T, cfg store.Config) {
		ctx := context.Background()
		db := testdb.Open(t, cfg)
		now := latchkey.Truncate(time.Now())
		ws := &latchkey.Workspace{ID: newID(), Name: "acme", TokenTTL: time.Hour, CreatedAt: now, UpdatedAt: now}
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.CreateWorkspace(ctx, ws, "k1", []byte("wrapped")); err != nil {
				return err
			}
			return tx.CreateUser(ctx, &latchkey.User{WorkspaceID: ws.ID, ID: newID(), Email: "Ann@example.com", Role: latchkey.RoleOwner, Status: latchkey.UserLive, CreatedAt: now, UpdatedAt: now})
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(ctx, func(tx *store.Tx) error {
			return tx.CreateUser(ctx, &latchkey.User{WorkspaceID: ws.ID, ID: newID(), Email: "ann@EXAMPLE.com ", Role: latchkey.RoleUser, Status: latchkey.UserLive, CreatedAt: now, UpdatedAt: now})
		})
		if !latchkey.IsCode(err, latchkey.EConflict) {
			t.Fatalf("second user with the same email: got %v, want a conflict", err)
		}
		err = db.View(ctx, func(tx *store.Tx) error {
			u, err := tx.UserByEmail(ctx, ws.ID, "ANN@example.com")
			if err != nil {
				return err
			}
			if u.Email != "Ann@example.com" || !u.CreatedAt.Equal(now) {
				t.Errorf("read back %q created %v; want Ann@example.com created %v", u.Email, u.CreatedAt, now)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
