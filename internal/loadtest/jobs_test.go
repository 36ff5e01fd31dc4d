package loadtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeJobsAPI answers the few requests T4 sends the way latchkey does,
// with jobs that finish as soon as they are enqueued, or end in error for
// the users in fail.
type fakeJobsAPI struct {
	key   string
	users []string // the workspace, in list order
	fail  map[string]bool

	mu      sync.Mutex
	invited []string // in the order the invitations came
	bad     []string // requests the fake did not expect
}

func (f *fakeJobsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Api-Key") != f.key {
		http.Error(w, `{"errors":[]}`, http.StatusUnauthorized)
		return
	}
	q := r.URL.Query()
	total := func(n int) { fmt.Fprintf(w, `{"data":[],"links":{},"meta":{"page":{"total":%d}}}`, n) }
	switch path := r.URL.Path; {
	case r.Method == "POST" && path == "/api/v1/integrations":
		var body struct {
			Data struct {
				Type       string `json:"type"`
				Attributes struct {
					Application, Label string
					Connector          struct{ Kind string }
				} `json:"attributes"`
			} `json:"data"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Data.Type != "account" ||
			body.Data.Attributes.Connector.Kind != "noop" || body.Data.Attributes.Label == "" {
			http.Error(w, "bad integration", http.StatusUnprocessableEntity)
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"data":{"id":"ig1","type":"account"}}`)
	case r.Method == "POST" && path == "/api/v1/integrations/ig1/sync":
		fmt.Fprint(w, `{"data":{"id":"sync1","type":"job","attributes":{"status":"created"}}}`)
	case r.Method == "GET" && path == "/api/v1/jobs/sync1":
		fmt.Fprint(w, `{"data":{"id":"sync1","type":"job","attributes":{"status":"finished"}}}`)
	case r.Method == "POST" && path == "/api/v1/integrations/ig1/users":
		var body struct {
			Data struct {
				Type       string `json:"type"`
				Attributes struct {
					Role         string              `json:"role"`
					Entitlements []map[string]string `json:"entitlements"`
					UserIDs      []string            `json:"userIds"`
				} `json:"attributes"`
			} `json:"data"`
		}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields() // as latchkey decodes
		if err := dec.Decode(&body); err != nil || body.Data.Type != "invite_tenant_users" || len(body.Data.Attributes.UserIDs) != 1 ||
			body.Data.Attributes.Role != "account_collaborator" || len(body.Data.Attributes.Entitlements) != 1 ||
			body.Data.Attributes.Entitlements[0]["id"] != "MEMBER" || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad invitation", http.StatusUnprocessableEntity)
			return
		}
		f.mu.Lock()
		f.invited = append(f.invited, body.Data.Attributes.UserIDs[0])
		f.mu.Unlock()
		fmt.Fprint(w, `{"data":{"id":"j","type":"job","attributes":{"status":"created"}}}`)
	case r.Method == "GET" && path == "/api/v1/jobs" && q.Get("filter[accountId]") == "ig1" &&
		q.Get("filter[workflowType]") == "provide_access":
		f.mu.Lock()
		defer f.mu.Unlock()
		n := 0
		for _, u := range f.invited {
			status := "finished"
			if f.fail[u] {
				status = "error"
			}
			if slices.Contains(strings.Split(q.Get("filter[status]"), ","), status) {
				n++
			}
		}
		total(n)
	case r.Method == "GET" && path == "/api/v1/integrations/ig1/users":
		f.mu.Lock()
		defer f.mu.Unlock()
		n := 0
		for _, u := range f.invited {
			if !f.fail[u] {
				n++
			}
		}
		total(n)
	case r.Method == "GET" && path == "/api/v1/users" && q.Get("filter[status]") == "live":
		// Keyset paging as latchkey links it: page[after] is the last id.
		size, _ := strconv.Atoi(q.Get("page[size]"))
		from := 0
		if after := q.Get("page[after]"); after != "" {
			from = slices.Index(f.users, after) + 1
		}
		to := min(from+size, len(f.users))
		doc := map[string]any{"meta": map[string]any{"page": map[string]any{"total": len(f.users)}}}
		var data []map[string]string
		for _, u := range f.users[from:to] {
			data = append(data, map[string]string{"id": u, "type": "user"})
		}
		doc["data"] = data
		links := map[string]any{}
		if to < len(f.users) {
			links["next"] = "/api/v1/users?page%5Bnumber%5D=2&page%5Bsize%5D=" + strconv.Itoa(size) + "&page%5Bafter%5D=" + f.users[to-1] + "&filter%5Bstatus%5D=live"
		}
		doc["links"] = links
		_ = json.NewEncoder(w).Encode(doc)
	default:
		f.mu.Lock()
		f.bad = append(f.bad, r.Method+" "+r.URL.String())
		f.mu.Unlock()
		http.NotFound(w, r)
	}
}

func users(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("u%03d", i)
	}
	return ids
}

