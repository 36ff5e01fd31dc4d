package webhook_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector"
	"github.com/latchkeyhq/latchkey/internal/connector/webhook"
)

// testCtx bounds every test's calls, so that a hang fails the test instead
// of stalling the run.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newClient(t *testing.T, url string, secret []byte, timeout time.Duration) *webhook.Client {
	t.Helper()
	c, err := webhook.New(webhook.Config{URL: url, Secret: secret, Timeout: timeout})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// connErr asserts that err is a *connector.Error and returns it.
func connErr(t *testing.T, err error) *connector.Error {
	t.Helper()
	var ce *connector.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *connector.Error", err, err)
	}
	return ce
}

func invite(email string, entitlements ...string) connector.Invite {
	return connector.Invite{Email: email, FirstName: "Ada", LastName: "Lovelace", Entitlements: entitlements}
}

func TestEntitlements(t *testing.T) {
	_, srv := newApp(t, 0, 0)
	c := newClient(t, srv.URL, testSecret, 0)

	got, err := c.Entitlements(testCtx(t))
	if err != nil {
		t.Fatalf("Entitlements: %v", err)
	}
	want := []latchkey.Entitlement{
		{Key: "ADMIN", Label: "Administrator", Group: latchkey.EntitlementPrimary},
		{Key: "MEMBER", Label: "Member", Group: latchkey.EntitlementPrimary},
		{Key: "BILLING", Label: "Billing manager", Group: latchkey.EntitlementSecondary},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Entitlements = %+v, want %+v", got, want)
	}
}

func TestInviteThenUsersList(t *testing.T) {
	_, srv := newApp(t, 0, 0)
	c := newClient(t, srv.URL, testSecret, 0)
	ctx := testCtx(t)

	u, err := c.Invite(ctx, invite("ada@example.com", "MEMBER", "BILLING"))
	if err != nil {
		t.Fatalf("Invite: %v", err)
	}
	if u.Email != "ada@example.com" || !slices.Equal(u.Entitlements, []string{"MEMBER", "BILLING"}) || u.Fields["invitedBy"] != "latchkey" {
		t.Fatalf("Invite returned %+v", u)
	}

	users, err := c.Users(ctx)
	if err != nil {
		t.Fatalf("Users: %v", err)
	}
	if len(users) != 1 {
		t.Fatalf("Users = %+v, want Ada alone", users)
	}
	got := users[0]
	if got.Email != "ada@example.com" || got.FirstName != "Ada" || got.LastName != "Lovelace" ||
		!slices.Equal(got.Entitlements, []string{"MEMBER", "BILLING"}) || got.Fields["invitedBy"] != "latchkey" {
		t.Fatalf("Users[0] = %+v", got)
	}
}

