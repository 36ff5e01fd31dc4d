package loadtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMeasureCountsRequestsAndErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			_, _ = w.Write([]byte(`{"ok":true}`))
		case "/redirect":
			http.Redirect(w, r, "/ok", http.StatusFound)
		default:
			http.Error(w, "boom", http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	tests := []struct {
		name      string
		base      string
		path      string
		allErrors bool
		kind      string // a prefix of the expected error kind
	}{
		{name: "2xx", base: srv.URL, path: "/ok"},
		{name: "5xx", base: srv.URL, path: "/fail", allErrors: true, kind: "status 500"},
		{name: "redirects are not followed and count as errors", base: srv.URL, path: "/redirect", allErrors: true, kind: "status 302"},
		{name: "refused connections", base: closed.URL, path: "/ok", allErrors: true, kind: "transport: dial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.base + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			client := NewClient(4)
			defer client.CloseIdleConnections()
			res := Measure(context.Background(), client, func(*rand.Rand) *http.Request { return get(u, http.Header{}) },
				Plan{Connections: 4, Warmup: 20 * time.Millisecond, Duration: 150 * time.Millisecond, Seed: 1})
			if res.Requests == 0 || res.RPS <= 0 {
				t.Fatalf("Requests = %d, RPS = %v; want some", res.Requests, res.RPS)
			}
			if res.P50 <= 0 || res.P99 < res.P50 || res.Max < res.P99 {
				t.Errorf("P50 %v, P99 %v, Max %v: want 0 < p50 ≤ p99 ≤ max", res.P50, res.P99, res.Max)
			}
			wantErrors := int64(0)
			if tt.allErrors {
				wantErrors = res.Requests
			}
			if res.Errors != wantErrors {
				t.Fatalf("Errors = %d of %d, want %d (%s)", res.Errors, res.Requests, wantErrors, res.FirstErrors(3))
			}
			if tt.kind != "" && !strings.HasPrefix(res.FirstErrors(1), tt.kind) {
				t.Errorf("FirstErrors = %q, want it to start with %q", res.FirstErrors(1), tt.kind)
			}
		})
	}
}

func TestMeasureStopsWhenCanceled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan Result)
	go func() {
		done <- Measure(ctx, NewClient(2), func(*rand.Rand) *http.Request { return get(u, http.Header{}) },
			Plan{Connections: 2, Duration: time.Hour})
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Measure ran on after its context ended")
	}
}

func TestFirstErrorsOrdersByCount(t *testing.T) {
	tests := []struct {
		name  string
		kinds map[string]int64
		n     int
		want  string
	}{
		{"none", nil, 3, ""},
		{"most frequent first", map[string]int64{"status 500": 2, "status 503": 9}, 3, "status 503 ×9, status 500 ×2"},
		{"ties by name", map[string]int64{"b": 1, "a": 1}, 3, "a ×1, b ×1"},
		{"at most n", map[string]int64{"a": 3, "b": 2, "c": 1}, 2, "a ×3, b ×2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Result{ErrorKinds: tt.kinds}).FirstErrors(tt.n); got != tt.want {
				t.Errorf("FirstErrors(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}

func TestMeasureNSendsEachRequestOnce(t *testing.T) {
	var (
		mu   sync.Mutex
		seen = map[string]int{}
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path]++
		mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "7") { // one in ten fails
			http.Error(w, "boom", http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	tests := []struct{ n, conns int }{{0, 4}, {1, 4}, {3, 8}, {200, 4}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d requests on %d connections", tt.n, tt.conns), func(t *testing.T) {
			clear(seen)
			client := NewClient(tt.conns)
			defer client.CloseIdleConnections()
			res := MeasureN(context.Background(), client, tt.n, tt.conns, func(i int) *http.Request {
				u, _ := url.Parse(fmt.Sprintf("%s/r/%d", srv.URL, i))
				return get(u, http.Header{})
			})
			if res.Requests != int64(tt.n) || len(seen) != tt.n {
				t.Fatalf("Requests %d, %d distinct paths; want %d of each", res.Requests, len(seen), tt.n)
			}
			for path, c := range seen {
				if c != 1 {
					t.Errorf("%s sent %d times", path, c)
				}
			}
			if want := int64(tt.n / 10); tt.n >= 10 && res.Errors != want {
				t.Errorf("Errors = %d, want %d (%s)", res.Errors, want, res.FirstErrors(3))
			}
			if tt.n > 0 && (res.RPS <= 0 || res.Elapsed <= 0 || res.P99 <= 0) {
				t.Errorf("RPS %v, Elapsed %v, P99 %v: want all positive", res.RPS, res.Elapsed, res.P99)
			}
		})
	}
}
