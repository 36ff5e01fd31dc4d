package browser

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey/internal/connector"
)

func TestSampleAppRecipeParses(t *testing.T) {
	r, err := ParseRecipe(SampleAppRecipe())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range procedures {
		if !r.Has(p) {
			t.Errorf("the sample recipe lacks %s", p)
		}
	}
	if got := r.procs[procInvite][1].name; got != `invite[1] fail_if #users tr[data-email="{{email}}" i]` {
		t.Errorf("step name %q", got)
	}
	// Each call is a copy: a caller's edit can't change the next.
	b := SampleAppRecipe()
	b[0] = 'X'
	if SampleAppRecipe()[0] != '{' {
		t.Error("SampleAppRecipe shares its bytes")
	}
}

func TestParseRecipeRejects(t *testing.T) {
	const nav = `{"step": "navigate", "url": "/login"}`
	login := func(steps ...string) string {
		return `{"login": [` + strings.Join(append([]string{nav}, steps...), ",") + `]`
	}
	cases := []struct {
		name, recipe, want string
	}{
		{"not JSON", `[`, "not a JSON object"},
		{"unknown procedure", `{"lgoin": []}`, `unknown key "lgoin"`},
		{"no login", `{"remove": [` + nav + `]}`, "login procedure is required"},
		{"empty login", `{"login": []}`, "login procedure is required"},
		{"steps not a list", `{"login": {}}`, "login must be a list of steps"},
		{"unknown kind", login(`{"step": "type", "selector": "#a"}`) + `}`, `login[1]: "step" must be one of`},
		{"missing field", login(`{"step": "fill", "value": "x"}`) + `}`, "login[1] (fill): selector is required"},
		{"empty selector", login(`{"step": "click", "selector": " "}`) + `}`, "login[1] (click): selector must not be empty"},
		{"field of another kind", login(`{"step": "click", "selector": "#a", "url": "/x"}`) + `}`, `login[1] (click): field "url" does not apply to click`},
		{"secret in a selector", login(`{"step": "wait_for", "selector": "#{{password}}"}`) + `}`, "{{password}} is a secret"},
		{"secret in a text", login(`{"step": "assert", "selector": "#a", "text": "{{totp}}"}`) + `}`, "{{totp}} is a secret"},
		{"secret in a select", `{"login": [` + nav + `], "change_password": [{"step": "select", "selector": "#a", "value": "{{newPassword}}"}]}`, "change_password[0] (select): {{newPassword}} is a secret"},
		{"placeholder of another procedure", login(`{"step": "fill", "selector": "#a", "value": "{{email}}"}`) + `}`, "{{email}} is not available in login"},
		{"unknown placeholder", `{"login": [` + nav + `], "invite": [{"step": "fill", "selector": "#a", "value": "{{phone}}"}]}`, "invite[0] (fill): {{phone}} is not available"},
		{"malformed placeholder", `{"login": [` + nav + `], "remove": [{"step": "click", "selector": "#a[x=\"{{email\"]"}]}`, "malformed placeholder"},
		{"bad timeout", login(`{"step": "wait_for", "selector": "#a", "timeout": "soon"}`) + `}`, `timeout "soon" is not a positive duration`},
		{"bad when", login(`{"step": "wait_for", "selector": "#a", "when": "always"}`) + `}`, "when must be"},
		{"bad error type", login(`{"step": "fail_if", "selector": "#a", "errorType": "Oops"}`) + `}`, "errorType must be one of"},
		{"absent with text", login(`{"step": "fail_if", "selector": "#a", "text": "x", "absent": true, "errorType": "UserNotFound"}`) + `}`, "do not go together"},
		{"absolute url", `{"login": [{"step": "navigate", "url": "https://evil.example/login"}]}`, "must be a path relative to the base URL"},
		{"protocol-relative url", `{"login": [{"step": "navigate", "url": "//evil.example/login"}]}`, "must be a path relative to the base URL"},
		{"table outside a listing", `{"login": [` + nav + `], "invite": [{"step": "read_table", "selector": "#t", "columns": {"email": "td"}}]}`, "read_table belongs in"},
		{"users table without email", `{"login": [` + nav + `], "list_users": [{"step": "read_table", "selector": "#t", "columns": {"name": "td"}}]}`, `list_users[0] (read_table): columns must include "email"`},
		{"roles table without key", `{"login": [` + nav + `], "list_entitlements": [{"step": "read_table", "selector": "#t", "columns": {"label": "td"}}]}`, `columns must include "key"`},
		{"wrong field type", login(`{"step": "fail_if", "selector": "#a", "absent": "yes", "errorType": "UserNotFound"}`) + `}`, "login[1]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRecipe([]byte(tc.recipe))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v; want one containing %q", err, tc.want)
			}
		})
	}
}