func TestInviteFailures(t *testing.T) {
	tests := []struct {
		name  string
		seats int
		in    connector.Invite
		check func(t *testing.T, err error)
	}{
		{
			name: "already a member", in: invite("taken@example.com", "MEMBER"),
			check: func(t *testing.T, err error) {
				if !errors.Is(err, connector.ErrUserExists) {
					t.Fatalf("error %v is not ErrUserExists", err)
				}
				if ce := connErr(t, err); ce.Type != latchkey.JobErrUserAlreadyExists {
					t.Fatalf("Type = %q", ce.Type)
				}
			},
		},
		{
			name: "seats full", seats: 1, in: invite("new@example.com", "MEMBER"),
			check: func(t *testing.T, err error) {
				ce := connErr(t, err)
				if ce.Type != latchkey.JobErrNotEnoughSeats || !ce.UserRequired || ce.Temporary {
					t.Fatalf("error = %+v, want NotEnoughSeats, UserRequired", ce)
				}
				if !strings.Contains(ce.Message, "all 1 seats") {
					t.Fatalf("Message %q lost the application's words", ce.Message)
				}
			},
		},
		{
			name: "unknown entitlement", in: invite("new@example.com", "MEMBER", "OWNER"),
			check: func(t *testing.T, err error) {
				ce := connErr(t, err)
				if ce.Type != latchkey.JobErrUnknownEntitlement || !strings.Contains(ce.Message, `"OWNER"`) {
					t.Fatalf("error = %+v, want UnknownEntitlement naming OWNER", ce)
				}
			},
		},
		{
			name: "no email", in: invite(" ", "MEMBER"),
			check: func(t *testing.T, err error) {
				if ce := connErr(t, err); ce.Type != latchkey.JobErrInvalidEmail {
					t.Fatalf("Type = %q, want InvalidEmail", ce.Type)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, srv := newApp(t, tt.seats, 0)
			a.users["taken@example.com"] = appUser{Email: "taken@example.com", Entitlements: []string{"ADMIN"}}
			c := newClient(t, srv.URL, testSecret, 0)

			_, err := c.Invite(testCtx(t), tt.in)
			if err == nil {
				t.Fatal("Invite succeeded")
			}
			tt.check(t, err)
			if _, ok := a.user("new@example.com"); ok {
				t.Fatal("the failed invitation added the user anyway")
			}
		})
	}
}

func TestSetEntitlements(t *testing.T) {
	tests := []struct {
		name         string
		email        string
		entitlements []string
		want         []string // the user's entitlements afterwards
		check        func(t *testing.T, err error)
	}{
		{name: "replaces", email: "ada@example.com", entitlements: []string{"ADMIN"}, want: []string{"ADMIN"}},
		{name: "replaces with none", email: "ada@example.com", entitlements: nil, want: []string{}},
		{name: "unchanged", email: "ada@example.com", entitlements: []string{"MEMBER", "BILLING"}, want: []string{"MEMBER", "BILLING"}},
		{
			name: "unknown user", email: "nobody@example.com", entitlements: []string{"ADMIN"}, want: []string{"MEMBER", "BILLING"},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, connector.ErrUserNotFound) {
					t.Fatalf("error %v is not ErrUserNotFound", err)
				}
			},
		},
		{
			name: "unknown entitlement", email: "ada@example.com", entitlements: []string{"GOD"}, want: []string{"MEMBER", "BILLING"},
			check: func(t *testing.T, err error) {
				if ce := connErr(t, err); ce.Type != latchkey.JobErrUnknownEntitlement {
					t.Fatalf("Type = %q, want UnknownEntitlement", ce.Type)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, srv := newApp(t, 0, 0)
			a.users["ada@example.com"] = appUser{Email: "ada@example.com", Entitlements: []string{"MEMBER", "BILLING"}}
			c := newClient(t, srv.URL, testSecret, 0)
			ctx := testCtx(t)

			// Twice: a retried job repeats the call, and the repeat must
			// land in the same place without complaint.
			for i := range 2 {
				err := c.SetEntitlements(ctx, tt.email, tt.entitlements)
				if tt.check == nil && err != nil {
					t.Fatalf("call %d: SetEntitlements: %v", i+1, err)
				}
				if tt.check != nil {
					if err == nil {
						t.Fatalf("call %d: SetEntitlements succeeded", i+1)
					}
					tt.check(t, err)
				}
			}
			u, _ := a.user("ada@example.com")
			if !slices.Equal(u.Entitlements, tt.want) {
				t.Fatalf("entitlements afterwards = %q, want %q", u.Entitlements, tt.want)
			}
		})
	}
}

func TestRemoveTwice(t *testing.T) {
	a, srv := newApp(t, 0, 0)
	a.users["ada@example.com"] = appUser{Email: "ada@example.com", Entitlements: []string{"MEMBER"}}
	c := newClient(t, srv.URL, testSecret, 0)
	ctx := testCtx(t)

	for i := range 2 {
		if err := c.Remove(ctx, "Ada@Example.com"); err != nil {
			t.Fatalf("call %d: Remove: %v", i+1, err)
		}
	}
	if _, ok := a.user("ada@example.com"); ok {
		t.Fatal("the user is still there")
	}
	calls := a.seen()
	if len(calls) != 2 {
		t.Fatalf("the application saw %d calls, want 2 (the connector must not skip the repeat)", len(calls))
	}
}

