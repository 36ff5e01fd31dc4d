package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/store"
	"github.com/latchkeyhq/latchkey/internal/testdb"
)

// Effective roles follow grants and team membership both ways, the highest
// path wins, and lists see exactly what the effective roles allow.
func TestEffectiveAccess(t *testing.T) {
	testdb.Each(t, func(t *testing.T, cfg store.Config) {
		ctx := context.Background()
		db := testdb.Open(t, cfg)
		now := latchkey.Truncate(time.Now())
		ws := &latchkey.Workspace{ID: newID(), Name: "acme", TokenTTL: time.Hour, CreatedAt: now, UpdatedAt: now}
		ann, bob := newID(), newID()
		team := &latchkey.Team{ID: newID(), WorkspaceID: ws.ID, Name: "Marketing", Type: latchkey.TeamUserManaged, CreatedAt: now, UpdatedAt: now}
		vault := &latchkey.Vault{ID: newID(), WorkspaceID: ws.ID, Name: "v", Scheme: latchkey.VaultKMSBYO, State: latchkey.VaultEnabled, CreatedByType: "system", CreatedAt: now, UpdatedAt: now}
		acc := &latchkey.Account{ID: newID(), WorkspaceID: ws.ID, VaultID: vault.ID, Application: "x", Label: "x", Status: latchkey.AccountEnabled, CreatedAt: now, UpdatedAt: now}
		update := func(fn func(tx *store.Tx) error) {
			t.Helper()
			if err := db.Update(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		rank := func(user string) latchkey.Rank {
			t.Helper()
			var r latchkey.Rank
			if err := db.View(ctx, func(tx *store.Tx) (err error) {
				r, err = tx.AccessRank(ctx, ws.ID, user, latchkey.ItemAccount, acc.ID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return r
		}
		visible := func(user string, min latchkey.Rank) int {
			t.Helper()
			var total int
			if err := db.View(ctx, func(tx *store.Tx) (err error) {
				_, total, err = tx.ListAccounts(ctx, ws.ID, store.Visibility{UserID: user, MinRank: min}, latchkey.AccountFilter{Page: latchkey.Page{Number: 1, Size: 10}})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return total
		}
		grant := func(tx *store.Tx, mt latchkey.MemberType, id string, r latchkey.Rank) error {
			return tx.Grant(ctx, &latchkey.Grant{WorkspaceID: ws.ID, ItemType: latchkey.ItemAccount, ItemID: acc.ID, MemberType: mt, MemberID: id, Rank: r, CreatedAt: now})
		}
		update(func(tx *store.Tx) error {
			if err := tx.CreateWorkspace(ctx, ws, "1", []byte("k")); err != nil {
				return err
			}
			for _, u := range []string{ann, bob} {
				if err := tx.CreateUser(ctx, &latchkey.User{WorkspaceID: ws.ID, ID: u, Email: u + "@x.example", Role: latchkey.RoleUser, Status: latchkey.UserLive, CreatedAt: now, UpdatedAt: now}); err != nil {
					return err
				}
			}
			if err := tx.CreateTeam(ctx, team); err != nil {
				return err
			}
			if err := tx.CreateVault(ctx, vault); err != nil {
				return err
			}
			return tx.CreateAccount(ctx, acc)
		})

		if rank(ann) != latchkey.RankNone || visible(ann, latchkey.RankCollaborator) != 0 {
			t.Fatal("access before any grant")
		}
		update(func(tx *store.Tx) error { return grant(tx, latchkey.MemberTeam, team.ID, latchkey.RankCollaborator) })
		update(func(tx *store.Tx) error {
			return tx.AddTeamMember(ctx, ws.ID, team.ID, ann, latchkey.TeamMember, now.UnixMicro())
		})
		if rank(ann) != latchkey.RankCollaborator || rank(bob) != latchkey.RankNone {
			t.Errorf("through the team: ann %d, bob %d", rank(ann), rank(bob))
		}
		update(func(tx *store.Tx) error { return grant(tx, latchkey.MemberUser, ann, latchkey.RankOwner) })
		if rank(ann) != latchkey.RankOwner || visible(ann, latchkey.RankOwner) != 1 {
			t.Errorf("the highest path wins: %d", rank(ann))
		}
		update(func(tx *store.Tx) error { return tx.Revoke(ctx, ws.ID, acc.ID, latchkey.MemberUser, ann) })
		if rank(ann) != latchkey.RankCollaborator || visible(ann, latchkey.RankOwner) != 0 || visible(ann, latchkey.RankCollaborator) != 1 {
			t.Errorf("after the direct grant goes, the team's remains: %d", rank(ann))
		}
		update(func(tx *store.Tx) error { return tx.RemoveTeamMember(ctx, ws.ID, team.ID, ann) })
		if rank(ann) != latchkey.RankNone || visible(ann, latchkey.RankCollaborator) != 0 {
			t.Errorf("after leaving the team: %d", rank(ann))
		}
		// A failed transaction leaves no trace in either table.
		err := db.Update(ctx, func(tx *store.Tx) error {
			if err := grant(tx, latchkey.MemberUser, bob, latchkey.RankOwner); err != nil {
				return err
			}
			return latchkey.Errorf(latchkey.EConflict, "changed my mind")
		})
		if !latchkey.IsCode(err, latchkey.EConflict) || rank(bob) != latchkey.RankNone {
			t.Errorf("rolled-back grant: err %v, rank %d", err, rank(bob))
		}
	})
}
