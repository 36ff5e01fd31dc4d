package api_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/latchkeyhq/latchkey/internal/connector/browser"
	"github.com/latchkeyhq/latchkey/internal/sampleapp"
	"github.com/latchkeyhq/latchkey/internal/server/servertest"
	"github.com/latchkeyhq/latchkey/internal/testdb"
)

// The browser connector drives the sample application's web page in real
// Chromium, signing in with the integration's password and TOTP code from
// the vault.
func TestBrowserIntegrationEndToEnd(t *testing.T) {
	if _, err := browser.FindExecPath(""); err != nil {
		t.Skipf("Chromium test skipped: %v", err)
	}
	const seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	each(t, func(t *testing.T, f *fixture) {
		app, err := sampleapp.New(sampleapp.Config{AdminUsername: "root@sample.example", AdminPassword: "correct horse battery", TOTPSecret: seed, Seats: 5})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(app)
		t.Cleanup(srv.Close)
		owner := servertest.Bearer(f.ownerToken)
		body := map[string]any{"data": map[string]any{"type": "account", "attributes": map[string]any{
			"application": "sample_app", "label": "Sample app", "username": "root@sample.example",
			"password": "correct horse battery", "totp": seed,
			"connector": map[string]any{"kind": "browser", "url": srv.URL, "recipe": jsonObject(t, browser.SampleAppRecipe())}}}}
		id := dig(t, must(t, f.do(t, owner, "POST", "/api/v1/integrations", body), 201), "data", "id").(string)
		base := "/api/v1/integrations/" + id

		finished(t, f.waitJob(t, owner, f.startJob(t, owner, "POST", base+"/sync", nil)))
		finished(t, f.waitJob(t, owner, f.startJob(t, owner, "POST", base+"/users", invite("account_collaborator", []string{"member"}, f.member))))
		if role := sampleRole(app, "uma@acme.example"); role != "member" {
			t.Fatalf("after invitation the sample app has uma as %q, want member", role)
		}
		replace := map[string]any{"data": map[string]any{"type": "update_user_entitlement",
			"attributes": map[string]any{"entitlements": []any{map[string]any{"id": "admin"}}}}}
		finished(t, f.waitJob(t, owner, f.startJob(t, owner, "PATCH", base+"/users/"+f.member, replace)))
		if role := sampleRole(app, "uma@acme.example"); role != "admin" {
			t.Fatalf("after re-entitlement the sample app has uma as %q, want admin", role)
		}
		finished(t, f.waitJob(t, owner, f.startJob(t, owner, "DELETE", base+"/users/"+f.member, nil)))
		if role := sampleRole(app, "uma@acme.example"); role != "" {
			t.Fatalf("after removal the sample app still has uma, as %q", role)
		}

		// Account automation: rotate the integration's own password in the
		// application; the new one is the account's next version, and the
		// application takes it (the sync after signs in with it).
		automate := func(wf string) map[string]any {
			return f.waitJob(t, owner, f.startJob(t, owner, "POST", "/api/v1/accounts/"+id+"/jobs",
				map[string]any{"data": map[string]any{"type": "job", "attributes": map[string]any{"workflowType": wf}}}))
		}
		finished(t, automate("password_rotation"))
		pw := must(t, f.do(t, owner, "GET", "/api/v1/accounts/"+id+"/secrets?filter[secretType]=password", nil), 200)
		rotated := dig(t, pw, "data", 0, "attributes", "body", "value").(string)
		if rotated == "correct horse battery" || len(rotated) < 20 {
			t.Fatalf("after rotation the stored password is %q", rotated)
		}
		acc := must(t, f.do(t, owner, "GET", "/api/v1/accounts/"+id, nil), 200)
		if dig(t, acc, "data", "attributes", "rotatedBy") != "automated_rotation" {
			t.Errorf("rotatedBy after an automated rotation: %v", dig(t, acc, "data", "attributes", "rotatedBy"))
		}
		finished(t, f.waitJob(t, owner, f.startJob(t, owner, "POST", base+"/sync", nil)))
		if hc := automate("healthcheck_mfa"); hc["status"] != "finished" || dig(t, hc, "response", "mfa") != "working" {
			t.Errorf("MFA healthcheck: %v", hc)
		}
		if job := automate("setup_mfa"); job["status"] != "error" || dig(t, job, "errorDetails", "errorType") != "AutomationNotSupported" {
			t.Errorf("setup_mfa through the browser connector: %v", job)
		}
		plain := f.createAccount(t, owner, map[string]any{"application": "twitter", "label": "Not connected", "password": "x-password-1"})
		must(t, f.do(t, owner, "POST", "/api/v1/accounts/"+plain+"/jobs",
			map[string]any{"data": map[string]any{"type": "job", "attributes": map[string]any{"workflowType": "password_rotation"}}}), 409)

		// Stored credentials the application no longer accepts: the job
		// says so, and that a person must act.
		app.SetCredentials("root@sample.example", "rotated elsewhere")
		job := f.waitJob(t, owner, f.startJob(t, owner, "POST", base+"/sync", nil))
		if job["status"] != "error" || dig(t, job, "errorDetails", "errorType") != "BadCredentials" || dig(t, job, "errorDetails", "userRequired") != true {
			t.Fatalf("sync with a password the application refuses: %v", job)
		}
	}, withJobs)
}

