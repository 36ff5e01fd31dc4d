package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector/webhook/webhooktest"
	"github.com/latchkeyhq/latchkey/internal/server"
	"github.com/latchkeyhq/latchkey/internal/server/servertest"
	"github.com/latchkeyhq/latchkey/internal/testdb"
)

func TestWebhookIntegrationEndToEnd(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		const secret = "whsec-0123456789abcdef"
		app := webhooktest.Start(t, secret)
		owner := servertest.Bearer(f.ownerToken)
		id := f.createIntegration(t, owner, "Hooked app", map[string]any{"kind": "webhook", "url": app.URL, "signingSecret": secret})
		base := "/api/v1/integrations/" + id

		finished(t, f.waitJob(t, owner, f.startJob(t, owner, "POST", base+"/sync", nil)))
		finished(t, f.waitJob(t, owner, f.startJob(t, owner, "POST", base+"/users", invite("account_collaborator", []string{"VIEWER"}, f.member))))
		if ents, ok := app.Entitlements("uma@acme.example"); !ok || !slices.Equal(ents, []string{"VIEWER"}) {
			t.Fatalf("after invitation the application has uma: %v with %v", ok, ents)
		}
		change := map[string]any{"data": map[string]any{"add": map[string]any{"entitlements": []any{map[string]any{"id": "EDITOR"}}}}}
		finished(t, f.waitJob(t, owner, f.startJob(t, owner, "PATCH", base+"/users/"+f.member+"/entitlements", change)))
		if ents, _ := app.Entitlements("uma@acme.example"); !slices.Equal(ents, []string{"EDITOR", "VIEWER"}) {
			t.Fatalf("after adding EDITOR the application has %v", ents)
		}
		finished(t, f.waitJob(t, owner, f.startJob(t, owner, "DELETE", base+"/users/"+f.member, nil)))
		if _, ok := app.Entitlements("uma@acme.example"); ok {
			t.Fatal("after removal the application still has uma")
		}
	}, withJobs)
}

func TestWebhookIntegrationWithWrongSecret(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		app := webhooktest.Start(t, "the-application-knows-this-one")
		owner := servertest.Bearer(f.ownerToken)
		id := f.createIntegration(t, owner, "Hooked app", map[string]any{"kind": "webhook", "url": app.URL, "signingSecret": "but-latchkey-has-another"})
		job := f.waitJob(t, owner, f.startJob(t, owner, "POST", "/api/v1/integrations/"+id+"/sync", nil))
		if job["status"] != "error" || dig(t, job, "errorDetails", "errorType") != "BadCredentials" {
			t.Fatalf("sync signed with the wrong secret: %v", job)
		}
	}, withJobs)
}

// An application that is down is retried with backoff, and the job ends in
// a precise error once the attempts are spent; never a stuck job.
func TestWebhookApplicationDown(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		owner := servertest.Bearer(f.ownerToken)
		id := f.createIntegration(t, owner, "Gone app", map[string]any{"kind": "webhook", "url": url, "signingSecret": "whsec-0123456789abcdef"})
		job := f.waitJob(t, owner, f.startJob(t, owner, "POST", "/api/v1/integrations/"+id+"/sync", nil))
		if job["status"] != "error" || dig(t, job, "errorDetails", "errorType") != "ApplicationUnavailable" || job["attempt"] != float64(3) {
			t.Fatalf("sync against an application that is down: %v", job)
		}
	}, withJobs)
}

// Several processes on one PostgreSQL share the queue: every job runs, and
// none runs twice.
func TestReplicasShareJobsWithoutRunningOneTwice(t *testing.T) {
	cfg := testdb.Postgres(t)
	f := newFixture(t, cfg, withJobs)
	replica := f.s.Replica(t)
	const secret = "whsec-0123456789abcdef"
	app := webhooktest.Start(t, secret)
	owner := servertest.Bearer(f.ownerToken)
	id := f.createIntegration(t, owner, "Hooked app", map[string]any{"kind": "webhook", "url": app.URL, "signingSecret": secret})
	base := "/api/v1/integrations/" + id
	finished(t, f.waitJob(t, owner, f.startJob(t, owner, "POST", base+"/sync", nil)))

	const people = 24
	var jobs []string
	for i := range people {
		uid := f.ws.User(fmt.Sprintf("r%02d@acme.example", i), latchkey.RoleUser)
		// Half the requests go to each process.
		target := f.s
		if i%2 == 1 {
			target = replica
		}
		r := target.Do(t, owner, "POST", base+"/users", invite("account_collaborator", []string{"VIEWER"}, uid))
		jobs = append(jobs, dig(t, must(t, r, 200), "data", "id").(string))
	}
	for _, j := range jobs {
		finished(t, f.waitJob(t, owner, j))
	}
	if n := app.Users(); n != people {
		t.Errorf("the application holds %d people, want %d", n, people)
	}
	for key, n := range app.Requests() {
		if n != 1 && strings.Contains(key, "/invite/") {
			t.Errorf("operation %s reached the application %d times", key, n)
		}
	}
}

// An application slower than the job timeout: every attempt is cut off,
// and the job ends in a precise error instead of hanging or staying
// "retrying" for ever.
func TestJobTimeoutEndsInError(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	each(t, func(t *testing.T, f *fixture) {
		owner := servertest.Bearer(f.ownerToken)
		id := f.createIntegration(t, owner, "Slow app", map[string]any{"kind": "webhook", "url": slow.URL, "signingSecret": "whsec-0123456789abcdef"})
		job := f.waitJob(t, owner, f.startJob(t, owner, "POST", "/api/v1/integrations/"+id+"/sync", nil))
		if job["status"] != "error" || dig(t, job, "errorDetails", "errorType") != "ApplicationUnavailable" || job["attempt"] != float64(3) {
			t.Fatalf("sync against an application slower than the job timeout: %v", job)
		}
	}, servertest.WithJobs(server.JobsConfig{Timeout: 300 * time.Millisecond, RescueAfter: 10 * time.Second}))
}
