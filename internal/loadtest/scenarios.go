package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
)

// PageSize is T2's page[size].
const PageSize = 25

// DeepPage is the page T2's depth check compares with page 1.
const DeepPage = 4000

// Scenario is one row of the report: a request mix and its target.
type Scenario struct {
	ID    string // "bare", "T1", …
	Title string // Markdown
	// MinRatio is the target share of the bare rate; 0 marks the baseline.
	MinRatio float64
	Next     NextRequest
}

// Fixture is what the scenarios' requests are made of.
type Fixture struct {
	API, Bare string   // base URLs of the latchkey and bare servers
	Key       string   // the heavy member's API key for T1–T3
	JobsKey   string   // theirs for T4, holding JobsScopes; "" when T4 is skipped
	Accounts  []string // ids of accounts the heavy member owns
	Pages     int      // full pages of the heavy member's account list
}

// Scenarios returns the measured scenarios in the order they run, the
// baseline first.
func (f Fixture) Scenarios() []Scenario {
	return []Scenario{
		{ID: "bare", Title: "`net/http`, fixed 5 KB JSON, pre-encoded", Next: f.pick(f.Bare, "/api/v1/accounts/%s")},
		{ID: "T1", Title: "`GET /api/v1/accounts/{id}`", MinRatio: 0.70, Next: f.pick(f.API, "/api/v1/accounts/%s")},
		{ID: "T2", Title: "`GET /api/v1/accounts?page[size]=25&page[number]=P`, P random", MinRatio: 0.40, Next: f.Page(0)},
		{ID: "T3", Title: "`GET /api/v1/accounts/{id}/secrets?filter[secretType]=password`", MinRatio: 0.25,
			Next: f.pick(f.API, "/api/v1/accounts/%s/secrets?filter[secretType]=password")},
	}
}

// Page returns T2's requests for one page, or for a page drawn uniformly
// from 1 to f.Pages when page is 0.
func (f Fixture) Page(page int) NextRequest {
	base, err := url.Parse(f.API + "/api/v1/accounts")
	if err != nil {
		panic(err) // the base URL came from the server's own line
	}
	header := f.header()
	pages := max(f.Pages, 1)
	return func(rng *rand.Rand) *http.Request {
		p := page
		if p == 0 {
			p = 1 + rng.IntN(pages)
		}
		u := *base
		u.RawQuery = "page[size]=" + strconv.Itoa(PageSize) + "&page[number]=" + strconv.Itoa(p)
		return get(&u, header)
	}
}

// pick returns requests for pathFormat filled with a random account id.
// They are built once and shared: the client only reads them.
func (f Fixture) pick(base, pathFormat string) NextRequest {
	header := f.header()
	reqs := make([]*http.Request, len(f.Accounts))
	for i, id := range f.Accounts {
		u, err := url.Parse(base + fmt.Sprintf(pathFormat, id))
		if err != nil {
			panic(err)
		}
		reqs[i] = get(u, header)
	}
	return func(rng *rand.Rand) *http.Request { return reqs[rng.IntN(len(reqs))] }
}

// header carries the API key; the bare server gets it too, so both send
// the same bytes.
func (f Fixture) header() http.Header {
	return http.Header{"X-Api-Key": {f.Key}, "Accept": {"application/json"}}
}

// get builds a GET without parsing a URL string each time.
func get(u *url.URL, header http.Header) *http.Request {
	return &http.Request{Method: http.MethodGet, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: header, Host: u.Host}
}

// AccountTotal asks for the first page of the heavy member's accounts and
// returns meta.page.total: how many they can see, owned or shared.
func (f Fixture) AccountTotal(ctx context.Context, client *http.Client) (int, error) {
	req := f.Page(1)(nil).WithContext(ctx)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s: %.300s", req.URL, resp.Status, body)
	}
	var page struct {
		Meta struct {
			Page struct {
				Total *int `json:"total"`
			} `json:"page"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return 0, fmt.Errorf("GET %s: %w", req.URL, err)
	}
	if page.Meta.Page.Total == nil {
		return 0, fmt.Errorf("GET %s: no meta.page.total", req.URL)
	}
	return *page.Meta.Page.Total, nil
}