// A recipe step that finds nothing ends the job with the step named and a
// screenshot of the page kept for the job.
func TestBrowserStepFailureKeepsScreenshot(t *testing.T) {
	if _, err := browser.FindExecPath(""); err != nil {
		t.Skipf("Chromium test skipped: %v", err)
	}
	f := newFixture(t, testdb.SQLite(t), withJobs)
	app, err := sampleapp.New(sampleapp.Config{AdminUsername: "root@sample.example", AdminPassword: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	recipe := jsonObject(t, browser.SampleAppRecipe())
	recipe["list_entitlements"] = []any{
		map[string]any{"step": "navigate", "url": "/admin/roles"},
		map[string]any{"step": "wait_for", "selector": "#no-such-table", "timeout": "1s"},
	}
	owner := servertest.Bearer(f.ownerToken)
	body := map[string]any{"data": map[string]any{"type": "account", "attributes": map[string]any{
		"application": "sample_app", "label": "Sample app", "username": "root@sample.example", "password": "correct horse battery",
		"connector": map[string]any{"kind": "browser", "url": srv.URL, "recipe": recipe}}}}
	id := dig(t, must(t, f.do(t, owner, "POST", "/api/v1/integrations", body), 201), "data", "id").(string)
	job := f.waitJob(t, owner, f.startJob(t, owner, "POST", "/api/v1/integrations/"+id+"/sync", nil))
	if job["status"] != "error" || dig(t, job, "errorDetails", "errorType") != "AutomationStepFailed" || job["hasMoreDetails"] != true {
		t.Fatalf("sync with a recipe step that finds nothing: %v", job)
	}
	if step, _ := dig(t, job, "errorDetails", "step").(string); !strings.Contains(step, "#no-such-table") {
		t.Errorf("the failed step is named %q", step)
	}
	shot := f.do(t, owner, "GET", dig(t, job, "errorDetails", "screenshotUrl").(string), nil)
	if shot.Status != 200 || shot.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(shot.Body, []byte("\x89PNG")) {
		t.Fatalf("screenshot: status %d, %s, %d bytes", shot.Status, shot.Header.Get("Content-Type"), len(shot.Body))
	}
	// Another member may not see it.
	must(t, f.do(t, servertest.Bearer(f.memberToken), "GET", dig(t, job, "errorDetails", "screenshotUrl").(string), nil), 404)
}

func sampleRole(app *sampleapp.App, email string) string {
	for _, u := range app.Users() {
		if u.Email == email {
			return u.Role
		}
	}
	return ""
}

// jsonObject decodes a JSON object, to embed it in a request body.
func jsonObject(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}
