package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/store"
	"github.com/latchkeyhq/latchkey/internal/testdb"
)

// Writes that share a transaction must each land, and one of them failing
// must fail only its own caller.
func TestUpdateBatchedCommitsEveryWriteAndIsolatesFailures(t *testing.T) {
	testdb.Each(t, func(t *testing.T, cfg store.Config) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		db := testdb.Open(t, cfg)
		now := latchkey.Truncate(time.Now())
		ws := &latchkey.Workspace{ID: newID(), Name: "acme", TokenTTL: time.Hour, CreatedAt: now, UpdatedAt: now}
		user := func(email string) *latchkey.User {
			return &latchkey.User{WorkspaceID: ws.ID, ID: newID(), Email: email, Role: latchkey.RoleUser, Status: latchkey.UserLive, CreatedAt: now, UpdatedAt: now}
		}
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.CreateWorkspace(ctx, ws, "k1", []byte("wrapped")); err != nil {
				return err
			}
			return tx.CreateUser(ctx, user("taken@example.com"))
		})
		if err != nil {
			t.Fatal(err)
		}

		const writers = 64
		const failing = 17 // this one reuses a taken email
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				email := fmt.Sprintf("u%02d@example.com", i)
				if i == failing {
					email = "taken@example.com"
				}
				errs[i] = db.UpdateBatched(ctx, func(tx *store.Tx) error {
					return tx.CreateUser(ctx, user(email))
				})
			}()
		}
		wg.Wait()

		for i, err := range errs {
			switch {
			case i == failing && !latchkey.IsCode(err, latchkey.EConflict):
				t.Errorf("writer %d reused a taken email: got %v, want a conflict", i, err)
			case i != failing && err != nil:
				t.Errorf("writer %d: %v; another caller's failure leaked into it", i, err)
			}
		}
		err = db.View(ctx, func(tx *store.Tx) error {
			for i := range writers {
				if i == failing {
					continue
				}
				if _, err := tx.UserByEmail(ctx, ws.ID, fmt.Sprintf("u%02d@example.com", i)); err != nil {
					t.Errorf("writer %d's user after commit: %v", i, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
