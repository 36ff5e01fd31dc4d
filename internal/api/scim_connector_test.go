package api_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/latchkeyhq/latchkey/internal/connector/scim/scimtest"
	"github.com/latchkeyhq/latchkey/internal/server/servertest"
)

// A SCIM integration provisions into a real SCIM 2.0 service provider:
// the application's groups are its entitlements.
func TestSCIMIntegrationEndToEnd(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		const token = "scim-test-token-5f1c"
		app := scimtest.Start(t, token)
		app.AddGroup("ADMIN")
		app.AddGroup("MEMBER")
		app.AddUser("ada@acme.example", "ADMIN")  // a workspace user already there
		app.AddUser("stranger@elsewhere.example") // someone Latchkey cannot match
		owner := servertest.Bearer(f.ownerToken)
		id := f.createIntegration(t, owner, "SCIM app", map[string]any{"kind": "scim", "url": app.URL, "token": token})
		base := "/api/v1/integrations/" + id

		sync := f.waitJob(t, owner, f.startJob(t, owner, "POST", base+"/sync", nil))
		finished(t, sync)
		if dig(t, sync, "response", "users") != float64(2) || dig(t, sync, "response", "matchedUsers") != float64(1) {
			t.Errorf("sync response %v; want 2 users, 1 matched", sync["response"])
		}
		users := dig(t, must(t, f.do(t, owner, "GET", base+"/users", nil), 200), "data").([]any)
		if len(users) != 1 || dig(t, users[0], "id") != f.admin || !slices.Equal(entitlementKeys(t, users[0]), []string{"ADMIN"}) {
			t.Fatalf("integration users after sync: %v", users)
		}

		finished(t, f.waitJob(t, owner, f.startJob(t, owner, "POST", base+"/users", invite("account_collaborator", []string{"MEMBER"}, f.member))))
		if got := groupsOf(app, "uma@acme.example"); !slices.Equal(got, []string{"MEMBER"}) {
			t.Fatalf("after invitation the application has uma in %v, want [MEMBER]", got)
		}

		replace := map[string]any{"data": map[string]any{"type": "update_user_entitlement",
			"attributes": map[string]any{"entitlements": []any{map[string]any{"id": "ADMIN"}, map[string]any{"id": "MEMBER"}}}}}
		finished(t, f.waitJob(t, owner, f.startJob(t, owner, "PATCH", base+"/users/"+f.member, replace)))
		if got := groupsOf(app, "uma@acme.example"); !slices.Equal(got, []string{"ADMIN", "MEMBER"}) {
			t.Fatalf("after re-entitlement the application has uma in %v, want [ADMIN MEMBER]", got)
		}

		finished(t, f.waitJob(t, owner, f.startJob(t, owner, "DELETE", base+"/users/"+f.member, nil)))
		if got := groupsOf(app, "uma@acme.example"); got != nil {
			t.Fatalf("after removal the application still has uma, in %v", got)
		}
	}, withJobs)
}

func TestSCIMIntegrationWithWrongToken(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		app := scimtest.Start(t, "the-right-token")
		owner := servertest.Bearer(f.ownerToken)
		id := f.createIntegration(t, owner, "SCIM app", map[string]any{"kind": "scim", "url": app.URL, "token": "a-stale-token-0000"})
		job := f.waitJob(t, owner, f.startJob(t, owner, "POST", "/api/v1/integrations/"+id+"/sync", nil))
		if job["status"] != "error" || dig(t, job, "errorDetails", "errorType") != "BadCredentials" || dig(t, job, "errorDetails", "userRequired") != true {
			t.Fatalf("sync with a refused token: %v", job)
		}
		// The token is a secret: no answer about the integration, its jobs
		// or the activity log carries it.
		for _, path := range []string{"/api/v1/integrations/" + id, "/api/v1/jobs?filter[accountId]=" + id, "/api/v1/activities"} {
			r := f.do(t, owner, "GET", path, nil)
			if r.Status != 200 || strings.Contains(string(r.Body), "stale-token") {
				t.Errorf("GET %s: status %d, body carries the token: %v", path, r.Status, strings.Contains(string(r.Body), "stale-token"))
			}
		}
	}, withJobs)
}

// groupsOf is the groups the application lists a person in; nil when the
// application does not know them.
func groupsOf(app *scimtest.Provider, email string) []string {
	for _, u := range app.Users() {
		if u.UserName == email {
			if u.Groups == nil {
				return []string{}
			}
			return u.Groups
		}
	}
	return nil
}
