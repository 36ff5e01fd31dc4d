package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// T4's target and pace.
const (
	// MaxJobsTime is T4's bound: first enqueue to last job finished.
	MaxJobsTime = 10 * time.Second
	// jobsPoll is how often T4 counts ended jobs, so the time it reports
	// is late by at most this and one count's round trip.
	jobsPoll = 100 * time.Millisecond
	// jobsStall ends the wait when no job has ended for this long, and
	// jobsGiveUp when this long has passed since the first enqueue: far
	// past the target, the harness reports how far the jobs got rather
	// than wait for a slow queue to drain, which can take many minutes.
	jobsStall  = 30 * time.Second
	jobsGiveUp = 10 * MaxJobsTime
	// syncWait bounds the wait for the sync that precedes the invites.
	syncWait = time.Minute
	// usersPage is the API's largest page, for collecting user ids.
	usersPage = 100
)

// ScenarioScopes are the scopes of the key T1–T3 use: nothing more than
// they need, so the scenarios measure no broader authorization.
const ScenarioScopes = "read:items:accounts"

// JobsScopes are the scopes of T4's key: create, sync and invite into an
// integration (write:integrations with read:automations), count its
// seats (read:users, read:integrations), list the workspace's users and
// count jobs (read:automations).
const JobsScopes = "write:integrations,read:integrations,read:automations,read:users"

// JobsFixture is what T4 sends its requests with: the server and a key of
// the heavy member, an admin, holding JobsScopes. An admin counts every
// job of the workspace, so the counts see all of T4's.
type JobsFixture struct {
	API, Key string
}

// Provisioning is T4's measurement: invite jobs enqueued through the API
// into a fresh no-op integration, each naming one workspace user, then
// waited for until every one has ended. In a report the counts are summed
// over runs and the rates and times are medians.
type Provisioning struct {
	Asked int // jobs set out to enqueue (-jobs)

	// The enqueue requests, counted as the scenario rows count theirs.
	Requests, Errors int64
	RPS              float64
	P50, P99         time.Duration
	ErrorKinds       string

	Enqueued int // requests answered with a created job
	Finished int // jobs that ended finished
	Failed   int // jobs that ended in error
	Seats    int // seats the integration holds at the end, one per invite
	// Backlog is how many jobs had not ended when the last enqueue was
	// answered: what the workers still had to do.
	Backlog     int
	EnqueueTime time.Duration // first enqueue to last answer
	// Time runs from the first enqueue to the count that saw every job
	// ended; if T4 stopped waiting, to when it stopped.
	Time time.Duration
	Err  string // why T4 stopped short, if it did
}

// Open is how many enqueued jobs had not ended when T4 stopped waiting:
// lost, or still queued.
func (p Provisioning) Open() int { return max(p.Enqueued-p.Finished-p.Failed, 0) }

// Pass says whether T4 met its target: every job asked for enqueued
// without error and finished (none in error, none left open), each
// invite landed as exactly one seat, and all within MaxJobsTime.
func (p Provisioning) Pass() bool {
	return p.Asked > 0 && p.Err == "" && p.Errors == 0 && p.Enqueued == p.Asked && p.Finished == p.Asked &&
		p.Failed == 0 && p.Seats == p.Asked && p.Time > 0 && p.Time <= MaxJobsTime
}

