package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// NextRequest returns the next request of a scenario. Each worker calls it
// with its own rng, so it must not keep state of its own; the request it
// returns may be shared and is never modified.
type NextRequest func(rng *rand.Rand) *http.Request

// Plan is how one measurement loads the server.
type Plan struct {
	Connections int           // concurrent workers, each with one request in flight
	Warmup      time.Duration // run, but not counted, before the measurement
	Duration    time.Duration // the measured window
	Seed        uint64        // makes the request sequence reproducible
}

// Result is what one measurement saw inside its window.
type Result struct {
	Requests int64 // completed in the window, errors included
	Errors   int64 // transport errors and non-2xx answers
	RPS      float64
	P50, P99 time.Duration
	Max      time.Duration
	// Elapsed is the window the rate is over: the plan's duration, or
	// from MeasureN's first request to its last answer.
	Elapsed time.Duration
	// ErrorKinds counts errors by a short reason, such as "status 500".
	ErrorKinds map[string]int64
}

// FirstErrors describes up to n error kinds, most frequent first.
func (r Result) FirstErrors(n int) string {
	kinds := make([]string, 0, len(r.ErrorKinds))
	for k := range r.ErrorKinds {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool {
		if a, b := r.ErrorKinds[kinds[i]], r.ErrorKinds[kinds[j]]; a != b {
			return a > b
		}
		return kinds[i] < kinds[j]
	})
	var parts []string
	for _, k := range kinds[:min(n, len(kinds))] {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, r.ErrorKinds[k]))
	}
	return strings.Join(parts, ", ")
}

// NewClient returns a client that keeps one idle connection per worker,
// so a closed loop of conns workers reuses its connections like wrk does
// instead of measuring TCP handshakes.
func NewClient(conns int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true, // count the bytes the server really sends
		},
		// A request stuck this long is an error, not a latency.
		Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// Measure drives a closed loop: plan.Connections workers each send a request,
// read the whole answer and send the next, for plan.Warmup and then
// plan.Duration. Only requests that finish inside the measured window
// count; requests still in flight at its end finish but are not counted,
// so the window is never cut short and the server is never left with
// aborted connections.
func Measure(ctx context.Context, client *http.Client, next NextRequest, plan Plan) Result {
	start := time.Now().Add(plan.Warmup)
	end := start.Add(plan.Duration)
	tallies := newTallies(plan.Connections)
	var wg sync.WaitGroup
	for w := range tallies {
		t := &tallies[w]
		rng := rand.New(rand.NewPCG(plan.Seed, uint64(w)))
		wg.Go(func() {
			for ctx.Err() == nil {
				began := time.Now()
				if !began.Before(end) {
					return
				}
				kind := do(client, next(rng).WithContext(ctx))
				done := time.Now()
				if done.Before(start) || !done.Before(end) {
					continue
				}
				t.record(done.Sub(began), kind)
			}
		})
	}
	wg.Wait()
	return merge(tallies, plan.Duration)
}

// tally is one worker's count, kept apart so the hot path takes no lock.
type tally struct {
	hist     *Histogram
	requests int64
	errors   int64
	kinds    map[string]int64
}

func newTallies(n int) []tally {
	ts := make([]tally, n)
	for i := range ts {
		ts[i].hist, ts[i].kinds = NewHistogram(), map[string]int64{}
	}
	return ts
}

func (t *tally) record(latency time.Duration, kind string) {
	t.hist.Record(latency)
	t.requests++
	if kind != "" {
		t.errors++
		t.kinds[kind]++
	}
}

// merge folds the workers' tallies into the result of a window.
func merge(tallies []tally, window time.Duration) Result {
	all := NewHistogram()
	res := Result{ErrorKinds: map[string]int64{}, Elapsed: window}
	for _, t := range tallies {
		all.Merge(t.hist)
		res.Requests += t.requests
		res.Errors += t.errors
		for k, c := range t.kinds {
			res.ErrorKinds[k] += c
		}
	}
	if window > 0 {
		res.RPS = float64(res.Requests) / window.Seconds()
	}
	res.P50, res.P99, res.Max = all.Quantile(0.50), all.Quantile(0.99), all.Max()
	return res
}

// MeasureN drives the same closed loop as Measure over a fixed set of
// requests instead of a window: conns workers take requests 0 … n-1 in
// turn until none is left, each exactly once, and every one counts. It
// suits writes, where each request must be sent once (T4 enqueues one job
// per workspace user). The rate is over the time from the first request
// to the last answer; there is no warm-up, since every request matters.
func MeasureN(ctx context.Context, client *http.Client, n, conns int, build func(i int) *http.Request) Result {
	tallies := newTallies(max(min(conns, n), 1))
	var next atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for w := range tallies {
		t := &tallies[w]
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				began := time.Now()
				kind := do(client, build(i).WithContext(ctx))
				t.record(time.Since(began), kind)
			}
		})
	}
	wg.Wait()
	return merge(tallies, time.Since(start))
}

// do sends req and drains the answer, so the connection goes back to the
// pool. It returns "" on a 2xx answer and a short reason otherwise.
func do(client *http.Client, req *http.Request) string {
	resp, err := client.Do(req)
	if err != nil {
		return "transport: " + errorKind(err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	switch {
	case err != nil:
		return "read: " + errorKind(err)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return fmt.Sprintf("status %d", resp.StatusCode)
	}
	return ""
}

// errorKind shortens an error to something that groups well: the
// innermost message, without addresses and ports that differ per request.
func errorKind(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Op + ": " + op.Err.Error()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	if errors.Is(err, context.Canceled) {
		return "canceled"
	}
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(err) {
		err = u
	}
	return err.Error()
}
