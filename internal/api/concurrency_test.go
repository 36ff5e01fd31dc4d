package api_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/core"
	"github.com/latchkeyhq/latchkey/internal/server/servertest"
)

// A replica that has not loaded a workspace's data key yet serves many
// concurrent reveals of it — more than its store has connections — without
// waiting on itself.
func TestColdKeyUnderConcurrency(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		second := f.s.Workspace(t, "globex") // not the first workspace: its key is not loaded at start
		owner := second.User("o@globex.example", latchkey.RoleOwner)
		key := second.APIKey(owner, latchkey.ScopeReadAccounts)
		app, label, pw := "twitter", "cold", "cold-start-password"
		a, err := f.s.Service.CreateAccount(second.Operator(), core.AccountInput{Application: &app, Label: &label, Password: &pw, OwnerID: owner})
		if err != nil {
			t.Fatal(err)
		}
		fresh := f.s.Replica(t)
		const readers = 16
		var wg sync.WaitGroup
		statuses := make([]int, readers)
		done := make(chan struct{})
		for i := 0; i < readers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = fresh.Do(t, servertest.Key(key), "GET", "/api/v1/accounts/"+a.ID+"/secrets?filter[secretType]=password", nil).Status
			}()
		}
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Fatal("concurrent reads on a cold replica did not finish")
		}
		for i, s := range statuses {
			if s != 200 {
				t.Errorf("reader %d: %d", i, s)
			}
		}
	})
}

// A team grant racing a removal from the team never leaves the removed
// member with access, whichever commits first.
func TestTeamRaceLeavesNoAccess(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		op := f.ws.Operator()
		svc := f.s.Service
		team, err := svc.CreateTeam(op, "Racers")
		if err != nil {
			t.Fatal(err)
		}
		vault := f.defaultVault(t)
		for i := 0; i < 40; i++ {
			if err := svc.AddTeamMember(op, team.ID, f.member, latchkey.TeamMember); err != nil {
				t.Fatal(err)
			}
			title, body, cat, ch := "race", "b", latchkey.SecretText, false
			sec, err := svc.CreateSecret(op, core.SecretInput{VaultID: &vault, Title: &title, Body: &body, Category: &cat, RequiresIdentityChallenge: &ch, OwnerID: f.owner})
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			wg.Add(2)
			go func() {
				defer wg.Done()
				_, errs[0] = svc.ShareSecret(op, sec.ID, latchkey.MemberTeam, team.ID, "secret_collaborator")
			}()
			go func() {
				defer wg.Done()
				errs[1] = svc.RemoveTeamMember(op, team.ID, f.member)
			}()
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatalf("round %d: %v", i, err)
				}
			}
			if r := f.do(t, servertest.Bearer(f.memberToken), "GET", "/api/v1/secrets/"+sec.ID, nil); r.Status != 404 {
				t.Fatalf("round %d: the removed member still reads the secret (%d)", i, r.Status)
			}
		}
		_ = context.Background()
	})
}