func TestWrongSecret(t *testing.T) {
	_, srv := newApp(t, 0, 0)
	wrong := []byte("not-the-secret-the-app-holds")
	c := newClient(t, srv.URL, wrong, 0)

	ops := map[string]func(ctx context.Context) error{
		"Entitlements": func(ctx context.Context) error { _, err := c.Entitlements(ctx); return err },
		"Users":        func(ctx context.Context) error { _, err := c.Users(ctx); return err },
		"Invite":       func(ctx context.Context) error { _, err := c.Invite(ctx, invite("a@example.com")); return err },
		"Remove":       func(ctx context.Context) error { return c.Remove(ctx, "a@example.com") },
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			err := op(testCtx(t))
			ce := connErr(t, err)
			if ce.Type != latchkey.JobErrBadCredentials || !ce.UserRequired || ce.Temporary {
				t.Fatalf("error = %+v, want BadCredentials, UserRequired", ce)
			}
			for _, s := range [][]byte{wrong, testSecret} {
				if strings.Contains(err.Error(), string(s)) {
					t.Fatalf("the error %q contains a secret", err)
				}
			}
		})
	}
}

func TestUsersPaging(t *testing.T) {
	a, srv := newApp(t, 0, 3)
	var want []string
	for _, name := range []string{"ada", "alan", "barbara", "edsger", "grace", "ken", "margaret"} {
		email := name + "@example.com"
		a.users[email] = appUser{Email: email, Entitlements: []string{"MEMBER"}}
		want = append(want, email)
	}
	c := newClient(t, srv.URL, testSecret, 0)
	ctx := webhook.WithIdempotencyKey(testCtx(t), "job-9/sync")

	users, err := c.Users(ctx)
	if err != nil {
		t.Fatalf("Users: %v", err)
	}
	var got []string
	for _, u := range users {
		got = append(got, u.Email)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("Users = %q, want each of %q once", got, want)
	}

	calls := a.seen()
	wantCalls := []appCall{
		{Operation: "users.list", ID: "job-9/sync", IdempotencyKey: "job-9/sync"},
		{Operation: "users.list", ID: "job-9/sync.2", IdempotencyKey: "job-9/sync.2", Cursor: "barbara@example.com"},
		{Operation: "users.list", ID: "job-9/sync.3", IdempotencyKey: "job-9/sync.3", Cursor: "ken@example.com"},
	}
	if !slices.Equal(calls, wantCalls) {
		t.Fatalf("calls = %+v\nwant %+v", calls, wantCalls)
	}
}

func TestIdempotencyKey(t *testing.T) {
	t.Run("same key on a repeat", func(t *testing.T) {
		a, srv := newApp(t, 0, 0)
		c := newClient(t, srv.URL, testSecret, 0)
		ctx := webhook.WithIdempotencyKey(testCtx(t), "job-42/attempt-independent")

		if _, err := c.Invite(ctx, invite("ada@example.com", "MEMBER")); err != nil {
			t.Fatalf("first Invite: %v", err)
		}
		// The engine's retry of the same job: the application sees the same
		// key, and the user it already added.
		if _, err := c.Invite(ctx, invite("ada@example.com", "MEMBER")); !errors.Is(err, connector.ErrUserExists) {
			t.Fatalf("second Invite: %v, want ErrUserExists", err)
		}
		calls := a.seen()
		if len(calls) != 2 || calls[0].IdempotencyKey != "job-42/attempt-independent" || calls[1].IdempotencyKey != calls[0].IdempotencyKey {
			t.Fatalf("calls = %+v, want the same key twice", calls)
		}
	})
	t.Run("random key without one", func(t *testing.T) {
		a, srv := newApp(t, 0, 0)
		c := newClient(t, srv.URL, testSecret, 0)
		ctx := testCtx(t)
		for range 2 {
			if _, err := c.Entitlements(ctx); err != nil {
				t.Fatalf("Entitlements: %v", err)
			}
		}
		calls := a.seen()
		if len(calls) != 2 || calls[0].IdempotencyKey == "" || calls[0].IdempotencyKey == calls[1].IdempotencyKey {
			t.Fatalf("calls = %+v, want two different keys", calls)
		}
	})
	t.Run("invalid key", func(t *testing.T) {
		a, srv := newApp(t, 0, 0)
		c := newClient(t, srv.URL, testSecret, 0)
		for _, key := range []string{"has space", "line\nbreak", strings.Repeat("k", 201), "naïve"} {
			err := c.Remove(webhook.WithIdempotencyKey(testCtx(t), key), "ada@example.com")
			if ce := connErr(t, err); ce.Type != latchkey.JobErrInternal {
				t.Fatalf("key %q: Type = %q, want InternalError", key, ce.Type)
			}
		}
		if calls := a.seen(); len(calls) != 0 {
			t.Fatalf("a call went out with an invalid key: %+v", calls)
		}
	})
}