// MeasureProvisioning runs T4 against a running server: it creates a no-op
// integration named label and syncs it (an invitation must name
// entitlements, and the sync imports them), enqueues one invite job per
// user with the closed loop of MeasureN, then counts the integration's
// ended jobs every jobsPoll until all have ended. A fresh integration each
// run keeps runs independent: a user already in an integration cannot be
// invited to it again. Failures are recorded in the result, not returned,
// so the report still shows the other scenarios.
func MeasureProvisioning(ctx context.Context, client *http.Client, f JobsFixture, users []string, conns int, label string,
	logf func(string, ...any)) Provisioning {
	p := Provisioning{Asked: len(users)}
	id, err := f.CreateIntegration(ctx, client, label)
	if err == nil {
		err = f.Sync(ctx, client, id)
	}
	if err != nil {
		p.Err = "set-up: " + err.Error()
		return p
	}

	// Bodies are encoded before the clock starts: the generator should
	// spend its time sending, not marshalling.
	bodies := make([][]byte, len(users))
	for i, u := range users {
		bodies[i] = inviteBody(u)
	}
	target, err := url.Parse(f.API + "/api/v1/integrations/" + id + "/users")
	if err != nil {
		p.Err = err.Error()
		return p
	}
	header := f.header()
	header.Set("Content-Type", "application/json")
	build := func(i int) *http.Request {
		return &http.Request{Method: http.MethodPost, URL: target, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: header, Host: target.Host, Body: io.NopCloser(bytes.NewReader(bodies[i])), ContentLength: int64(len(bodies[i]))}
	}

	start := time.Now()
	res := MeasureN(ctx, client, len(users), conns, build)
	p.Requests, p.Errors, p.RPS, p.P50, p.P99 = res.Requests, res.Errors, res.RPS, res.P50, res.P99
	p.ErrorKinds, p.EnqueueTime = res.FirstErrors(3), res.Elapsed
	p.Enqueued = int(res.Requests - res.Errors)
	logf("T4: enqueued %d of %d jobs in %s (%s/s, p50 %s, p99 %s, errors %d)", p.Enqueued, p.Asked,
		human(p.EnqueueTime), thousands(p.RPS), millis(p.P50), millis(p.P99), p.Errors)

	p.Time, p.Backlog, err = f.waitEnded(ctx, client, id, p.Enqueued, start)
	if err != nil {
		p.Err = err.Error()
	}
	// The final counts come after the wait, whatever ended it, so a job
	// left open or failed shows as such.
	counts := []struct {
		dst  *int
		path string
	}{
		{&p.Finished, jobsCountPath(id, "finished")},
		{&p.Failed, jobsCountPath(id, "error")},
		{&p.Seats, "/api/v1/integrations/" + id + "/users?page[size]=1"},
	}
	for _, c := range counts {
		n, err := f.total(ctx, client, c.path)
		if err != nil {
			if p.Err == "" {
				p.Err = err.Error()
			}
			continue
		}
		*c.dst = n
	}
	return p
}

// waitEnded counts the integration's ended invite jobs every jobsPoll
// until want have ended, and returns the time from start to the answer
// that said so, with how many had not ended at the first count. It gives
// up when no job ends for jobsStall, or jobsGiveUp after start.
func (f JobsFixture) waitEnded(ctx context.Context, client *http.Client, id string, want int, start time.Time) (time.Duration, int, error) {
	path := jobsCountPath(id, "finished,error")
	tick := time.NewTicker(jobsPoll)
	defer tick.Stop()
	backlog, last, changed := -1, -1, time.Now()
	for {
		ended, err := f.total(ctx, client, path)
		now := time.Now()
		if err != nil {
			return now.Sub(start), max(backlog, 0), err
		}
		if backlog < 0 {
			backlog = max(want-ended, 0)
		}
		if ended >= want {
			return now.Sub(start), backlog, nil
		}
		if ended != last {
			last, changed = ended, now
		}
		switch {
		case now.Sub(changed) >= jobsStall:
			return now.Sub(start), backlog, fmt.Errorf("no job ended for %s; %s of %s had",
				jobsStall, thousands(float64(ended)), thousands(float64(want)))
		case now.Sub(start) >= jobsGiveUp:
			return now.Sub(start), backlog, fmt.Errorf("gave up %s after the first enqueue, when %s of %s jobs had ended",
				human(jobsGiveUp), thousands(float64(ended)), thousands(float64(want)))
		}
		select {
		case <-ctx.Done():
			return now.Sub(start), backlog, ctx.Err()
		case <-tick.C:
		}
	}
}

// jobsCountPath counts the integration's invite jobs in the given
// statuses; the workflow filter leaves out the sync that preceded them.
func jobsCountPath(integration, statuses string) string {
	return "/api/v1/jobs?filter[accountId]=" + integration + "&filter[workflowType]=provide_access&filter[status]=" +
		statuses + "&page[size]=1"
}

// inviteBody is one invite of one user as a collaborator with the no-op
// connector's MEMBER entitlement.
func inviteBody(userID string) []byte {
	type ref struct {
		ID string `json:"id"`
	}
	type attributes struct {
		Role         string   `json:"role"`
		Entitlements []ref    `json:"entitlements"`
		UserIDs      []string `json:"userIds"`
	}
	var doc struct {
		Data struct {
			Type       string     `json:"type"`
			Attributes attributes `json:"attributes"`
		} `json:"data"`
	}
	doc.Data.Type = "invite_tenant_users"
	doc.Data.Attributes = attributes{Role: "account_collaborator", Entitlements: []ref{{ID: "MEMBER"}}, UserIDs: []string{userID}}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err) // strings only: cannot fail
	}
	return b
}

