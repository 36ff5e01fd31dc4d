package sampleapp

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

const (
	testUser   = "admin@example.com"
	testPass   = "correct horse battery"
	testSecret = "JBSWY3DPEHPK3PXP"
)

// browser is a cookie-keeping HTTP client that follows redirects, which is
// all a person's browser does for these pages.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string // from the last page that had a form
}

func newApp(t *testing.T, cfg Config) (*App, *browser) {
	t.Helper()
	if cfg.AdminUsername == "" {
		cfg.AdminUsername, cfg.AdminPassword = testUser, testPass
	}
	app, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return app, &browser{t: t, base: srv.URL, c: &http.Client{Jar: jar, Timeout: 5 * time.Second}}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// page is an answer: where the redirects ended, the status and the HTML.
type page struct {
	path   string
	status int
	body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return page{path: resp.Request.URL.Path, status: resp.StatusCode, body: string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post submits a form with the CSRF token of the last page seen, unless the
// test set csrf_token itself.
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	if !form.Has("csrf_token") {
		form.Set("csrf_token", b.csrf)
	}
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) signIn(user, pass string, secret string) page {
	b.t.Helper()
	b.get("/login")
	p := b.post("/login", url.Values{"username": {user}, "password": {pass}})
	if secret == "" || p.path != "/login/totp" {
		return p
	}
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		b.t.Fatal(err)
	}
	return b.post("/login/totp", url.Values{"code": {code}})
}

var flashText = regexp.MustCompile(`id="flash" class="flash" data-kind="(\w+)"[^>]*>([^<]*)<`)

// flash returns the kind and text of the page's flash message.
func (p page) flash() (kind, text string) {
	m := flashText.FindStringSubmatch(p.body)
	if m == nil {
		return "", ""
	}
	return m[1], m[2]
}

func TestLogin(t *testing.T) {
	t.Run("password and TOTP", func(t *testing.T) {
		_, b := newApp(t, Config{TOTPSecret: testSecret})
		b.get("/login")
		p := b.post("/login", url.Values{"username": {testUser}, "password": {testPass}})
		if p.path != "/login/totp" || !strings.Contains(p.body, `id="code"`) {
			t.Fatalf("after the password: at %s, want the code form", p.path)
		}
		// The second factor is owed: the admin pages are still closed.
		if got := b.get("/admin/users").path; got != "/login" {
			t.Fatalf("admin page before the code: at %s, want /login", got)
		}
		p = b.signIn(testUser, testPass, testSecret)
		if p.path != "/admin/users" || !strings.Contains(p.body, `id="users"`) {
			t.Fatalf("after the code: at %s (status %d), want the users page", p.path, p.status)
		}
	})
	t.Run("no second factor", func(t *testing.T) {
		_, b := newApp(t, Config{})
		if p := b.signIn(testUser, testPass, ""); p.path != "/admin/users" {
			t.Fatalf("at %s, want /admin/users", p.path)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		_, b := newApp(t, Config{TOTPSecret: testSecret})
		p := b.signIn(testUser, "wrong", testSecret)
		if p.status != http.StatusUnauthorized || !strings.Contains(p.body, `id="error"`) {
			t.Fatalf("status %d, error element present %v; want 401 with #error", p.status, strings.Contains(p.body, `id="error"`))
		}
		if strings.Contains(p.body, "wrong") {
			t.Error("the page echoes the password typed")
		}
		if got := b.get("/admin/users").path; got != "/login" {
			t.Fatalf("admin page after a failed login: at %s, want /login", got)
		}
	})
	t.Run("wrong code", func(t *testing.T) {
		_, b := newApp(t, Config{TOTPSecret: testSecret})
		b.get("/login")
		b.post("/login", url.Values{"username": {testUser}, "password": {testPass}})
		p := b.post("/login/totp", url.Values{"code": {"000000"}})
		if code, _ := totp.GenerateCode(testSecret, time.Now()); code == "000000" {
			t.Skip("the current code happens to be 000000")
		}
		if p.status != http.StatusUnauthorized || !strings.Contains(p.body, `id="error"`) {
			t.Fatalf("status %d; want 401 with #error", p.status)
		}
		if got := b.get("/admin/users").path; got != "/login" {
			t.Fatalf("admin page after a wrong code: at %s, want /login", got)
		}
	})
	t.Run("session cookie", func(t *testing.T) {
		_, b := newApp(t, Config{})
		resp, err := b.c.Get(b.base + "/login")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cs := resp.Cookies()
		if len(cs) != 1 || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteLaxMode {
			t.Fatalf("cookies %v; want one HttpOnly SameSite=Lax session cookie", cs)
		}
	})
	t.Run("logout", func(t *testing.T) {
		_, b := newApp(t, Config{})
		b.signIn(testUser, testPass, "")
		if p := b.post("/logout", url.Values{}); p.path != "/login" {
			t.Fatalf("after logout at %s", p.path)
		}
		if got := b.get("/admin/users").path; got != "/login" {
			t.Fatalf("admin page after logout: at %s, want /login", got)
		}
	})
}

func TestUnauthenticatedRedirects(t *testing.T) {
	_, b := newApp(t, Config{})
	for _, path := range []string{"/admin/users", "/admin/roles", "/account/password", "/"} {
		if got := b.get(path).path; got != "/login" {
			t.Errorf("GET %s: at %s, want /login", path, got)
		}
	}
}

func TestUsers(t *testing.T) {
	app, b := newApp(t, Config{Seats: 2})
	b.signIn(testUser, testPass, "")
	invite := func(email, role string) url.Values {
		return url.Values{"email": {email}, "first_name": {"Ada"}, "last_name": {"Lovelace"}, "role": {role}}
	}
	steps := []struct {
		name      string
		path      string
		form      url.Values
		wantKind  string
		wantText  string
		wantUsers []User
	}{
		{"invite", "/admin/users/invite", invite("ada@example.com", "member"), "ok", "Invited ada@example.com",
			[]User{{"ada@example.com", "Ada", "Lovelace", "member"}}},
		{"duplicate, other case", "/admin/users/invite", invite("ADA@example.com", "viewer"), "error", "already a member",
			[]User{{"ada@example.com", "Ada", "Lovelace", "member"}}},
		{"unknown role", "/admin/users/invite", invite("bob@example.com", "owner"), "error", "unknown role", nil},
		{"invalid email", "/admin/users/invite", invite("bob", "member"), "error", "not a valid email", nil},
		{"second seat", "/admin/users/invite", invite("bob@example.com", "viewer"), "ok", "Invited bob@example.com", nil},
		{"seats full", "/admin/users/invite", invite("cy@example.com", "viewer"), "error", "no seats left", nil},
		{"duplicate when full", "/admin/users/invite", invite("bob@example.com", "viewer"), "error", "already a member", nil},
		{"change role", "/admin/users/role", url.Values{"email": {"bob@example.com"}, "role": {"admin"}}, "ok", "is now admin",
			[]User{{"ada@example.com", "Ada", "Lovelace", "member"}, {"bob@example.com", "Ada", "Lovelace", "admin"}}},
		{"change role to unknown", "/admin/users/role", url.Values{"email": {"bob@example.com"}, "role": {"root"}}, "error", "unknown role", nil},
		{"change role of stranger", "/admin/users/role", url.Values{"email": {"zed@example.com"}, "role": {"admin"}}, "error", "not a member", nil},
		{"remove", "/admin/users/remove", url.Values{"email": {"ada@example.com"}}, "ok", "Removed ada@example.com",
			[]User{{"bob@example.com", "Ada", "Lovelace", "admin"}}},
		{"remove again", "/admin/users/remove", url.Values{"email": {"ada@example.com"}}, "error", "not a member", nil},
		{"seat freed", "/admin/users/invite", invite("cy@example.com", "viewer"), "ok", "Invited cy@example.com", nil},
	}
	for _, s := range steps {
		b.get("/admin/users")
		p := b.post(s.path, s.form)
		if p.path != "/admin/users" {
			t.Fatalf("%s: at %s, want /admin/users", s.name, p.path)
		}
		kind, text := p.flash()
		if kind != s.wantKind || !strings.Contains(text, s.wantText) {
			t.Errorf("%s: flash %s %q; want %s containing %q", s.name, kind, text, s.wantKind, s.wantText)
		}
		if s.wantUsers != nil && !slices.Equal(app.Users(), s.wantUsers) {
			t.Errorf("%s: users %v; want %v", s.name, app.Users(), s.wantUsers)
		}
	}
	// The flash is shown once.
	if kind, _ := b.get("/admin/users").flash(); kind != "" {
		t.Errorf("the flash message was shown twice")
	}
	p := b.get("/admin/users")
	for _, want := range []string{`<tr data-email="bob@example.com">`, `<td class="role">admin</td>`, `id="invite"`, `2 of 2 seats used`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("users page lacks %s", want)
		}
	}
}

func TestRolesPage(t *testing.T) {
	_, b := newApp(t, Config{Roles: []string{"owner", "editor"}, Users: []User{{Email: "e@example.com", Role: "editor"}}})
	b.signIn(testUser, testPass, "")
	p := b.get("/admin/roles")
	for _, want := range []string{`id="roles"`, `<tr data-role="owner">`, `<td class="label">Editor</td>`, `<td class="count">1</td>`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("roles page lacks %s", want)
		}
	}
}

