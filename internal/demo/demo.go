// Package demo seeds the demo workspace that `latchkey serve --demo` starts
// with: a handful of people and teams, a second vault, accounts with
// passwords and TOTP seeds, and secrets — enough to try every read of the
// API at once. It changes state only through core, like any front end.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/core"
)

// Workspace is the demo workspace's name.
const Workspace = "acme"

// OwnerEmail signs in as the demo's owner.
const OwnerEmail = "olivia@acme.example"

// TokenTTL is how long the printed bearer token lasts: long enough to
// explore without refreshing.
const TokenTTL = 8 * time.Hour

// Seeded is what the demo prints.
type Seeded struct {
	Workspace  string
	OwnerEmail string
	Token      string
	TokenUntil time.Time
	APIKey     string
	Accounts   []*latchkey.Account

	// Integration connects the sample application, when one runs.
	Integration *latchkey.Integration
	App         *App
}

type person struct {
	first, last, email string
	role               latchkey.Role
}

var people = []person{
	{"Olivia", "Owens", OwnerEmail, latchkey.RoleOwner},
	{"Sam", "Sterling", "sam@acme.example", latchkey.RoleSuperAdmin},
	{"Ada", "Adams", "ada@acme.example", latchkey.RoleAdmin},
	{"Uma", "Usher", "uma@acme.example", latchkey.RoleUser},
	{"Lee", "Logan", "lee@acme.example", latchkey.RoleLoginOnly},
	{"Gus", "Guest", "gus@partner.example", latchkey.RoleGuestUser},
}

type account struct {
	application, label, username, url string
	totp                              bool
	team                              string // shared with this team as collaborator
}

var accounts = []account{
	{"twitter", "Acme on X", "acme", "https://x.com/login", true, "Marketing"},
	{"instagram", "Acme Instagram", "acme.official", "https://www.instagram.com/accounts/login/", true, "Marketing"},
	{"mailchimp", "Newsletter", "marketing@acme.example", "https://login.mailchimp.com/", false, "Marketing"},
	{"linkedin", "Acme company page", "social@acme.example", "https://www.linkedin.com/login", true, ""},
	{"youtube", "Acme channel", "video@acme.example", "https://accounts.google.com/", true, "Marketing"},
	{"canva", "Design team", "design@acme.example", "https://www.canva.com/login", false, "Engineering"},
	{"unmanaged", "Office printer admin", "admin", "http://printer.acme.internal/", false, "Engineering"},
}