func TestParseRecipeDefaults(t *testing.T) {
	r, err := ParseRecipe([]byte(`{"login": [
		{"step": "navigate", "url": "/login"},
		{"step": "wait_for", "selector": "#a", "timeout": "1500ms", "when": "totp"}
	], "list_users": [{"step": "read_table", "selector": "#t", "columns": {"email": "@data-email"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if s := r.procs[procLogin][1]; s.Timeout != 1500*time.Millisecond || s.When != whenTOTP {
		t.Errorf("step %+v", s)
	}
	if got := r.procs[procListUsers][0].Rows; got != "tbody tr" {
		t.Errorf("default rows %q", got)
	}
}

func TestExpand(t *testing.T) {
	v := values{plain: map[string]string{phEmail: `o"brien\x@example.com`, phFirstName: "Ann"}}
	if got := v.expand(`tr[data-email="{{email}}"]`, cssString); got != `tr[data-email="o\"brien\\x@example.com"]` {
		t.Errorf("selector %s", got)
	}
	if got := v.expand(`/users/{{ email }}`, urlPath); got != `/users/o%22brien%5Cx@example.com` {
		t.Errorf("url %s", got)
	}
	if got := cssString("a\nb"); got != `a\a b` {
		t.Errorf("newline escaped as %q", got)
	}
	calls := 0
	v.secrets = map[string]func() (string, error){phTOTP: func() (string, error) { calls++; return "123456", nil }}
	got, err := v.expandValue("{{firstName}}:{{totp}}")
	if err != nil || got != "Ann:123456" || calls != 1 {
		t.Errorf("value %q, %v, %d calls", got, err, calls)
	}
	// Only expandValue reaches the secrets.
	if got := v.expand("{{totp}}", raw); got != "" {
		t.Errorf("expand gave a secret: %q", got)
	}
}

func TestRedactor(t *testing.T) {
	r := &redactor{}
	r.add("")
	r.add("hunter2")
	r.add("hunter2")
	r.add("424242")
	if got := r.redact("wrong password hunter2, code 424242"); got != "wrong password [redacted], code [redacted]" {
		t.Errorf("redacted %q", got)
	}
	if len(r.secrets) != 2 {
		t.Errorf("secrets %v", r.secrets)
	}
}

func TestParseColumn(t *testing.T) {
	cases := map[string]column{
		"td.email":                   {Sel: "td.email"},
		"@data-email":                {Attr: "data-email"},
		"td a@href":                  {Sel: "td a", Attr: "href"},
		`td[title="a@b.c"]`:          {Sel: `td[title="a@b.c"]`},
		"td:nth-child(1)":            {Sel: "td:nth-child(1)"},
		`td[title="x@y"] span@title`: {Sel: `td[title="x@y"] span`, Attr: "title"},
	}
	for spec, want := range cases {
		want.Name = "c"
		if got := parseColumn("c", spec); got != want {
			t.Errorf("%q: %+v; want %+v", spec, got, want)
		}
	}
}

func TestUserFromRow(t *testing.T) {
	u, ok := userFromRow(map[string]string{"email": "a@example.com", "name": "Ada King Lovelace", "entitlements": "admin, billing,", "team": "x"})
	if !ok || u.FirstName != "Ada" || u.LastName != "King Lovelace" || !slices.Equal(u.Entitlements, []string{"admin", "billing"}) || u.Fields["team"] != "x" {
		t.Errorf("user %+v", u)
	}
	if _, ok := userFromRow(map[string]string{"email": "Nobody yet"}); ok {
		t.Error("a placeholder row became a user")
	}
}

func TestNewRejects(t *testing.T) {
	recipe := SampleAppRecipe()
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"relative base", Config{BaseURL: "/app", Recipe: recipe}, "must be an absolute http or https URL"},
		{"ftp base", Config{BaseURL: "ftp://app.example", Recipe: recipe}, "must be an absolute http or https URL"},
		{"bad recipe", Config{BaseURL: "http://app.example", Recipe: []byte(`{}`)}, "browser: recipe: the login procedure is required"},
		{"no such browser", Config{BaseURL: "http://app.example", Recipe: recipe, ExecPath: "/nonexistent/chromium"}, "/nonexistent/chromium"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg, connector.Credentials{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v; want one containing %q", err, tc.want)
			}
		})
	}
	_, err := New(Config{BaseURL: "http://app.example", Recipe: recipe, ExecPath: "/nonexistent/chromium"}, connector.Credentials{})
	if !errors.Is(err, ErrNoBrowser) {
		t.Errorf("a missing browser is %v; want ErrNoBrowser", err)
	}
}

