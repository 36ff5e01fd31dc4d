package api_test

import (
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/server"
	"github.com/latchkeyhq/latchkey/internal/server/servertest"
)

// withJobs starts the job workers in the test server.
var withJobs = servertest.WithJobs(server.JobsConfig{})

// createIntegration connects an application through the API and returns
// the integration's id.
func (f *fixture) createIntegration(t *testing.T, cred servertest.Credential, label string, connector map[string]any) string {
	t.Helper()
	body := map[string]any{"data": map[string]any{"type": "account", "attributes": map[string]any{
		"application": "acme_tenant", "label": label, "username": "admin@acme.example", "connector": connector}}}
	doc := must(t, f.do(t, cred, "POST", "/api/v1/integrations", body), 201)
	return dig(t, doc, "data", "id").(string)
}

// startJob sends a request that answers with a created job and returns the
// job's id.
func (f *fixture) startJob(t *testing.T, cred servertest.Credential, method, path string, body any) string {
	t.Helper()
	doc := must(t, f.do(t, cred, method, path, body), 200)
	if got := dig(t, doc, "data", "type"); got != "job" {
		t.Fatalf("%s %s answered a %v, want a job", method, path, got)
	}
	if got := dig(t, doc, "data", "attributes", "status"); got != "created" {
		t.Fatalf("a new job has status %v, want created", got)
	}
	return dig(t, doc, "data", "id").(string)
}