// CreateIntegration connects a no-op application and returns its id.
func (f JobsFixture) CreateIntegration(ctx context.Context, client *http.Client, label string) (string, error) {
	body, err := json.Marshal(map[string]any{"data": map[string]any{"type": "account", "attributes": map[string]any{
		"application": "bench_tenant", "label": label, "connector": map[string]any{"kind": "noop"}}}})
	if err != nil {
		return "", err
	}
	var doc resourceDoc
	if err := f.call(ctx, client, http.MethodPost, "/api/v1/integrations", body, http.StatusCreated, &doc); err != nil {
		return "", err
	}
	if doc.Data.ID == "" {
		return "", fmt.Errorf("POST /api/v1/integrations: no data.id")
	}
	return doc.Data.ID, nil
}

// Sync runs the integration's sync job and waits for it to finish.
func (f JobsFixture) Sync(ctx context.Context, client *http.Client, id string) error {
	var doc resourceDoc
	if err := f.call(ctx, client, http.MethodPost, "/api/v1/integrations/"+id+"/sync", nil, http.StatusOK, &doc); err != nil {
		return err
	}
	job := doc.Data.ID
	deadline := time.Now().Add(syncWait)
	for {
		if err := f.call(ctx, client, http.MethodGet, "/api/v1/jobs/"+job, nil, http.StatusOK, &doc); err != nil {
			return err
		}
		switch doc.Data.Attributes.Status {
		case "finished":
			return nil
		case "error":
			return fmt.Errorf("the sync job %s ended in error: %s", job, doc.Data.Attributes.ErrorDetails)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the sync job %s is still %s after %s", job, doc.Data.Attributes.Status, syncWait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// UserIDs collects the ids of n live workspace users, following
// links.next a page of usersPage at a time.
func (f JobsFixture) UserIDs(ctx context.Context, client *http.Client, n int) ([]string, error) {
	ids := make([]string, 0, n)
	path := "/api/v1/users?filter[status]=live&page[size]=" + strconv.Itoa(usersPage)
	for len(ids) < n {
		var doc listDoc
		if err := f.call(ctx, client, http.MethodGet, path, nil, http.StatusOK, &doc); err != nil {
			return nil, err
		}
		for _, d := range doc.Data {
			ids = append(ids, d.ID)
		}
		if doc.Links.Next == nil || len(doc.Data) == 0 {
			break
		}
		path = *doc.Links.Next
	}
	if len(ids) < n {
		return nil, fmt.Errorf("the workspace has %d live users; T4 needs %d, one per job", len(ids), n)
	}
	return ids[:n], nil
}

// total is meta.page.total of a list.
func (f JobsFixture) total(ctx context.Context, client *http.Client, path string) (int, error) {
	var doc listDoc
	if err := f.call(ctx, client, http.MethodGet, path, nil, http.StatusOK, &doc); err != nil {
		return 0, err
	}
	if doc.Meta.Page.Total == nil {
		return 0, fmt.Errorf("GET %s: no meta.page.total", path)
	}
	return *doc.Meta.Page.Total, nil
}

// resourceDoc is the part of a single-resource answer T4 reads.
type resourceDoc struct {
	Data struct {
		ID         string `json:"id"`
		Attributes struct {
			Status       string          `json:"status"`
			ErrorDetails json.RawMessage `json:"errorDetails"`
		} `json:"attributes"`
	} `json:"data"`
}

// listDoc is the part of a list answer T4 reads.
type listDoc struct {
	Data []struct {
		ID string `json:"id"`
	} `json:"data"`
	Links struct {
		Next *string `json:"next"`
	} `json:"links"`
	Meta struct {
		Page struct {
			Total *int `json:"total"`
		} `json:"page"`
	} `json:"meta"`
}

// call sends one of T4's set-up or counting requests to path (which
// starts at /api) and decodes the answer into out; any status but want is
// an error quoting the answer.
func (f JobsFixture) call(ctx context.Context, client *http.Client, method, path string, body []byte, want int, out any) error {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, f.API+path, r)
	if err != nil {
		return err
	}
	req.Header = f.header()
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %s: %.300s", method, path, resp.Status, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	return nil
}

func (f JobsFixture) header() http.Header {
	return http.Header{"X-Api-Key": {f.Key}, "Accept": {"application/json"}}
}