func TestResolve(t *testing.T) {
	c := &Client{}
	for base, cases := range map[string]map[string]string{
		"https://app.example/tenant/": {"/login": "https://app.example/tenant/login", "admin/users?page=2": "https://app.example/tenant/admin/users?page=2"},
		"http://127.0.0.1:8080":       {"/login": "http://127.0.0.1:8080/login"},
	} {
		var err error
		if c.base, err = url.Parse(base); err != nil {
			t.Fatal(err)
		}
		for in, want := range cases {
			if got, err := c.resolve(in); err != nil || got != want {
				t.Errorf("%s + %s = %s, %v; want %s", base, in, got, err, want)
			}
		}
	}
	// Whatever the path, it stays a path on the application's host.
	c.base, _ = url.Parse("http://127.0.0.1:8080")
	if got, err := c.resolve("@evil.example/"); err != nil || !strings.HasPrefix(got, "http://127.0.0.1:8080/") {
		t.Errorf("resolve(@evil.example/) = %s, %v; want a path on the base host", got, err)
	}
}

func TestCheckCredentials(t *testing.T) {
	c, err := New(Config{BaseURL: "http://app.example", Recipe: SampleAppRecipe(), Browser: &Browser{}}, connector.Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	var ce *connector.Error
	if err := c.checkCredentials(connector.Credentials{Username: "a"}); !errors.As(err, &ce) || ce.Type != "EmptyPasswordError" {
		t.Errorf("no password: %v", err)
	}
	// The sample recipe's code steps run only with a seed: none is fine.
	if err := c.checkCredentials(connector.Credentials{Username: "a", Password: "b"}); err != nil {
		t.Errorf("no seed: %v", err)
	}
	strict, err := New(Config{BaseURL: "http://app.example", Browser: &Browser{}, Recipe: []byte(`{"login": [
		{"step": "navigate", "url": "/login"}, {"step": "fill", "selector": "#code", "value": "{{totp}}"}]}`)}, connector.Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	if err := strict.checkCredentials(connector.Credentials{Username: "a", Password: "b"}); !errors.As(err, &ce) || ce.Type != "MFANotManagedError" {
		t.Errorf("a required code without a seed: %v", err)
	}
}