// waitJob polls a job until it ends and returns its attributes.
func (f *fixture) waitJob(t *testing.T, cred servertest.Credential, id string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		doc := must(t, f.do(t, cred, "GET", "/api/v1/jobs/"+id, nil), 200)
		attrs := dig(t, doc, "data", "attributes").(map[string]any)
		if st := attrs["status"]; st == "finished" || st == "error" {
			return attrs
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %v after 30 s: %v", id, attrs["status"], attrs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func finished(t *testing.T, attrs map[string]any) {
	t.Helper()
	if attrs["status"] != "finished" {
		t.Fatalf("job ended %v with %v; want finished", attrs["status"], attrs["errorDetails"])
	}
}

func invite(role string, ents []string, users ...string) map[string]any {
	refs := make([]any, len(ents))
	for i, e := range ents {
		refs[i] = map[string]any{"id": e}
	}
	ids := make([]any, len(users))
	for i, u := range users {
		ids[i] = u
	}
	return map[string]any{"data": map[string]any{"type": "invite_tenant_users",
		"attributes": map[string]any{"role": role, "entitlements": refs, "userIds": ids}}}
}

func entitlementKeys(t *testing.T, user any) []string {
	t.Helper()
	var keys []string
	for _, e := range dig(t, user, "attributes", "entitlements").([]any) {
		keys = append(keys, dig(t, e, "id").(string))
	}
	return keys
}

func TestIntegrationLifecycleThroughJobs(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		owner := servertest.Bearer(f.ownerToken)
		id := f.createIntegration(t, owner, "Acme tenant", map[string]any{"kind": "noop"})
		base := "/api/v1/integrations/" + id

		doc := must(t, f.do(t, owner, "GET", base, nil), 200)
		if dig(t, doc, "data", "type") != "account" || dig(t, doc, "data", "attributes", "application") != "acme_tenant" {
			t.Fatalf("integration read back as %v", doc)
		}

		// Listed to its owner, with filters; not to a member it is not shared with.
		f.createAccount(t, owner, map[string]any{"application": "acme_tenant", "label": "Not an integration"})
		for _, tc := range []struct {
			cred  servertest.Credential
			query string
			want  int
		}{
			{owner, "", 1},
			{servertest.Key(f.ownerKey), "?filter[application]=acme_tenant", 1},
			{owner, "?filter[application]=other_tenant", 0},
			{servertest.Bearer(f.memberToken), "", 0},
		} {
			list := must(t, f.do(t, tc.cred, "GET", "/api/v1/integrations"+tc.query, nil), 200)
			if got := len(dig(t, list, "data").([]any)); got != tc.want || dig(t, list, "meta", "page", "total") != float64(tc.want) {
				t.Errorf("GET /integrations%s lists %d (total %v), want %d", tc.query, got, dig(t, list, "meta", "page", "total"), tc.want)
			}
		}

		sync := f.waitJob(t, owner, f.startJob(t, owner, "POST", base+"/sync", nil))
		finished(t, sync)
		if sync["workflowType"] != "get_business" || dig(t, sync, "account", "id") != id || dig(t, sync, "account", "provider") != "acme_tenant" {
			t.Errorf("sync job reads %v", sync)
		}
		ents := dig(t, must(t, f.do(t, owner, "GET", base+"/entitlements", nil), 200), "data").([]any)
		if len(ents) != 3 || dig(t, ents[0], "id") != "ADMIN" || dig(t, ents[0], "attributes", "group") != "primary" {
			t.Fatalf("entitlements after sync: %v", ents)
		}

		// Invite two members; both get a seat with the asked entitlement.
		job := f.waitJob(t, owner, f.startJob(t, owner, "POST", base+"/users", invite("account_collaborator", []string{"MEMBER"}, f.member, f.admin)))
		finished(t, job)
		if job["workflowType"] != "provide_access" || job["trigger"] != "manual" || dig(t, job, "createdBy", "id") != f.owner {
			t.Errorf("invite job reads %v", job)
		}
		users := dig(t, must(t, f.do(t, owner, "GET", base+"/users", nil), 200), "data").([]any)
		if len(users) != 2 {
			t.Fatalf("integration users after invite: %v", users)
		}
		for _, u := range users {
			if keys := entitlementKeys(t, u); len(keys) != 1 || keys[0] != "MEMBER" {
				t.Errorf("user %v holds %v, want [MEMBER]", dig(t, u, "id"), keys)
			}
		}
		// The singular path the vendor's document names answers the same.
		must(t, f.do(t, owner, "GET", base+"/user", nil), 200)

		// Inviting someone already in the application fails precisely.
		again := f.waitJob(t, owner, f.startJob(t, owner, "POST", base+"/users", invite("account_collaborator", []string{"MEMBER"}, f.member)))
		if again["status"] != "error" || dig(t, again, "errorDetails", "errorType") != "UserAlreadyExists" || again["canRetry"] != true {
			t.Errorf("second invitation of the same user: %v", again)
		}

		// Replace, then add and remove single entitlements.
		replace := map[string]any{"data": map[string]any{"type": "update_user_entitlement",
			"attributes": map[string]any{"entitlements": []any{map[string]any{"id": "ADMIN"}}}}}
		finished(t, f.waitJob(t, owner, f.startJob(t, owner, "PATCH", base+"/users/"+f.member, replace)))
		change := map[string]any{"data": map[string]any{
			"add":    map[string]any{"entitlements": []any{map[string]any{"id": "BILLING"}}},
			"remove": map[string]any{"entitlements": []any{map[string]any{"id": "ADMIN"}}}}}
		finished(t, f.waitJob(t, owner, f.startJob(t, owner, "PATCH", base+"/users/"+f.member+"/entitlements", change)))
		user := dig(t, must(t, f.do(t, owner, "GET", base+"/users/"+f.member, nil), 200), "data")
		if keys := entitlementKeys(t, user); len(keys) != 1 || keys[0] != "BILLING" {
			t.Errorf("after replace and change the member holds %v, want [BILLING]", keys)
		}

		// Remove: the seat is gone.
		finished(t, f.waitJob(t, owner, f.startJob(t, owner, "DELETE", base+"/users/"+f.member, nil)))
		must(t, f.do(t, owner, "GET", base+"/users/"+f.member, nil), 404)

		// GET /jobs lists them, newest first, and filters.
		list := must(t, f.do(t, owner, "GET", "/api/v1/jobs?filter[accountId]="+id+"&filter[status]=error", nil), 200)
		if n := dig(t, list, "meta", "page", "total"); n != float64(1) {
			t.Errorf("failed jobs of the integration: %v, want 1", n)
		}
	}, withJobs)
}

