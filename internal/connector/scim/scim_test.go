package scim_test

import (
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector"
	"github.com/latchkeyhq/latchkey/internal/connector/scim"
	"github.com/latchkeyhq/latchkey/internal/connector/scim/scimtest"
)

const token = "s3cr3t-token-4f9a2c" // distinctive, so a leak into an error is found

// fixture is a seeded provider and a client for it. The seed: groups
// Admins, Engineering and Finance; alice@example.com in Engineering.
type fixture struct {
	p      *scimtest.Provider
	client *scim.Client
}

type setup struct {
	provider []scimtest.Option // how the provider misbehaves, if at all
	pageSize int               // the client's count per page; 0 means its default
	timeout  time.Duration
}

func newFixture(t *testing.T, s setup) *fixture {
	t.Helper()
	p := scimtest.Start(t, token, s.provider...)
	for _, g := range []string{"Admins", "Engineering", "Finance"} {
		p.AddGroup(g)
	}
	p.AddUser("alice@example.com", "Engineering")
	c, err := scim.New(scim.Config{BaseURL: p.URL, Token: token, PageSize: s.pageSize, Timeout: s.timeout})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &fixture{p: p, client: c}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// usersByEmail calls Users and indexes the answer, failing on duplicates.
func usersByEmail(t *testing.T, ctx context.Context, c *scim.Client) map[string]connector.User {
	t.Helper()
	users, err := c.Users(ctx)
	if err != nil {
		t.Fatalf("Users: %v", err)
	}
	out := map[string]connector.User{}
	for _, u := range users {
		if _, dup := out[u.Email]; dup {
			t.Fatalf("Users returned %s twice", u.Email)
		}
		out[u.Email] = u
	}
	return out
}

// state is what the provider holds: each userName with the sorted names
// of its groups, what the tests compare before and after.
func state(p *scimtest.Provider) map[string][]string {
	out := map[string][]string{}
	for _, u := range p.Users() {
		out[u.UserName] = u.Groups
	}
	return out
}

func equalState(a, b map[string][]string) bool {
	return maps.EqualFunc(a, b, func(x, y []string) bool { return slices.Equal(x, y) })
}

// writes counts the requests so far that may change the provider.
func writes(p *scimtest.Provider) int {
	n := 0
	for _, r := range p.Requests() {
		if r.Method != http.MethodGet {
			n++
		}
	}
	return n
}

// listParams collects the values of the query parameter key sent on the
// list requests so far.
func listParams(p *scimtest.Provider, key string) []string {
	var out []string
	for _, r := range p.Requests() {
		if r.Method == http.MethodGet && r.Query.Has(key) {
			out = append(out, r.Query.Get(key))
		}
	}
	return out
}

func asConnectorError(t *testing.T, err error) *connector.Error {
	t.Helper()
	var ce *connector.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *connector.Error", err, err)
	}
	return ce
}

func TestNewValidatesConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  scim.Config
		ok   bool
	}{
		{"https", scim.Config{BaseURL: "https://app.example.com/scim/v2", Token: token}, true},
		{"http with trailing slash", scim.Config{BaseURL: "http://127.0.0.1:8080/scim/v2/", Token: token}, true},
		{"empty", scim.Config{BaseURL: "", Token: token}, false},
		{"relative", scim.Config{BaseURL: "/scim/v2", Token: token}, false},
		{"no scheme", scim.Config{BaseURL: "app.example.com/scim/v2", Token: token}, false},
		{"ftp", scim.Config{BaseURL: "ftp://app.example.com/scim", Token: token}, false},
		{"credentials in URL", scim.Config{BaseURL: "https://admin:" + token + "@app.example.com/scim/v2", Token: token}, false},
		{"query", scim.Config{BaseURL: "https://app.example.com/scim/v2?x=1", Token: token}, false},
		{"no token", scim.Config{BaseURL: "https://app.example.com/scim/v2"}, false},
		{"negative timeout", scim.Config{BaseURL: "https://app.example.com/scim/v2", Token: token, Timeout: -time.Second}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := scim.New(tt.cfg)
			if tt.ok {
				if err != nil || c == nil {
					t.Fatalf("New = %v, %v; want a client", c, err)
				}
				return
			}
			if err == nil {
				t.Fatal("New accepted the config")
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
}

func TestConfigFrom(t *testing.T) {
	cfg := scim.ConfigFrom(latchkey.ConnectorConfig{Kind: latchkey.ConnectorSCIM, URL: "https://a.example/scim/v2", Token: token, Timeout: time.Second})
	if cfg.BaseURL != "https://a.example/scim/v2" || cfg.Token != token || cfg.Timeout != time.Second {
		t.Errorf("ConfigFrom = %+v", cfg)
	}
}

func TestConnector(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, ctx context.Context, f *fixture)
	}{
		{"entitlements are the groups", func(t *testing.T, ctx context.Context, f *fixture) {
			got, err := f.client.Entitlements(ctx)
			if err != nil {
				t.Fatalf("Entitlements: %v", err)
			}
			var want []latchkey.Entitlement
			for _, n := range []string{"Admins", "Engineering", "Finance"} {
				want = append(want, latchkey.Entitlement{Key: n, Group: latchkey.EntitlementPrimary, Label: n, Value: n})
			}
			if !slices.Equal(got, want) {
				t.Errorf("Entitlements = %+v, want %+v", got, want)
			}
		}},
		{"users carry their group entitlements", func(t *testing.T, ctx context.Context, f *fixture) {
			users := usersByEmail(t, ctx, f.client)
			if len(users) != 1 || !slices.Equal(users["alice@example.com"].Entitlements, []string{"Engineering"}) {
				t.Errorf("Users = %+v, want alice in Engineering", users)
			}
		}},
		{"invite creates the user with their groups", func(t *testing.T, ctx context.Context, f *fixture) {
			got, err := f.client.Invite(ctx, connector.Invite{
				Email: "bob@example.com", FirstName: "Bob", LastName: "Stone",
				Entitlements: []string{"Finance", "Admins"},
			})
			if err != nil {
				t.Fatalf("Invite: %v", err)
			}
			if got.Email != "bob@example.com" || got.FirstName != "Bob" || got.LastName != "Stone" ||
				!slices.Equal(got.Entitlements, []string{"Admins", "Finance"}) {
				t.Errorf("Invite returned %+v", got)
			}
			bob, ok := usersByEmail(t, ctx, f.client)["bob@example.com"]
			if !ok {
				t.Fatal("Users does not list the invited user")
			}
			if bob.FirstName != "Bob" || bob.LastName != "Stone" || !slices.Equal(bob.Entitlements, []string{"Admins", "Finance"}) {
				t.Errorf("Users lists the invited user as %+v", bob)
			}
		}},
		{"invite of a present user changes nothing", func(t *testing.T, ctx context.Context, f *fixture) {
			before := state(f.p)
			_, err := f.client.Invite(ctx, connector.Invite{Email: "ALICE@example.com", Entitlements: []string{"Admins"}})
			if !errors.Is(err, connector.ErrUserExists) {
				t.Fatalf("Invite = %v, want ErrUserExists", err)
			}
			if after := state(f.p); !equalState(before, after) {
				t.Errorf("the provider changed from %v to %v", before, after)
			}
		}},
		{"invite with an unknown entitlement creates nobody", func(t *testing.T, ctx context.Context, f *fixture) {
			before := state(f.p)
			_, err := f.client.Invite(ctx, connector.Invite{Email: "carol@example.com", Entitlements: []string{"Admins", "Wizards"}})
			ce := asConnectorError(t, err)
			if ce.Type != latchkey.JobErrUnknownEntitlement || !strings.Contains(ce.Message, "Wizards") {
				t.Errorf("Invite = %v, want UnknownEntitlement naming Wizards", err)
			}
			if after := state(f.p); !equalState(before, after) {
				t.Errorf("the provider changed from %v to %v", before, after)
			}
			if n := writes(f.p); n != 0 {
				t.Errorf("%d changing requests reached the provider", n)
			}
		}},
		{"invite that races another creation reports the user exists", func(t *testing.T, ctx context.Context, f *fixture) {
			// The look-up finds nobody, as if the user were created just
			// after it; the provider then refuses the duplicate with 409.
			f.p.SetHook(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == http.MethodGet && r.URL.Query().Has("filter") {
					w.Header().Set("Content-Type", "application/scim+json")
					_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}`))
					return true
				}
				return false
			})
			_, err := f.client.Invite(ctx, connector.Invite{Email: "alice@example.com"})
			if !errors.Is(err, connector.ErrUserExists) {
				t.Fatalf("Invite = %v, want ErrUserExists", err)
			}
		}},
		{"invite sends the email as an escaped filter literal", func(t *testing.T, ctx context.Context, f *fixture) {
			addr := `o"brien\x@example.com`
			if _, err := f.client.Invite(ctx, connector.Invite{Email: addr}); err != nil {
				t.Fatalf("Invite: %v", err)
			}
			want := `userName eq "o\"brien\\x@example.com"`
			if got := listParams(f.p, "filter"); !slices.Contains(got, want) {
				t.Errorf("filters sent = %q, want %q", got, want)
			}
			if _, ok := state(f.p)[addr]; !ok {
				t.Errorf("the provider has no user %q", addr)
			}
		}},
		{"an address with a control character is refused before any request", func(t *testing.T, ctx context.Context, f *fixture) {
			_, err := f.client.Invite(ctx, connector.Invite{Email: "eve@example.com\n"})
			if ce := asConnectorError(t, err); ce.Type != latchkey.JobErrInvalidEmail {
				t.Errorf("Invite = %v, want InvalidEmail", err)
			}
			if n := len(f.p.Requests()); n != 0 {
				t.Errorf("%d requests reached the provider", n)
			}
		}},
		{"set entitlements adds and removes, and a second call is a no-op", func(t *testing.T, ctx context.Context, f *fixture) {
			want := []string{"Admins", "Finance"}
			if err := f.client.SetEntitlements(ctx, "alice@example.com", want); err != nil {
				t.Fatalf("SetEntitlements: %v", err)
			}
			if got := usersByEmail(t, ctx, f.client)["alice@example.com"].Entitlements; !slices.Equal(got, want) {
				t.Fatalf("after SetEntitlements alice holds %v, want %v", got, want)
			}
			before := writes(f.p)
			if err := f.client.SetEntitlements(ctx, "alice@example.com", want); err != nil {
				t.Fatalf("second SetEntitlements: %v", err)
			}
			if n := writes(f.p) - before; n != 0 {
				t.Errorf("the second SetEntitlements sent %d changes", n)
			}
			if got := state(f.p)["alice@example.com"]; !slices.Equal(got, want) {
				t.Errorf("the provider has alice in %v, want %v", got, want)
			}
		}},
		{"set entitlements to none removes every group", func(t *testing.T, ctx context.Context, f *fixture) {
			if err := f.client.SetEntitlements(ctx, "alice@example.com", nil); err != nil {
				t.Fatalf("SetEntitlements: %v", err)
			}
			if got := state(f.p)["alice@example.com"]; len(got) != 0 {
				t.Errorf("the provider has alice in %v", got)
			}
		}},
		{"set entitlements of an unknown user", func(t *testing.T, ctx context.Context, f *fixture) {
			err := f.client.SetEntitlements(ctx, "nobody@example.com", []string{"Admins"})
			if !errors.Is(err, connector.ErrUserNotFound) {
				t.Errorf("SetEntitlements = %v, want ErrUserNotFound", err)
			}
		}},
		{"set entitlements with an unknown key changes nothing", func(t *testing.T, ctx context.Context, f *fixture) {
			before := state(f.p)
			err := f.client.SetEntitlements(ctx, "alice@example.com", []string{"Admins", "Wizards"})
			if ce := asConnectorError(t, err); ce.Type != latchkey.JobErrUnknownEntitlement {
				t.Errorf("SetEntitlements = %v, want UnknownEntitlement", err)
			}
			if after := state(f.p); !equalState(before, after) {
				t.Errorf("the provider changed from %v to %v", before, after)
			}
		}},
		{"remove deletes the user, and a second remove succeeds", func(t *testing.T, ctx context.Context, f *fixture) {
			if err := f.client.Remove(ctx, "alice@example.com"); err != nil {
				t.Fatalf("Remove: %v", err)
			}
			if _, ok := usersByEmail(t, ctx, f.client)["alice@example.com"]; ok {
				t.Error("Users still lists the removed user")
			}
			if err := f.client.Remove(ctx, "alice@example.com"); err != nil {
				t.Errorf("second Remove = %v, want nil", err)
			}
		}},
		{"remove of a user deleted between look-up and delete succeeds", func(t *testing.T, ctx context.Context, f *fixture) {
			f.p.SetHook(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == http.MethodDelete {
					return scimtest.Fail(http.StatusNotFound, "", "Resource not found.")(w, r)
				}
				return false
			})
			if err := f.client.Remove(ctx, "alice@example.com"); err != nil {
				t.Errorf("Remove = %v, want nil", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, testContext(t), newFixture(t, setup{}))
		})
	}
}

// TestWithoutPatch checks that membership changes still work against a
// provider that does not implement PATCH, by GET and PUT of the group.
func TestWithoutPatch(t *testing.T) {
	for _, status := range []int{http.StatusNotImplemented, http.StatusMethodNotAllowed} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			ctx := testContext(t)
			f := newFixture(t, setup{provider: []scimtest.Option{scimtest.WithoutPatch(status)}})
			if _, err := f.client.Invite(ctx, connector.Invite{Email: "bob@example.com", Entitlements: []string{"Admins", "Finance"}}); err != nil {
				t.Fatalf("Invite: %v", err)
			}
			if err := f.client.SetEntitlements(ctx, "alice@example.com", []string{"Admins"}); err != nil {
				t.Fatalf("SetEntitlements: %v", err)
			}
			want := map[string][]string{
				"alice@example.com": {"Admins"},
				"bob@example.com":   {"Admins", "Finance"},
			}
			if got := state(f.p); !equalState(got, want) {
				t.Errorf("the provider has %v, want %v", got, want)
			}
			if err := f.client.SetEntitlements(ctx, "bob@example.com", []string{"Finance"}); err != nil {
				t.Fatalf("SetEntitlements: %v", err)
			}
			if got := state(f.p)["bob@example.com"]; !slices.Equal(got, []string{"Finance"}) {
				t.Errorf("the provider has bob in %v, want [Finance]", got)
			}
		})
	}
}

