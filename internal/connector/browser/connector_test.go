package browser

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector"
	"github.com/latchkeyhq/latchkey/internal/sampleapp"
	"github.com/pquerna/otp/totp"
)

const (
	adminUser   = "admin@example.com"
	adminPass   = "s3cret-Pa55word!"
	totpSecret  = "JBSWY3DPEHPK3PXP"
	stepTimeout = 3 * time.Second
)

// fixture is a sample app on httptest, with TOTP and three seats, and a
// client for it in the shared browser.
type fixture struct {
	app *sampleapp.App
	srv *httptest.Server
	c   *Client
}

func totpCode() (string, error) { return totp.GenerateCode(totpSecret, time.Now()) }

func creds() connector.Credentials {
	return connector.Credentials{Username: adminUser, Password: adminPass, TOTP: totpCode}
}

func newFixture(t *testing.T, cfg sampleapp.Config) *fixture {
	t.Helper()
	sharedBrowser(t) // skips when there is no Chromium
	cfg.AdminUsername, cfg.AdminPassword, cfg.TOTPSecret = adminUser, adminPass, totpSecret
	if cfg.Seats == 0 {
		cfg.Seats = 3
	}
	app, err := sampleapp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	f := &fixture{app: app, srv: srv}
	f.c = f.client(t, SampleAppRecipe(), creds())
	return f
}

// client makes another client for the fixture's app.
func (f *fixture) client(t *testing.T, recipe []byte, cr connector.Credentials) *Client {
	t.Helper()
	c, err := New(Config{BaseURL: f.srv.URL, Recipe: recipe, Timeout: stepTimeout, Browser: sharedBrowser(t)}, cr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// connErr returns err as a *connector.Error or fails the test.
func connErr(t *testing.T, err error, wantType string) *connector.Error {
	t.Helper()
	var ce *connector.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T); want a *connector.Error of type %s", err, err, wantType)
	}
	if ce.Type != wantType {
		t.Fatalf("error type %s (%v); want %s", ce.Type, err, wantType)
	}
	return ce
}

// appUser is the app's user with the email, or the zero User.
func appUser(app *sampleapp.App, email string) sampleapp.User {
	for _, u := range app.Users() {
		if u.Email == email {
			return u
		}
	}
	return sampleapp.User{}
}

func emails(us []sampleapp.User) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Email+":"+u.Role)
	}
	return out
}

