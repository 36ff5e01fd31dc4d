package core

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/otp"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// SeedPlan says how big a workspace `latchkey admin seed` makes.
type SeedPlan struct {
	Users, Teams, Collections, Accounts int
	// HeavyAccounts are owned by one member, heavy@{workspace}.example, an
	// admin: the load harness lists them with that member's API key.
	HeavyAccounts int
	// Seed makes the generated names and sharing reproducible.
	Seed uint64
	// Progress, if set, hears how far each stage is.
	Progress func(stage string, done, total int)
}

// SeedResult is what a seed made.
type SeedResult struct {
	Workspace   string        `json:"workspace"`
	HeavyUserID string        `json:"heavyUserId"`
	HeavyEmail  string        `json:"heavyEmail"`
	Users       int           `json:"users"`
	Teams       int           `json:"teams"`
	Collections int           `json:"collections"`
	Accounts    int           `json:"accounts"`
	Grants      int           `json:"grants"`
	Elapsed     time.Duration `json:"elapsedNs"`
	// SampleAccounts are ids of the heavy member's accounts, for load tests.
	SampleAccounts []string `json:"sampleAccounts"`
}

const seedBatch = 5000

var seedApps = []string{"twitter", "instagram", "facebook", "linkedin", "youtube", "tiktok", "pinterest", "mailchimp", "hubspot",
	"canva", "figma", "notion", "slack", "zoom", "dropbox", "asana", "trello", "shopify", "salesforce", "adobe", "github",
	"gitlab", "atlassian", "zendesk", "intercom", "google_ads", "reddit", "snapchat", "unmanaged", "discord"}

