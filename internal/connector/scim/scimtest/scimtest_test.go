package scimtest_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey/internal/connector/scim/scimtest"
)

const token = "test-token"

func do(ctx context.Context, p *scimtest.Provider, method, path, body string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, p.URL+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	return resp, err
}

func TestSeedAndUsers(t *testing.T) {
	p := scimtest.Start(t, token)
	p.AddGroup("Beta")
	p.AddGroup("Alpha")
	p.AddUser("zed@example.com")
	p.AddUser("amy@example.com", "Beta", "Alpha")
	p.Join("zed@example.com", "Beta")
	want := []scimtest.User{
		{UserName: "amy@example.com", Groups: []string{"Alpha", "Beta"}},
		{UserName: "zed@example.com", Groups: []string{"Beta"}},
	}
	if got := p.Users(); !reflect.DeepEqual(got, want) {
		t.Errorf("Users = %+v, want %+v", got, want)
	}
}

// TestSlow checks that a held request is served in full once let go, its
// body included.
func TestSlow(t *testing.T) {
	p := scimtest.Start(t, token)
	p.SetHook(scimtest.Slow(50 * time.Millisecond))
	start := time.Now()
	resp, err := do(t.Context(), p, http.MethodPost, "/Users",
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bob@example.com"}`)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("status %d, want 201", resp.StatusCode)
	}
	if elapsed := time.Since(start); elapsed < 50*time.Millisecond {
		t.Errorf("answered after %v, before the delay", elapsed)
	}
	if got := p.Users(); len(got) != 1 || got[0].UserName != "bob@example.com" {
		t.Errorf("Users = %+v, want bob", got)
	}
}

// TestCloseDropsHeldRequest checks that Close returns although a request
// is held, and that its client sees the connection fail, not an answer.
func TestCloseDropsHeldRequest(t *testing.T) {
	p := scimtest.Start(t, token)
	p.SetHook(scimtest.Slow(time.Minute))
	done := make(chan error, 1)
	go func() {
		_, err := do(t.Context(), p, http.MethodGet, "/Users", "")
		done <- err
	}()
	for len(p.Requests()) == 0 {
		time.Sleep(time.Millisecond)
	}
	p.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Error("the held request was answered")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the held request is still waiting")
	}
	if _, err := do(t.Context(), p, http.MethodGet, "/Users", ""); err == nil {
		t.Error("a request after Close was answered")
	}
}

func TestWithoutPatchAndRequests(t *testing.T) {
	p := scimtest.Start(t, token, scimtest.WithoutPatch(http.StatusMethodNotAllowed))
	id := p.AddGroup("Admins")
	resp, err := do(t.Context(), p, http.MethodPatch, "/Groups/"+id,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PATCH answered %d, want 405", resp.StatusCode)
	}
	reqs := p.Requests()
	if len(reqs) != 1 || reqs[0].Method != http.MethodPatch || reqs[0].Path != "/scim/v2/Groups/"+id {
		t.Errorf("Requests = %+v", reqs)
	}
}
