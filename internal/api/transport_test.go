package api_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	apispec "github.com/latchkeyhq/latchkey/api"
	"github.com/latchkeyhq/latchkey/internal/server/servertest"
	"github.com/latchkeyhq/latchkey/internal/testdb"

	"gopkg.in/yaml.v3"
)

func TestAuthenticationHeaders(t *testing.T) {
	f := newFixture(t, testdb.SQLite(t))
	path := "/api/v1/accounts"
	cases := []struct {
		name   string
		header []string
		status int
	}{
		{"no credential", nil, 401},
		{"X-API-Key", []string{"X-API-Key", f.ownerKey}, 200},
		{"x-api-key", []string{"x-api-key", f.ownerKey}, 200},
		{"X-API-KEY", []string{"X-API-KEY", f.ownerKey}, 200},
		{"bearer", []string{"Authorization", "Bearer " + f.ownerToken}, 200},
		{"bearer, lower case scheme", []string{"Authorization", "bearer " + f.ownerToken}, 200},
		{"the key wins over a bad token", []string{"X-API-Key", f.ownerKey, "Authorization", "Bearer lkt_nonsense"}, 200},
		{"a bad key is not rescued by a good token", []string{"X-API-Key", "lk_nonsense", "Authorization", "Bearer " + f.ownerToken}, 401},
		{"a token in X-API-Key", []string{"X-API-Key", f.ownerToken}, 401},
		{"unknown key", []string{"X-API-Key", "lk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, 401},
		{"basic auth", []string{"Authorization", "Basic Zm9vOmJhcg=="}, 401},
		{"extra headers are ignored", []string{"X-API-Key", f.ownerKey, "Origin", "https://evil.example", "cerby-source", "web/v1", "sentry-trace", "abc", "accept-language", "fr"}, 200},
		{"host names the workspace", []string{"X-API-Key", f.ownerKey, "Host", "acme.localhost"}, 200},
		{"host names the workspace, with a port", []string{"X-API-Key", f.ownerKey, "Host", "ACME.localhost:8080"}, 200},
		{"host names another workspace", []string{"X-API-Key", f.ownerKey, "Host", "globex.localhost"}, 401},
		{"host outside the base domain", []string{"X-API-Key", f.ownerKey, "Host", "api.example.com"}, 200},
		{"Cerby-Workspace matches", []string{"Authorization", "Bearer " + f.ownerToken, "Cerby-Workspace", "acme"}, 200},
		{"Cerby-Workspace differs", []string{"Authorization", "Bearer " + f.ownerToken, "Cerby-Workspace", "globex"}, 401},
		{"Cerby-Workspace matches but the host does not", []string{"Authorization", "Bearer " + f.ownerToken, "Cerby-Workspace", "acme", "Host", "globex.localhost"}, 401},
		{"the host matches but Cerby-Workspace does not", []string{"Authorization", "Bearer " + f.ownerToken, "Cerby-Workspace", "globex", "Host", "acme.localhost"}, 401},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.s.Do(t, servertest.Credential{}, "GET", path, nil, c.header...)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
			if c.status == 401 {
				if e := errorOf(t, r); e["code"] != "unauthorized" {
					t.Errorf("code %v", e["code"])
				}
			}
		})
	}
}

func TestRateLimits(t *testing.T) {
	f := newFixture(t, testdb.SQLite(t), servertest.WithRateLimit(3))
	key := servertest.Key(f.ownerKey)
	for i := 0; i < 3; i++ {
		r := f.do(t, key, "GET", "/api/v1/accounts", nil)
		if r.Status != 200 {
			t.Fatalf("request %d: %d", i, r.Status)
		}
		if got := r.Header.Get("RateLimit-Remaining"); got != strconv.Itoa(2-i) {
			t.Errorf("request %d: RateLimit-Remaining %q", i, got)
		}
		if r.Header.Get("RateLimit-Limit") != "3" {
			t.Errorf("RateLimit-Limit %q", r.Header.Get("RateLimit-Limit"))
		}
	}
	r := f.do(t, key, "GET", "/api/v1/accounts", nil)
	if r.Status != 429 || errorOf(t, r)["code"] != "too_many_requests" {
		t.Fatalf("fourth request: %d %s", r.Status, r.Body)
	}
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	// Another credential of another user has its own budget.
	must(t, f.do(t, servertest.Bearer(f.adminToken), "GET", "/api/v1/accounts", nil), 200)
	// Failed authentication is limited per address.
	for i := 0; i < 3; i++ {
		if r := f.do(t, servertest.Key("lk_nonsense"), "GET", "/api/v1/accounts", nil); r.Status != 401 {
			t.Fatalf("failed attempt %d: %d", i, r.Status)
		}
	}
	if r := f.do(t, servertest.Key("lk_nonsense"), "GET", "/api/v1/accounts", nil); r.Status != 429 {
		t.Errorf("fourth failed attempt: %d", r.Status)
	}
}

func TestUnroutedAnswersAreEnvelopes(t *testing.T) {
	f := newFixture(t, testdb.SQLite(t))
	for _, c := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/api/v1/nothing-here", 404, "not_found"},
		{"PUT", "/api/v1/accounts", 405, "method_not_allowed"},
		{"DELETE", "/api/v1/vaults/x", 405, "method_not_allowed"},
	} {
		r := f.do(t, servertest.Key(f.ownerKey), c.method, c.path, nil)
		if r.Status != c.status || errorOf(t, r)["code"] != c.code {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.Status, r.Body)
		}
		if c.status == 405 && r.Header.Get("Allow") == "" {
			t.Errorf("%s %s: no Allow header", c.method, c.path)
		}
	}
}

func TestServerEndpoints(t *testing.T) {
	f := newFixture(t, testdb.SQLite(t))
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 200, "/api/v1/openapi.json": 200} {
		r := f.do(t, servertest.Credential{}, "GET", path, nil)
		if r.Status != want {
			t.Errorf("%s: %d", path, r.Status)
		}
	}
	// The served document is the one in the repository.
	r := f.do(t, servertest.Credential{}, "GET", "/api/v1/openapi.json", nil)
	var served, written map[string]any
	if err := json.Unmarshal(r.Body, &served); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(apispec.Document, &written); err != nil {
		t.Fatal(err)
	}
	if len(served["paths"].(map[string]any)) != len(written["paths"].(map[string]any)) || served["openapi"] != written["openapi"] {
		t.Errorf("served document differs from api/openapi.yaml")
	}
	// Metrics count API requests by route.
	f.do(t, servertest.Key(f.ownerKey), "GET", "/api/v1/accounts", nil)
	m := f.do(t, servertest.Credential{}, "GET", "/metrics", nil)
	if !strings.Contains(string(m.Body), `latchkey_http_request_duration_seconds_count{method="GET",route="/api/v1/accounts",status="200"} 1`) {
		t.Errorf("metrics lack the request:\n%.2000s", m.Body)
	}
}