// Seed fills an empty store with the demo workspace. On a store that holds
// anything it changes nothing and returns nil. With app, the workspace
// also gets an integration connected to it through the browser connector,
// and a first sync of it is queued.
func Seed(ctx context.Context, svc *core.Service, app *App) (*Seeded, error) {
	empty, err := svc.IsEmpty(ctx)
	if err != nil || !empty {
		return nil, err
	}
	if _, err := svc.CreateWorkspace(ctx, Workspace, 0); err != nil {
		if latchkey.IsCode(err, latchkey.EConflict) {
			// Another replica started with --demo got there first.
			return nil, nil
		}
		return nil, fmt.Errorf("demo workspace: %w", err)
	}
	sys, err := svc.SystemContext(ctx, Workspace)
	if err != nil {
		return nil, err
	}
	ids := map[string]string{}
	for _, p := range people {
		u, err := svc.CreateUser(sys, core.UserInput{Email: p.email, FirstName: p.first, LastName: p.last, Role: p.role, Status: latchkey.UserLive})
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", p.email, err)
		}
		ids[p.email] = u.ID
	}
	owner := ids[OwnerEmail]
	teams := map[string][]string{"Marketing": {"uma@acme.example", "lee@acme.example"}, "Engineering": {"ada@acme.example"}}
	teamIDs := map[string]string{}
	for _, name := range []string{"Marketing", "Engineering"} {
		t, err := svc.CreateTeam(sys, name)
		if err != nil {
			return nil, fmt.Errorf("demo team %s: %w", name, err)
		}
		teamIDs[name] = t.ID
		for _, email := range teams[name] {
			if err := svc.AddTeamMember(sys, t.ID, ids[email], latchkey.TeamMember); err != nil {
				return nil, err
			}
		}
	}
	vaultName := "Marketing vault"
	marketingVault, err := svc.CreateVault(sys, core.VaultInput{Name: &vaultName})
	if err != nil {
		return nil, err
	}

	out := &Seeded{Workspace: Workspace, OwnerEmail: OwnerEmail}
	for _, a := range accounts {
		in := core.AccountInput{Application: &a.application, Label: &a.label, Username: &a.username, URL: &a.url,
			Password: ptr(password()), OwnerID: owner}
		if a.team == "Marketing" {
			in.VaultID = &marketingVault.ID
		}
		if a.totp {
			in.TOTP = ptr(seed())
		}
		acc, err := svc.CreateAccount(sys, in)
		if err != nil {
			return nil, fmt.Errorf("demo account %s: %w", a.label, err)
		}
		out.Accounts = append(out.Accounts, acc)
		if a.team != "" {
			if _, err := svc.ShareAccount(sys, acc.ID, latchkey.MemberTeam, teamIDs[a.team], string(latchkey.AccountCollaborator)); err != nil {
				return nil, err
			}
		}
	}
	for _, s := range []struct{ title, body string }{
		{"Office Wi-Fi", "SSID: acme-office\nPassword: " + password()},
		{"Staging database", "postgres://app:" + password() + "@staging-db.acme.internal:5432/app"},
		{"Font licence keys", "Brand font: " + password()},
	} {
		cat, challenge := latchkey.SecretText, false
		sec, err := svc.CreateSecret(sys, core.SecretInput{VaultID: &marketingVault.ID, Title: &s.title, Body: &s.body,
			Category: &cat, RequiresIdentityChallenge: &challenge, OwnerID: owner})
		if err != nil {
			return nil, fmt.Errorf("demo secret %s: %w", s.title, err)
		}
		if _, err := svc.ShareSecret(sys, sec.ID, latchkey.MemberTeam, teamIDs["Engineering"], string(latchkey.SecretCollaborator)); err != nil {
			return nil, err
		}
	}

	if app != nil {
		if out.Integration, err = connectApp(sys, svc, app, owner); err != nil {
			return nil, err
		}
		out.App = app
	}

	token, tok, err := svc.IssueToken(sys, owner, TokenTTL)
	if err != nil {
		return nil, err
	}
	out.Token, out.TokenUntil = token, tok.ExpiresAt
	var reads []string
	for _, s := range latchkey.ReadScopes.Scopes() {
		reads = append(reads, s.String())
	}
	name := "demo (every read scope)"
	key, err := svc.CreateAPIKey(sys, owner, core.APIKeyInput{Name: &name, Scopes: reads, Expiry: core.Expiry{Preset: "never"}})
	if err != nil {
		return nil, err
	}
	out.APIKey = key.Secret
	return out, nil
}

func ptr(s string) *string { return &s }

// password makes a demo password: random, so that no two demo instances
// share one.
func password() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "Demo-" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)[:16]
}

// seed makes a random 160-bit TOTP seed as an authenticator app would get it.
func seed() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

// connectApp makes the integration of the sample application, owned by
// the owner, and queues its first sync.
func connectApp(sys context.Context, svc *core.Service, app *App, owner string) (*latchkey.Integration, error) {
	application, label := "sample_app_tenant", "Sample App"
	ig, err := svc.CreateIntegration(sys, core.IntegrationInput{
		Account: core.AccountInput{Application: &application, Label: &label, Username: &app.Login.Username, URL: &app.URL,
			Password: &app.Login.Password, TOTP: &app.Login.TOTPSecret, OwnerID: owner},
		Connector: latchkey.ConnectorConfig{Kind: latchkey.ConnectorBrowser, URL: app.URL, Recipe: Recipe()},
	})
	if err != nil {
		return nil, fmt.Errorf("demo integration: %w", err)
	}
	if _, err := svc.SyncIntegration(sys, ig.ID); err != nil {
		return nil, fmt.Errorf("demo integration's first sync: %w", err)
	}
	return ig, nil
}