func TestCSRF(t *testing.T) {
	app, b := newApp(t, Config{})
	b.signIn(testUser, testPass, "")
	b.get("/admin/users")
	form := url.Values{"email": {"eve@example.com"}, "role": {"admin"}}
	for name, token := range map[string][]string{"missing": {""}, "wrong": {"not-the-token"}} {
		form["csrf_token"] = token
		if p := b.post("/admin/users/invite", form); p.status != http.StatusForbidden {
			t.Errorf("%s token: status %d, want 403", name, p.status)
		}
	}
	if len(app.Users()) != 0 {
		t.Fatalf("a forged invite went through: %v", app.Users())
	}
	// A login form posted from elsewhere has no session and no token.
	_, other := newApp(t, Config{})
	if p := other.post("/login", url.Values{"username": {testUser}, "password": {testPass}}); p.status != http.StatusForbidden {
		t.Errorf("login without a session: status %d, want 403", p.status)
	}
}

func TestChangePassword(t *testing.T) {
	_, b := newApp(t, Config{})
	b.signIn(testUser, testPass, "")
	cases := []struct {
		current, next, kind, text string
	}{
		{"nope", "brand new secret", "error", "current password is wrong"},
		{testPass, "short", "error", "at least 8"},
		{testPass, testPass, "error", "must differ"},
		{testPass, "brand new secret", "ok", "password was changed"},
	}
	for _, c := range cases {
		b.get("/account/password")
		p := b.post("/account/password", url.Values{"current_password": {c.current}, "new_password": {c.next}})
		if kind, text := p.flash(); kind != c.kind || !strings.Contains(text, c.text) {
			t.Errorf("change %q→%q: flash %s %q; want %s %q", c.current, c.next, kind, text, c.kind, c.text)
		}
	}
	b.post("/logout", url.Values{})
	if p := b.signIn(testUser, testPass, ""); p.path == "/admin/users" {
		t.Error("the old password still works")
	}
	if p := b.signIn(testUser, "brand new secret", ""); p.path != "/admin/users" {
		t.Errorf("the new password: at %s, want /admin/users", p.path)
	}
}