func TestUserIDsFollowsNextLinks(t *testing.T) {
	api := &fakeJobsAPI{key: "lk_jobs", users: users(250)}
	srv := httptest.NewServer(api)
	defer srv.Close()
	f := JobsFixture{API: srv.URL, Key: "lk_jobs"}
	tests := []struct {
		name    string
		n       int
		wantErr string
	}{
		{"less than a page", 40, ""},
		{"across pages", 230, ""},
		{"every user", 250, ""},
		{"more than there are", 251, "250 live users"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.UserIDs(t.Context(), NewClient(1), tt.n)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, api.users[:tt.n]) {
				t.Errorf("got %d ids %v…, want the first %d users in order", len(got), got[:min(3, len(got))], tt.n)
			}
		})
	}
	if len(api.bad) > 0 {
		t.Errorf("unexpected requests: %v", api.bad)
	}
}

func TestMeasureProvisioning(t *testing.T) {
	tests := []struct {
		name       string
		key        string
		fail       []string
		wantPass   bool
		wantFailed int
		wantErr    string
	}{
		{name: "every job finishes", key: "lk_jobs", wantPass: true},
		{name: "a job in error fails T4", key: "lk_jobs", fail: []string{"u007"}, wantFailed: 1},
		{name: "a refused set-up is reported, not fatal", key: "lk_other", wantErr: "set-up: POST /api/v1/integrations: 401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeJobsAPI{key: "lk_jobs", users: users(30), fail: map[string]bool{}}
			for _, u := range tt.fail {
				api.fail[u] = true
			}
			srv := httptest.NewServer(api)
			defer srv.Close()
			client := NewClient(4)
			defer client.CloseIdleConnections()
			f := JobsFixture{API: srv.URL, Key: tt.key}

			p := MeasureProvisioning(t.Context(), client, f, api.users, 4, "Bench tenant", func(string, ...any) {})
			if p.Pass() != tt.wantPass {
				t.Errorf("Pass() = %v, want %v: %+v", p.Pass(), tt.wantPass, p)
			}
			if tt.wantErr != "" {
				if !strings.HasPrefix(p.Err, tt.wantErr) || p.Asked != 30 || p.Requests != 0 {
					t.Errorf("Err = %q, Asked %d, Requests %d; want %q before any invitation", p.Err, p.Asked, p.Requests, tt.wantErr)
				}
				return
			}
			if p.Err != "" || len(api.bad) > 0 {
				t.Fatalf("Err %q, unexpected requests %v", p.Err, api.bad)
			}
			invited := slices.Sorted(slices.Values(api.invited))
			if !slices.Equal(invited, api.users) {
				t.Errorf("invited %v, want each user once", invited)
			}
			if p.Asked != 30 || p.Requests != 30 || p.Errors != 0 || p.Enqueued != 30 || p.RPS <= 0 || p.P99 <= 0 {
				t.Errorf("enqueue %+v: want 30 requests, no errors, a rate and a p99", p)
			}
			if p.Failed != tt.wantFailed || p.Finished != 30-tt.wantFailed || p.Seats != 30-tt.wantFailed || p.Open() != 0 {
				t.Errorf("ended %d finished, %d in error, %d left open, %d seats", p.Finished, p.Failed, p.Open(), p.Seats)
			}
			if p.Time < p.EnqueueTime || p.Time <= 0 {
				t.Errorf("Time %v, EnqueueTime %v: the wait ends after the enqueue", p.Time, p.EnqueueTime)
			}
		})
	}
}

func TestInviteBody(t *testing.T) {
	got := string(inviteBody("0b6c9d1e-0000-4000-8000-000000000001"))
	want := `{"data":{"type":"invite_tenant_users","attributes":{"role":"account_collaborator",` +
		`"entitlements":[{"id":"MEMBER"}],"userIds":["0b6c9d1e-0000-4000-8000-000000000001"]}}}`
	if got != want {
		t.Errorf("inviteBody =\n%s\nwant\n%s", got, want)
	}
}

func TestProvisioningPass(t *testing.T) {
	ok := Provisioning{Asked: 100, Requests: 100, Enqueued: 100, Finished: 100, Seats: 100, Time: MaxJobsTime}
	tests := []struct {
		name   string
		change func(p *Provisioning)
		want   bool
	}{
		{"all finished in time", func(*Provisioning) {}, true},
		{"too slow", func(p *Provisioning) { p.Time = MaxJobsTime + 1 }, false},
		{"not measured", func(p *Provisioning) { *p = Provisioning{} }, false},
		{"enqueue errors", func(p *Provisioning) { p.Errors, p.Enqueued, p.Finished, p.Seats = 1, 99, 99, 99 }, false},
		{"a job in error", func(p *Provisioning) { p.Finished, p.Failed, p.Seats = 99, 1, 99 }, false},
		{"a job left open", func(p *Provisioning) { p.Finished, p.Seats = 99, 99 }, false},
		{"a seat missing", func(p *Provisioning) { p.Seats = 99 }, false},
		{"stopped short", func(p *Provisioning) { p.Err = "no job ended for 30s" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok
			tt.change(&p)
			if got := p.Pass(); got != tt.want {
				t.Errorf("Pass() = %v, want %v for %+v", got, tt.want, p)
			}
		})
	}
	if open := (Provisioning{Enqueued: 10, Finished: 7, Failed: 1}).Open(); open != 2 {
		t.Errorf("Open() = %d, want 2", open)
	}
}