// TestSampleApp runs the connector's whole life against one application,
// in order: each subtest starts from the state the last one left.
func TestSampleApp(t *testing.T) {
	f := newFixture(t, sampleapp.Config{})
	ctx := testContext(t)
	invite := func(email, role string) error {
		_, err := f.c.Invite(ctx, connector.Invite{Email: email, FirstName: "Ada", LastName: "Lovelace", Entitlements: []string{role}})
		return err
	}

	t.Run("entitlements", func(t *testing.T) {
		got, err := f.c.Entitlements(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []latchkey.Entitlement{
			{Key: "admin", Group: latchkey.EntitlementPrimary, Label: "Admin", Value: "admin"},
			{Key: "member", Group: latchkey.EntitlementPrimary, Label: "Member", Value: "member"},
			{Key: "viewer", Group: latchkey.EntitlementPrimary, Label: "Viewer", Value: "viewer"},
		}
		if !slices.Equal(got, want) {
			t.Fatalf("entitlements %v; want %v", got, want)
		}
	})
	t.Run("invite", func(t *testing.T) {
		u, err := f.c.Invite(ctx, connector.Invite{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Entitlements: []string{"member"}})
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "ada@example.com" {
			t.Errorf("returned user %+v", u)
		}
		want := []sampleapp.User{{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Role: "member"}}
		if got := f.app.Users(); !slices.Equal(got, want) {
			t.Fatalf("app users %v; want %v", got, want)
		}
	})
	t.Run("invite duplicate", func(t *testing.T) {
		err := invite("ADA@example.com", "viewer")
		if !errors.Is(err, connector.ErrUserExists) {
			t.Fatalf("error %v; want ErrUserExists", err)
		}
		connErr(t, err, latchkey.JobErrUserAlreadyExists)
	})
	t.Run("invite unknown entitlement", func(t *testing.T) {
		connErr(t, invite("eve@example.com", "owner"), latchkey.JobErrUnknownEntitlement)
	})
	t.Run("seat limit", func(t *testing.T) {
		if err := invite("bob@example.com", "viewer"); err != nil {
			t.Fatal(err)
		}
		// An empty field must stay empty, not become "undefined".
		if _, err := f.c.Invite(ctx, connector.Invite{Email: "cy@example.com", FirstName: "Cy", Entitlements: []string{"viewer"}}); err != nil {
			t.Fatal(err)
		}
		if got := appUser(f.app, "cy@example.com"); got.FirstName != "Cy" || got.LastName != "" {
			t.Fatalf("cy is %+v; want first name Cy and no last name", got)
		}
		ce := connErr(t, invite("dan@example.com", "viewer"), latchkey.JobErrNotEnoughSeats)
		if !ce.UserRequired {
			t.Error("NotEnoughSeats without UserRequired")
		}
		if len(f.app.Users()) != 3 {
			t.Fatalf("users %v; want 3", emails(f.app.Users()))
		}
	})
	t.Run("users", func(t *testing.T) {
		got, err := f.c.Users(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].Email != "ada@example.com" || got[0].FirstName != "Ada" || got[0].LastName != "Lovelace" ||
			!slices.Equal(got[0].Entitlements, []string{"member"}) {
			t.Fatalf("users %+v", got)
		}
	})
	t.Run("set entitlements", func(t *testing.T) {
		if err := f.c.SetEntitlements(ctx, "ada@example.com", []string{"admin"}); err != nil {
			t.Fatal(err)
		}
		if got := appUser(f.app, "ada@example.com"); got.Role != "admin" {
			t.Fatalf("ada's role %q; want admin", got.Role)
		}
		if err := f.c.SetEntitlements(ctx, "zed@example.com", []string{"admin"}); !errors.Is(err, connector.ErrUserNotFound) {
			t.Fatalf("unknown user: %v; want ErrUserNotFound", err)
		}
	})
	t.Run("remove twice", func(t *testing.T) {
		for i := range 2 {
			if err := f.c.Remove(ctx, "bob@example.com"); err != nil {
				t.Fatalf("remove #%d: %v", i+1, err)
			}
		}
		if got := emails(f.app.Users()); slices.Contains(got, "bob@example.com:viewer") || len(got) != 2 {
			t.Fatalf("users after remove %v", got)
		}
	})
	t.Run("change password", func(t *testing.T) {
		const next = "an-even-better-one-42"
		if err := f.c.ChangePassword(ctx, adminPass, next); err != nil {
			t.Fatal(err)
		}
		// The client signs in with the new password from now on...
		if _, err := f.c.Users(ctx); err != nil {
			t.Fatalf("the same client after the change: %v", err)
		}
		// ...and so does anyone who has it, while the old one is refused.
		fresh := creds()
		fresh.Password = next
		if _, err := f.client(t, SampleAppRecipe(), fresh).Entitlements(ctx); err != nil {
			t.Fatalf("a new client with the new password: %v", err)
		}
		_, err := f.client(t, SampleAppRecipe(), creds()).Entitlements(ctx)
		connErr(t, err, latchkey.JobErrBadCredentials)
	})
}

func TestBadCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sampleapp.Config{})
	wrongCode := func() (string, error) {
		c, err := totpCode()
		var b strings.Builder
		for _, d := range c { // every digit off by one: never a valid code
			b.WriteByte(byte('0' + (d-'0'+1)%10))
		}
		return b.String(), err
	}
	cases := []struct {
		name  string
		creds connector.Credentials
		hide  string
	}{
		{"wrong password", connector.Credentials{Username: adminUser, Password: "hunter2-not-it", TOTP: totpCode}, "hunter2-not-it"},
		{"wrong code", connector.Credentials{Username: adminUser, Password: adminPass, TOTP: wrongCode}, adminPass},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.client(t, SampleAppRecipe(), tc.creds).Users(testContext(t))
			ce := connErr(t, err, latchkey.JobErrBadCredentials)
			if !ce.UserRequired {
				t.Error("BadCredentials without UserRequired")
			}
			if strings.Contains(err.Error(), tc.hide) || strings.Contains(ce.Step, tc.hide) {
				t.Errorf("the password is in the error: %v (step %s)", err, ce.Step)
			}
		})
	}
	t.Run("no TOTP seed", func(t *testing.T) {
		cr := creds()
		cr.TOTP = nil
		c, err := New(Config{BaseURL: f.srv.URL, Recipe: SampleAppRecipe(), Timeout: time.Second, Browser: sharedBrowser(t)}, cr)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Users(testContext(t))
		// The login skips the code step, so the app never lets it in, and
		// the wait for the users table fails.
		connErr(t, err, latchkey.JobErrStepFailed)
	})
}