func TestIntegrationBadInput(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		owner := servertest.Bearer(f.ownerToken)
		id := f.createIntegration(t, owner, "Acme tenant", map[string]any{"kind": "noop", "seats": 1})
		base := "/api/v1/integrations/" + id
		finished(t, f.waitJob(t, owner, f.startJob(t, owner, "POST", base+"/sync", nil)))
		account := f.createAccount(t, owner, map[string]any{"application": "twitter", "label": "Plain account"})

		tests := []struct {
			name   string
			method string
			path   string
			body   any
			status int
		}{
			{"an ordinary account is no integration", "GET", "/api/v1/integrations/" + account, nil, 404},
			{"nor are its users", "GET", "/api/v1/integrations/" + account + "/users", nil, 404},
			{"nor can it invite", "POST", "/api/v1/integrations/" + account + "/users", invite("account_owner", []string{"MEMBER"}, f.member), 404},
			{"unknown entitlement", "POST", base + "/users", invite("account_owner", []string{"NOPE"}, f.member), 400},
			{"empty entitlements", "POST", base + "/users", invite("account_owner", nil, f.member), 400},
			{"no users", "POST", base + "/users", invite("account_owner", []string{"MEMBER"}), 400},
			{"user of no workspace", "POST", base + "/users", invite("account_owner", []string{"MEMBER"}, "0193a0c0-0000-7000-8000-000000000000"), 400},
			{"wrong role", "POST", base + "/users", invite("admin", []string{"MEMBER"}, f.member), 400},
			{"wrong type", "POST", base + "/users", map[string]any{"data": map[string]any{"type": "invite", "attributes": map[string]any{}}}, 400},
			{"removing someone without a seat", "DELETE", base + "/users/" + f.member, nil, 404},
			{"unknown job", "GET", "/api/v1/jobs/0193a0c0-0000-7000-8000-000000000000", nil, 404},
			{"bad connector kind", "POST", "/api/v1/integrations", map[string]any{"data": map[string]any{"type": "account", "attributes": map[string]any{
				"application": "x", "label": "x", "connector": map[string]any{"kind": "telepathy"}}}}, 400},
			{"webhook without a secret", "POST", "/api/v1/integrations", map[string]any{"data": map[string]any{"type": "account", "attributes": map[string]any{
				"application": "x", "label": "x", "connector": map[string]any{"kind": "webhook", "url": "http://127.0.0.1:1/hook"}}}}, 400},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := f.do(t, owner, tt.method, tt.path, tt.body)
				if r.Status != tt.status {
					t.Fatalf("status %d, want %d: %s", r.Status, tt.status, r.Body)
				}
			})
		}

		t.Run("a full seat plan ends the job in NotEnoughSeats", func(t *testing.T) {
			finished(t, f.waitJob(t, owner, f.startJob(t, owner, "POST", base+"/users", invite("account_collaborator", []string{"MEMBER"}, f.member))))
			job := f.waitJob(t, owner, f.startJob(t, owner, "POST", base+"/users", invite("account_collaborator", []string{"MEMBER"}, f.admin)))
			if job["status"] != "error" || dig(t, job, "errorDetails", "errorType") != "NotEnoughSeats" || dig(t, job, "errorDetails", "userRequired") != true {
				t.Fatalf("invitation past the seat plan: %v", job)
			}
		})

		t.Run("only the integration's owner starts jobs", func(t *testing.T) {
			must(t, f.do(t, owner, "POST", "/api/v1/accounts/"+id+"/users", shareBody(f.admin, "users", "account_collaborator")), 201)
			admin := servertest.Bearer(f.adminToken)
			must(t, f.do(t, admin, "GET", base, nil), 200)
			must(t, f.do(t, admin, "POST", base+"/sync", nil), 403)
			// A member who cannot see it at all gets 404.
			must(t, f.do(t, servertest.Bearer(f.loginOnlyToken), "POST", base+"/sync", nil), 404)
		})

		t.Run("an API key needs the scopes", func(t *testing.T) {
			key := f.ws.APIKey(f.owner, latchkey.ScopeReadItems)
			r := f.do(t, servertest.Key(key), "GET", "/api/v1/integrations", nil)
			if r.Status != 401 {
				t.Fatalf("key without read:integrations: %d, want 401", r.Status)
			}
		})
	}, withJobs)
}

func TestDeprovisioningRevokesSeats(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		owner := servertest.Bearer(f.ownerToken)
		id := f.createIntegration(t, owner, "Acme tenant", map[string]any{"kind": "noop"})
		base := "/api/v1/integrations/" + id
		finished(t, f.waitJob(t, owner, f.startJob(t, owner, "POST", base+"/sync", nil)))
		finished(t, f.waitJob(t, owner, f.startJob(t, owner, "POST", base+"/users", invite("account_collaborator", []string{"MEMBER"}, f.member))))

		must(t, f.do(t, owner, "DELETE", "/api/v1/users/"+f.member, nil), 204)
		list := must(t, f.do(t, owner, "GET", "/api/v1/jobs?filter[trigger]=user_deprovisioned", nil), 200)
		jobs := dig(t, list, "data").([]any)
		if len(jobs) != 1 {
			t.Fatalf("jobs after deprovisioning: %v, want one revoke_access", jobs)
		}
		job := f.waitJob(t, owner, dig(t, jobs[0], "id").(string))
		finished(t, job)
		if job["workflowType"] != "revoke_access" || job["trigger"] != "user_deprovisioned" {
			t.Errorf("deprovisioning job reads %v", job)
		}
		must(t, f.do(t, owner, "GET", base+"/users/"+f.member, nil), 404)
	}, withJobs)
}