// Seed bulk-loads the principal's workspace with members, teams, accounts
// (with sealed passwords and TOTP seeds), realistic sharing and
// collections, then derives every effective role once. Operator only; it
// adds to what is there.
func (s *Service) Seed(ctx context.Context, plan SeedPlan) (*SeedResult, error) {
	p, ok := latchkey.FromContext(ctx)
	if !ok || !p.IsPrivileged() {
		return nil, latchkey.Errorf(latchkey.EForbidden, "Only the operator can seed a workspace.")
	}
	if plan.Users < 1 || plan.Accounts < 0 || plan.Teams < 0 || plan.Collections < 0 || plan.HeavyAccounts > plan.Accounts {
		return nil, latchkey.Invalid([]any{"plan"}, "value_error", "A seed needs at least one user, and heavy accounts cannot outnumber accounts.")
	}
	if plan.Teams == 0 && plan.Collections > 0 {
		return nil, latchkey.Invalid([]any{"teams"}, "value_error", "Collections are shared with teams: seed at least one team.")
	}
	progress := plan.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	start := time.Now()
	rng := rand.New(rand.NewChaCha8(seedKey(plan.Seed)))
	now := s.clock()
	res := &SeedResult{Workspace: p.WorkspaceName, HeavyEmail: "heavy@" + p.WorkspaceName + ".example"}

	var vaultID string
	if err := s.db.View(ctx, func(tx *store.Tx) error {
		v, err := tx.DefaultVault(ctx, p.WorkspaceID)
		if err == nil {
			vaultID = v.ID
		}
		return err
	}); err != nil {
		return nil, err
	}

	// Members: the heavy owner first, then members with a few admins and
	// guests among them.
	users := make([]*latchkey.User, plan.Users)
	tag := fmt.Sprintf("%x", rng.Uint32())
	for i := range users {
		role, email := latchkey.RoleUser, fmt.Sprintf("user%d.%s@%s.example", i, tag, p.WorkspaceName)
		switch {
		case i == 0:
			role, email = latchkey.RoleAdmin, res.HeavyEmail
		case i%100 == 1:
			role = latchkey.RoleAdmin
		case i%50 == 2:
			role = latchkey.RoleGuestUser
		}
		users[i] = &latchkey.User{ID: newID(), WorkspaceID: p.WorkspaceID, Email: email, FirstName: "User", LastName: fmt.Sprintf("%d", i),
			Role: role, Status: latchkey.UserLive, IsGuest: role.IsGuest(), CreatedAt: now, UpdatedAt: now}
	}
	res.HeavyUserID = users[0].ID
	for i := 0; i < len(users); i += seedBatch {
		batch := users[i:min(i+seedBatch, len(users))]
		if err := s.db.Update(ctx, func(tx *store.Tx) error { return tx.BulkUsers(ctx, batch) }); err != nil {
			return nil, fmt.Errorf("users: %w", err)
		}
		progress("users", i+len(batch), len(users))
	}
	res.Users = len(users)
	owners := make([]*latchkey.User, 0, len(users))
	for _, u := range users {
		if !u.IsGuest {
			owners = append(owners, u)
		}
	}

	// Teams of members, each member in one: sharing in a password manager
	// reaches a handful of people, and every person who can reach an item
	// is a row of effective roles (see docs/decisions/0007).
	teams := make([]*latchkey.Team, plan.Teams)
	members := map[string][]latchkey.TeamMembership{}
	for i := range teams {
		teams[i] = &latchkey.Team{ID: newID(), WorkspaceID: p.WorkspaceID, Name: fmt.Sprintf("Team %d %s", i, tag), Type: latchkey.TeamUserManaged, CreatedAt: now, UpdatedAt: now}
	}
	if len(teams) > 0 {
		for _, u := range users {
			k := rng.IntN(len(teams))
			role := latchkey.TeamMember
			if len(members[teams[k].ID]) == 0 && !u.IsGuest {
				role = latchkey.TeamAdmin
			}
			members[teams[k].ID] = append(members[teams[k].ID], latchkey.TeamMembership{UserID: u.ID, Role: role})
		}
		for i := 0; i < len(teams); i += seedBatch {
			batch := teams[i:min(i+seedBatch, len(teams))]
			if err := s.db.Update(ctx, func(tx *store.Tx) error { return tx.BulkTeams(ctx, batch, members, now.UnixMicro()) }); err != nil {
				return nil, fmt.Errorf("teams: %w", err)
			}
			progress("teams", i+len(batch), len(teams))
		}
	}
	res.Teams = len(teams)

	// Accounts, each owned by one member, one in twenty also shared with a
	// team.
	owned := map[string][]string{}
	for i := 0; i < plan.Accounts; i += seedBatch {
		n := min(seedBatch, plan.Accounts-i)
		var (
			accounts []*latchkey.Account
			secrets  []store.SealedSecret
			grants   []*latchkey.Grant
		)
		for j := 0; j < n; j++ {
			k := i + j
			owner := users[0]
			if k >= plan.HeavyAccounts {
				owner = owners[rng.IntN(len(owners))]
			}
			app := seedApps[rng.IntN(len(seedApps))]
			a := &latchkey.Account{ID: newID(), WorkspaceID: p.WorkspaceID, VaultID: vaultID, Application: app,
				Label: fmt.Sprintf("%s %d", app, k), Username: fmt.Sprintf("acct%d", k), Status: latchkey.AccountEnabled, HasPassword: true,
				CreatedAt: now, CreatedBy: owner.ID, CreatedByEmail: owner.Email, UpdatedAt: now, UpdatedBy: owner.ID, LastPasswordChange: &now}
			sealed, err := s.sealSeedSecret(ctx, a, latchkey.SecretPassword, seedPassword(rng), owner.ID, now)
			if err != nil {
				return nil, err
			}
			secrets = append(secrets, sealed)
			if rng.IntN(10) < 3 {
				seed := make([]byte, 20)
				binary.LittleEndian.PutUint64(seed, rng.Uint64())
				binary.LittleEndian.PutUint64(seed[8:], rng.Uint64())
				binary.LittleEndian.PutUint32(seed[16:], rng.Uint32())
				plain, err := (otp.Seed{Secret: base32NoPad(seed), Algorithm: otp.SHA1, Digits: 6, Period: 30}).MarshalBinary()
				if err != nil {
					return nil, err
				}
				sealedTOTP, err := s.sealSeedSecret(ctx, a, latchkey.SecretTOTP, plain, owner.ID, now)
				if err != nil {
					return nil, err
				}
				secrets = append(secrets, sealedTOTP)
				a.HasTOTP, a.MFATypes = true, []string{"otp"}
			}
			accounts = append(accounts, a)
			grants = append(grants, &latchkey.Grant{WorkspaceID: p.WorkspaceID, ItemType: latchkey.ItemAccount, ItemID: a.ID,
				MemberType: latchkey.MemberUser, MemberID: owner.ID, Rank: latchkey.RankOwner, CreatedAt: now})
			if len(teams) > 0 && rng.IntN(20) == 0 {
				grants = append(grants, &latchkey.Grant{WorkspaceID: p.WorkspaceID, ItemType: latchkey.ItemAccount, ItemID: a.ID,
					MemberType: latchkey.MemberTeam, MemberID: teams[rng.IntN(len(teams))].ID, Rank: latchkey.RankCollaborator, CreatedAt: now})
			}
			owned[owner.ID] = append(owned[owner.ID], a.ID)
			if owner == users[0] && len(res.SampleAccounts) < 1000 {
				res.SampleAccounts = append(res.SampleAccounts, a.ID)
			}
		}
		if err := s.db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.BulkAccounts(ctx, accounts, secrets); err != nil {
				return err
			}
			return tx.BulkGrants(ctx, grants)
		}); err != nil {
			return nil, fmt.Errorf("accounts: %w", err)
		}
		res.Accounts += n
		res.Grants += len(grants)
		progress("accounts", i+n, plan.Accounts)
	}

	// Collections: each holds up to 20 of its owner's accounts and is
	// shared with a team.
	for i := 0; i < plan.Collections; i += seedBatch {
		n := min(seedBatch, plan.Collections-i)
		var (
			cols   []*latchkey.Collection
			grants []*latchkey.Grant
			items  = map[string][]string{}
		)
		for j := 0; j < n; j++ {
			owner := owners[rng.IntN(len(owners))]
			c := &latchkey.Collection{ID: newID(), WorkspaceID: p.WorkspaceID, Name: fmt.Sprintf("Collection %d %s", i+j, tag),
				Status: latchkey.CollectionEnabled, CreatedAt: now, CreatedBy: owner.ID, UpdatedAt: now, UpdatedBy: owner.ID}
			cols = append(cols, c)
			mine := owned[owner.ID]
			for k := 0; k < min(20, len(mine)); k++ {
				items[c.ID] = append(items[c.ID], mine[rng.IntN(len(mine))])
			}
			items[c.ID] = unique(items[c.ID])
			grants = append(grants,
				&latchkey.Grant{WorkspaceID: p.WorkspaceID, ItemType: latchkey.ItemCollection, ItemID: c.ID, MemberType: latchkey.MemberUser,
					MemberID: owner.ID, Rank: latchkey.RankOwner, CreatedAt: now},
				&latchkey.Grant{WorkspaceID: p.WorkspaceID, ItemType: latchkey.ItemCollection, ItemID: c.ID, MemberType: latchkey.MemberTeam,
					MemberID: teams[rng.IntN(len(teams))].ID, Rank: latchkey.RankCollaborator, CreatedAt: now})
		}
		if err := s.db.Update(ctx, func(tx *store.Tx) error {
			if err := tx.BulkCollections(ctx, cols, items, p.UserID, now.UnixMicro()); err != nil {
				return err
			}
			return tx.BulkGrants(ctx, grants)
		}); err != nil {
			return nil, fmt.Errorf("collections: %w", err)
		}
		res.Collections += n
		res.Grants += len(grants)
		progress("collections", i+n, plan.Collections)
	}

	progress("effective roles", 0, 1)
	err := s.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.RebuildAccess(ctx, p.WorkspaceID, time.Now().UnixMicro()); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "workspace.seeded", "workspace", p.WorkspaceID, map[string]string{
			"users": itoa(res.Users), "teams": itoa(res.Teams), "accounts": itoa(res.Accounts), "collections": itoa(res.Collections)})
	})
	if err != nil {
		return nil, fmt.Errorf("effective roles: %w", err)
	}
	progress("effective roles", 1, 1)
	if err := s.db.Analyze(ctx); err != nil {
		return nil, fmt.Errorf("statistics: %w", err)
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

func (s *Service) sealSeedSecret(ctx context.Context, a *latchkey.Account, typ latchkey.SecretType, plain []byte, by string, at time.Time) (store.SealedSecret, error) {
	sec := &latchkey.AccountSecret{ID: newID(), WorkspaceID: a.WorkspaceID, AccountID: a.ID, Type: typ, Version: 1, CreatedAt: at, CreatedBy: by}
	ct, err := s.seal(ctx, nil, a.WorkspaceID, "account_secrets", sec.ID, string(typ), plain)
	return store.SealedSecret{Secret: sec, Ciphertext: ct}, err
}

func seedKey(seed uint64) [32]byte {
	var k [32]byte
	binary.LittleEndian.PutUint64(k[:], seed)
	copy(k[8:], "latchkey seed")
	return k
}

const passwordChars = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_!"

// seedPassword makes a password for seed data. Seed data is for load tests
// and evaluation, so its passwords come from the seeded generator, not the
// system's random source.
func seedPassword(rng *rand.Rand) []byte {
	b := make([]byte, 16)
	for i := range b {
		b[i] = passwordChars[rng.IntN(len(passwordChars))]
	}
	return b
}

func unique(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