func TestStepFailedScreenshot(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sampleapp.Config{})
	recipe := bytes.Replace(SampleAppRecipe(),
		[]byte(`{"step": "navigate", "url": "/admin/users"},
    {"step": "read_table"`),
		[]byte(`{"step": "navigate", "url": "/admin/users"},
    {"step": "wait_for", "selector": "#no-such-thing", "timeout": "1s"},
    {"step": "read_table"`), 1)
	if bytes.Equal(recipe, SampleAppRecipe()) {
		t.Fatal("the test's edit of the recipe did not apply")
	}
	start := time.Now()
	_, err := f.client(t, recipe, creds()).Users(testContext(t))
	ce := connErr(t, err, latchkey.JobErrStepFailed)
	if want := "list_users[1] wait_for #no-such-thing"; ce.Step != want {
		t.Errorf("step %q; want %q", ce.Step, want)
	}
	if !strings.Contains(ce.Message, "#no-such-thing") {
		t.Errorf("message %q does not name the selector", ce.Message)
	}
	if dir := os.Getenv("BROWSER_TEST_SCREENSHOTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "step-failed.png"), ce.Screenshot, 0o644)
	}
	if !bytes.HasPrefix(ce.Screenshot, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("screenshot is %d bytes without the PNG signature", len(ce.Screenshot))
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the step's own 1s timeout was not used: took %v", d)
	}
}

func TestUnavailable(t *testing.T) {
	t.Parallel()
	t.Run("down", func(t *testing.T) {
		f := newFixture(t, sampleapp.Config{})
		f.app.SetDown(true)
		_, err := f.c.Users(testContext(t))
		ce := connErr(t, err, latchkey.JobErrApplicationUnavailable)
		if !ce.Temporary {
			t.Error("ApplicationUnavailable without Temporary")
		}
		if !strings.Contains(err.Error(), "503") {
			t.Errorf("error %v does not say 503", err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		f := newFixture(t, sampleapp.Config{})
		f.srv.Close()
		_, err := f.c.Users(testContext(t))
		connErr(t, err, latchkey.JobErrApplicationUnavailable)
	})
	t.Run("slower than the step timeout", func(t *testing.T) {
		sharedBrowser(t)
		app, err := sampleapp.New(sampleapp.Config{AdminUsername: adminUser, AdminPassword: adminPass, Latency: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(app)
		t.Cleanup(srv.Close)
		c, err := New(Config{BaseURL: srv.URL, Recipe: SampleAppRecipe(), Timeout: 500 * time.Millisecond, Browser: sharedBrowser(t)},
			connector.Credentials{Username: adminUser, Password: adminPass})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Users(testContext(t))
		connErr(t, err, latchkey.JobErrApplicationUnavailable)
	})
	t.Run("caller's deadline", func(t *testing.T) {
		f := newFixture(t, sampleapp.Config{})
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		_, err := f.c.Users(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error %v; want one wrapping context.DeadlineExceeded", err)
		}
		connErr(t, err, latchkey.JobErrApplicationUnavailable)
	})
}

func TestOwnBrowser(t *testing.T) {
	t.Parallel()
	sharedBrowser(t) // only for the skip
	f := newFixture(t, sampleapp.Config{})
	// No Config.Browser: the client starts Chromium itself and Close
	// stops it.
	c, err := New(Config{BaseURL: f.srv.URL, Recipe: SampleAppRecipe(), Timeout: stepTimeout}, creds())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Entitlements(testContext(t)); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Entitlements(testContext(t)); err == nil {
		t.Fatal("a closed client still works")
	}
}