// TestWithoutPatchConcurrentChange checks that the GET+PUT fallback does
// not overwrite a membership change another client made between the two.
func TestWithoutPatchConcurrentChange(t *testing.T) {
	ctx := testContext(t)
	f := newFixture(t, setup{provider: []scimtest.Option{scimtest.WithoutPatch(http.StatusNotImplemented)}})
	f.p.AddUser("carol@example.com")
	var puts atomic.Int32
	f.p.SetHook(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPut && puts.Add(1) == 1 {
			f.p.Join("carol@example.com", "Admins") // lands after our GET, before our PUT
		}
		return false
	})
	if err := f.client.SetEntitlements(ctx, "alice@example.com", []string{"Admins", "Engineering"}); err != nil {
		t.Fatalf("SetEntitlements: %v", err)
	}
	want := map[string][]string{
		"alice@example.com": {"Admins", "Engineering"},
		"carol@example.com": {"Admins"},
	}
	if got := state(f.p); !equalState(got, want) {
		t.Errorf("the provider has %v, want %v", got, want)
	}
}

func TestPaging(t *testing.T) {
	tests := []struct {
		name string
		s    setup
	}{
		{"the client asks for small pages", setup{pageSize: 2}},
		{"the provider caps the page", setup{provider: []scimtest.Option{scimtest.WithMaxResults(2)}}},
		{"the provider caps below the asked count", setup{pageSize: 3, provider: []scimtest.Option{scimtest.WithMaxResults(2)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			f := newFixture(t, tt.s)
			// 7 more users and 4 more groups, so both lists span pages.
			groups := []string{"G1", "G2", "G3", "G4"}
			for _, g := range groups {
				f.p.AddGroup(g)
			}
			for _, n := range []string{"u1", "u2", "u3", "u4", "u5", "u6", "u7"} {
				f.p.AddUser(n+"@example.com", groups...)
			}

			users := usersByEmail(t, ctx, f.client)
			want := state(f.p)
			if len(users) != len(want) {
				t.Errorf("Users returned %d users, want %d", len(users), len(want))
			}
			for email, groups := range want {
				if u, ok := users[email]; !ok || !slices.Equal(u.Entitlements, groups) {
					t.Errorf("Users has %s as %+v, want entitlements %v", email, u, groups)
				}
			}
			ents, err := f.client.Entitlements(ctx)
			if err != nil {
				t.Fatalf("Entitlements: %v", err)
			}
			if len(ents) != 7 {
				t.Errorf("Entitlements returned %d, want 7: %+v", len(ents), ents)
			}
			if tt.s.pageSize != 0 {
				for _, c := range listParams(f.p, "count") {
					if c != strconv.Itoa(tt.s.pageSize) {
						t.Errorf("a list request asked for %s, want the page size %d", c, tt.s.pageSize)
					}
				}
			}
		})
	}
}

// operations are the five Connector methods, each as a call that would
// change or read the seeded provider.
var operations = []struct {
	name string
	call func(ctx context.Context, c connector.Connector) error
}{
	{"Entitlements", func(ctx context.Context, c connector.Connector) error { _, err := c.Entitlements(ctx); return err }},
	{"Users", func(ctx context.Context, c connector.Connector) error { _, err := c.Users(ctx); return err }},
	{"Invite", func(ctx context.Context, c connector.Connector) error {
		_, err := c.Invite(ctx, connector.Invite{Email: "bob@example.com", Entitlements: []string{"Admins"}})
		return err
	}},
	{"SetEntitlements", func(ctx context.Context, c connector.Connector) error {
		return c.SetEntitlements(ctx, "alice@example.com", []string{"Admins"})
	}},
	{"Remove", func(ctx context.Context, c connector.Connector) error { return c.Remove(ctx, "alice@example.com") }},
}

func TestFailures(t *testing.T) {
	longDetail := "The request was refused for token " + token + ": " + strings.Repeat("x", 1000)
	tests := []struct {
		name string
		// client makes the client under test against the seeded fixture.
		client func(t *testing.T, f *fixture) *scim.Client
		// hook, when set, answers in the provider's place.
		hook  scimtest.Hook
		check func(t *testing.T, err error, elapsed time.Duration)
	}{
		{
			name: "wrong token",
			client: func(t *testing.T, f *fixture) *scim.Client {
				return mustNew(t, scim.Config{BaseURL: f.p.URL, Token: "wrong-" + token})
			},
			check: func(t *testing.T, err error, _ time.Duration) {
				ce := asConnectorError(t, err)
				if ce.Type != latchkey.JobErrBadCredentials || !ce.UserRequired || ce.Temporary {
					t.Errorf("err = %+v, want BadCredentials, UserRequired", ce)
				}
			},
		},
		{
			name: "provider forbids, echoing the token",
			hook: func(w http.ResponseWriter, r *http.Request) bool {
				return scimtest.Fail(http.StatusForbidden, "", "Token "+r.Header.Get("Authorization")+" may not do this.")(w, r)
			},
			check: func(t *testing.T, err error, _ time.Duration) {
				if ce := asConnectorError(t, err); ce.Type != latchkey.JobErrBadCredentials || !ce.UserRequired {
					t.Errorf("err = %+v, want BadCredentials, UserRequired", ce)
				}
			},
		},
		{
			name: "provider down",
			client: func(t *testing.T, f *fixture) *scim.Client {
				f.p.Close()
				return f.client
			},
			check: wantUnavailable,
		},
		{
			name: "provider slower than the timeout",
			client: func(t *testing.T, f *fixture) *scim.Client {
				return mustNew(t, scim.Config{BaseURL: f.p.URL, Token: token, Timeout: 200 * time.Millisecond})
			},
			hook: scimtest.Slow(time.Minute),
			check: func(t *testing.T, err error, elapsed time.Duration) {
				wantUnavailable(t, err, elapsed)
				if elapsed > 3*time.Second {
					t.Errorf("the call took %v despite a 200ms timeout", elapsed)
				}
			},
		},
		{
			name: "provider failing with 503",
			hook: scimtest.Fail(http.StatusServiceUnavailable, "", "Down for maintenance."),
			check: func(t *testing.T, err error, elapsed time.Duration) {
				wantUnavailable(t, err, elapsed)
				if !strings.Contains(err.Error(), "Down for maintenance.") {
					t.Errorf("err = %v, want the provider's detail", err)
				}
			},
		},
		{
			name: "provider refusing the request with a long detail",
			hook: scimtest.Fail(http.StatusBadRequest, "invalidValue", longDetail),
			check: func(t *testing.T, err error, _ time.Duration) {
				ce := asConnectorError(t, err)
				if ce.Type != latchkey.JobErrInternal || ce.Temporary || ce.UserRequired {
					t.Errorf("err = %+v, want a permanent InternalError", ce)
				}
				if !strings.Contains(ce.Message, "The request was refused") || !strings.Contains(ce.Message, "invalidValue") {
					t.Errorf("Message = %q, want the provider's detail", ce.Message)
				}
				if strings.Count(ce.Message, "x") > 300 {
					t.Errorf("Message holds more than 300 characters of the detail: %d", len(ce.Message))
				}
			},
		},
		{
			name: "provider answering something other than JSON",
			hook: func(w http.ResponseWriter, r *http.Request) bool {
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "text/html")
				_, _ = w.Write([]byte("<html>login</html>"))
				return true
			},
			check: func(t *testing.T, err error, _ time.Duration) {
				if ce := asConnectorError(t, err); ce.Type != latchkey.JobErrInternal {
					t.Errorf("err = %+v, want InternalError", ce)
				}
			},
		},
	}
	for _, tt := range tests {
		for _, op := range operations {
			t.Run(tt.name+"/"+op.name, func(t *testing.T) {
				ctx := testContext(t)
				f := newFixture(t, setup{})
				c := f.client
				if tt.client != nil {
					c = tt.client(t, f)
				}
				f.p.SetHook(tt.hook)
				before := state(f.p)
				start := time.Now()
				err := op.call(ctx, c)
				elapsed := time.Since(start)
				if err == nil {
					t.Fatal("the call succeeded")
				}
				if strings.Contains(err.Error(), token) {
					t.Errorf("the error shows the token: %v", err)
				}
				tt.check(t, err, elapsed)
				f.p.SetHook(nil)
				if after := state(f.p); !equalState(before, after) {
					t.Errorf("the provider changed from %v to %v", before, after)
				}
			})
		}
	}
}

func wantUnavailable(t *testing.T, err error, _ time.Duration) {
	t.Helper()
	ce := asConnectorError(t, err)
	if ce.Type != latchkey.JobErrApplicationUnavailable || !ce.Temporary {
		t.Errorf("err = %+v, want ApplicationUnavailable, Temporary", ce)
	}
}

func mustNew(t *testing.T, cfg scim.Config) *scim.Client {
	t.Helper()
	c, err := scim.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// TestCallerDeadline checks that the caller's context bounds a call even
// when the per-request timeout is longer.
func TestCallerDeadline(t *testing.T) {
	f := newFixture(t, setup{})
	f.p.SetHook(scimtest.Slow(time.Minute))
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := f.client.Users(ctx)
	wantUnavailable(t, err, 0)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want it to wrap context.DeadlineExceeded", err)
	}
}