func TestSetDownAndCredentials(t *testing.T) {
	app, b := newApp(t, Config{})
	app.SetDown(true)
	if p := b.get("/login"); p.status != http.StatusServiceUnavailable {
		t.Fatalf("down: status %d, want 503", p.status)
	}
	app.SetDown(false)
	app.SetCredentials("root", "another password")
	if p := b.signIn(testUser, testPass, ""); p.status != http.StatusUnauthorized {
		t.Errorf("old credentials: status %d, want 401", p.status)
	}
	if p := b.signIn("root", "another password", ""); p.path != "/admin/users" {
		t.Errorf("new credentials: at %s, want /admin/users", p.path)
	}
}

func TestLatency(t *testing.T) {
	_, b := newApp(t, Config{Latency: 50 * time.Millisecond})
	start := time.Now()
	b.get("/login")
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("answered in %v, want at least the 50ms latency", d)
	}
}

func TestNewRejects(t *testing.T) {
	cases := map[string]Config{
		"no admin":       {},
		"negative seats": {AdminUsername: "a", AdminPassword: "b", Seats: -1},
		"bad secret":     {AdminUsername: "a", AdminPassword: "b", TOTPSecret: "not base32!"},
		"duplicate role": {AdminUsername: "a", AdminPassword: "b", Roles: []string{"x", "x"}},
		"seed over seats": {AdminUsername: "a", AdminPassword: "b", Seats: 1, Users: []User{
			{Email: "a@example.com", Role: "member"}, {Email: "b@example.com", Role: "member"}}},
	}
	for name, cfg := range cases {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}
