package ratelimit

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is safe for concurrent use so that the race tests can share it.
type fakeClock struct{ ns atomic.Int64 }

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func (c *fakeClock) Now() time.Time            { return t0.Add(time.Duration(c.ns.Load())) }
func (c *fakeClock) Advance(d time.Duration)   { c.ns.Add(int64(d)) }
func (c *fakeClock) Set(sinceT0 time.Duration) { c.ns.Store(int64(sinceT0)) }

// newTest returns a limiter whose windows start at t0, and its clock.
func newTest(limit int, window time.Duration, opts ...Option) (*Limiter, *fakeClock) {
	c := &fakeClock{}
	return New(limit, window, append([]Option{WithClock(c.Now)}, opts...)...), c
}

// trackedKeys counts keys and checks each shard's internal invariants, so
// that the eviction and race tests also catch a corrupted LRU list.
func trackedKeys(t *testing.T, l *Limiter) int {
	t.Helper()
	n := 0
	for si := range l.shards {
		s := &l.shards[si]
		s.mu.Lock()
		if len(s.index) > s.max || len(s.entries) > s.max {
			t.Errorf("shard %d: %d keys, %d slots, cap %d", si, len(s.index), len(s.entries), s.max)
		}
		walked := 0
		for i, newer := s.newest, int32(-1); i >= 0; newer, i = i, s.entries[i].older {
			e := &s.entries[i]
			if e.newer != newer {
				t.Fatalf("shard %d: slot %d links back to %d, want %d", si, i, e.newer, newer)
			}
			if got, ok := s.index[e.key]; !ok || got != i {
				t.Fatalf("shard %d: key %q in slot %d indexed at %d (present %v)", si, e.key, i, got, ok)
			}
			if walked++; walked > len(s.entries) {
				t.Fatalf("shard %d: LRU list has a cycle", si)
			}
		}
		if walked != len(s.index) {
			t.Errorf("shard %d: LRU list has %d entries, index %d", si, walked, len(s.index))
		}
		n += len(s.index)
		s.mu.Unlock()
	}
	return n
}

func entryOf(l *Limiter, key string) *entry {
	for si := range l.shards {
		s := &l.shards[si]
		if i, ok := s.index[key]; ok {
			return &s.entries[i]
		}
	}
	return nil
}

func TestFreshWindow(t *testing.T) {
	tests := []struct {
		name   string
		limit  int
		window time.Duration
		start  time.Duration // clock offset from the first window's start
	}{
		{"one per minute", 1, time.Minute, 0},
		{"five per minute", 5, time.Minute, 0},
		{"mid window", 5, time.Minute, 40 * time.Second},
		{"late window", 100, time.Second, 999 * time.Millisecond},
		{"later window", 3, time.Minute, 7*time.Minute + 10*time.Second},
		{"limit times window beyond int64", 1 << 40, 24 * time.Hour, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, clk := newTest(tt.limit, tt.window)
			clk.Set(tt.start)
			n := tt.limit
			if n > 1000 {
				// Charging 2^40 one by one would take too long: seed the
				// counter directly and check only the final requests.
				l.Allow("k")
				entryOf(l, "k").cur = uint64(tt.limit - 3)
				n = 3
			}
			for i := n - 1; i >= 0; i-- {
				d := l.Allow("k")
				if !d.Allowed || d.Remaining != i || d.Limit != tt.limit || d.RetryAfter != 0 {
					t.Fatalf("request %d: got %+v, want allowed with %d remaining", n-i, d, i)
				}
				if (d.Reset == 0) != (i > 0) {
					t.Fatalf("request %d: Reset %v with %d remaining", n-i, d.Reset, i)
				}
			}

			d := l.Allow("k")
			// Nothing frees up until the next window starts; one
			// nanosecond into it the full previous window's weight drops
			// below limit.
			elapsed := tt.start % tt.window
			want := tt.window - elapsed + time.Nanosecond
			if d.Allowed || d.Remaining != 0 || d.RetryAfter != want || d.Reset != want {
				t.Fatalf("request over limit: got %+v, want denied with RetryAfter = Reset = %v", d, want)
			}

			// Retry-After is neither early nor needlessly late.
			clk.Advance(d.RetryAfter - time.Nanosecond)
			if d := l.Allow("k"); d.Allowed {
				t.Fatalf("allowed 1ns before RetryAfter: %+v", d)
			}
			clk.Advance(time.Nanosecond)
			if d := l.Allow("k"); !d.Allowed {
				t.Fatalf("denied at RetryAfter: %+v", d)
			}
		})
	}
}

func TestCapacityReturnsAsWindowSlides(t *testing.T) {
	const limit, window = 10, 10 * time.Second

	t.Run("allowance at offsets into the next window", func(t *testing.T) {
		tests := []struct {
			offset time.Duration
			want   int // limit - floor(limit * (window-offset) / window)
		}{
			{0, 0},
			{time.Nanosecond, 1},
			{time.Second, 1},
			{time.Second + time.Nanosecond, 2},
			{5 * time.Second, 5},
			{9 * time.Second, 9},
			{window - time.Nanosecond, 10},
			{window, 10}, // the full window has dropped out
			{2 * window, 10},
		}
		for _, tt := range tests {
			t.Run(tt.offset.String(), func(t *testing.T) {
				l, clk := newTest(limit, window)
				for range limit {
					l.Allow("k")
				}
				clk.Set(window + tt.offset)
				got := 0
				for l.Allow("k").Allowed {
					if got++; got > limit {
						t.Fatalf("more than %d allowed", limit)
					}
				}
				if got != tt.want {
					t.Errorf("allowed %d, want %d", got, tt.want)
				}
			})
		}
	})

	t.Run("steady trickle", func(t *testing.T) {
		l, clk := newTest(limit, window)
		for range limit {
			l.Allow("k")
		}
		// The previous window's weight falls by one request per second, so
		// one request fits in each second of the next window. A slot opens
		// just after each whole second, because a request is allowed only
		// while the estimate is strictly below the limit.
		clk.Set(window - 500*time.Millisecond)
		for sec := range limit {
			clk.Advance(time.Second)
			if d := l.Allow("k"); !d.Allowed {
				t.Fatalf("second %d: denied %+v", sec, d)
			}
			d := l.Allow("k")
			if d.Allowed {
				t.Fatalf("second %d: second request allowed %+v", sec, d)
			}
			if want := 500*time.Millisecond + time.Nanosecond; d.RetryAfter != want {
				t.Fatalf("second %d: RetryAfter %v, want %v", sec, d.RetryAfter, want)
			}
		}
	})

	t.Run("reset when the last slot is taken", func(t *testing.T) {
		l, clk := newTest(limit, window)
		for range limit {
			l.Allow("k")
		}
		// 2.5s in, the previous window still weighs 7.5, so three requests
		// fit, and a fourth just after the 3s mark.
		clk.Set(window + 2500*time.Millisecond)
		for range 2 {
			l.Allow("k")
		}
		d := l.Allow("k")
		if want := 500*time.Millisecond + time.Nanosecond; !d.Allowed || d.Remaining != 0 || d.Reset != want {
			t.Fatalf("got %+v, want allowed, 0 remaining, Reset %v", d, want)
		}
	})
}

func TestKeysAreIndependent(t *testing.T) {
	l, _ := newTest(2, time.Minute)
	for _, step := range []struct {
		key     string
		allowed bool
	}{
		{"a", true}, {"a", true}, {"a", false},
		{"b", true}, {"a", false}, {"b", true}, {"b", false},
		{"c", true},
	} {
		if got := l.Allow(step.key).Allowed; got != step.allowed {
			t.Fatalf("Allow(%q) = %v, want %v", step.key, got, step.allowed)
		}
	}
}

func TestAllowAll(t *testing.T) {
	const limit = 5
	tests := []struct {
		name      string
		used      map[string]int // requests charged with Allow beforehand
		keys      []string
		want      Decision
		remaining map[string]int // per key afterwards, via a probing Allow
	}{
		{
			name:      "all fresh",
			keys:      []string{"key", "user"},
			want:      Decision{Allowed: true, Limit: limit, Remaining: 4},
			remaining: map[string]int{"key": 3, "user": 3},
		},
		{
			name:      "most restrictive wins",
			used:      map[string]int{"key": 1, "user": 3},
			keys:      []string{"key", "user"},
			want:      Decision{Allowed: true, Limit: limit, Remaining: 1},
			remaining: map[string]int{"key": 2, "user": 0},
		},
		{
			name:      "last slot reports reset",
			used:      map[string]int{"user": 4},
			keys:      []string{"key", "user"},
			want:      Decision{Allowed: true, Limit: limit, Reset: time.Minute + time.Nanosecond},
			remaining: map[string]int{"key": 3},
		},
		{
			name:      "one exhausted key denies and charges nothing",
			used:      map[string]int{"key": 2, "user": 5},
			keys:      []string{"key", "user"},
			want:      Decision{Limit: limit, Reset: time.Minute + time.Nanosecond, RetryAfter: time.Minute + time.Nanosecond},
			remaining: map[string]int{"key": 2},
		},
		{
			name:      "denied with a fresh key does not create it",
			used:      map[string]int{"user": 5},
			keys:      []string{"new", "user"},
			want:      Decision{Limit: limit, Reset: time.Minute + time.Nanosecond, RetryAfter: time.Minute + time.Nanosecond},
			remaining: map[string]int{"new": 4},
		},
		{
			name:      "duplicates are charged once",
			used:      map[string]int{"key": 1},
			keys:      []string{"key", "key", "user", "key"},
			want:      Decision{Allowed: true, Limit: limit, Remaining: 3},
			remaining: map[string]int{"key": 2, "user": 3},
		},
		{
			name:      "more keys than the stack buffers",
			keys:      []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"},
			want:      Decision{Allowed: true, Limit: limit, Remaining: 4},
			remaining: map[string]int{"a": 3, "j": 3},
		},
		{
			name: "no keys",
			want: Decision{Allowed: true, Limit: limit, Remaining: limit},
		},
		{
			name:      "single key",
			keys:      []string{"key"},
			want:      Decision{Allowed: true, Limit: limit, Remaining: 4},
			remaining: map[string]int{"key": 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, _ := newTest(limit, time.Minute)
			for k, n := range tt.used {
				for range n {
					l.Allow(k)
				}
			}
			got := l.AllowAll(tt.keys...)
			if got != tt.want {
				t.Errorf("AllowAll(%q) = %+v, want %+v", tt.keys, got, tt.want)
			}
			if !got.Allowed {
				for _, k := range tt.keys {
					if tt.used[k] == 0 && entryOf(l, k) != nil {
						t.Errorf("denied call started tracking %q", k)
					}
				}
			}
			for k, want := range tt.remaining {
				if got := l.Allow(k).Remaining; got != want {
					t.Errorf("%q: %d remaining after probe, want %d", k, got, want)
				}
			}
		})
	}

	t.Run("retry after is the longest wait", func(t *testing.T) {
		l, clk := newTest(limit, 10*time.Second)
		for range limit {
			l.Allow("early")
		}
		// Three seconds into the next window "early" has some room back
		// and regains more within a second or so; "late" has none until
		// the window after.
		clk.Set(10*time.Second + 3*time.Second)
		for l.Allow("early").Allowed {
		}
		for range limit {
			l.Allow("late")
		}
		de, dl := l.Allow("early"), l.Allow("late")
		if de.Allowed || dl.Allowed || de.RetryAfter >= dl.RetryAfter {
			t.Fatalf("setup: early %+v, late %+v", de, dl)
		}
		d := l.AllowAll("early", "late")
		if d.Allowed || d.RetryAfter != dl.RetryAfter {
			t.Fatalf("got %+v, want denied with RetryAfter %v", d, dl.RetryAfter)
		}
	})
}

func TestUnlimited(t *testing.T) {
	for _, limit := range []int{0, -1} {
		t.Run(strconv.Itoa(limit), func(t *testing.T) {
			// A zero window is fine when nothing is limited.
			l := New(limit, 0)
			for i := range 1000 {
				if d := l.Allow("k"); d != (Decision{Allowed: true}) {
					t.Fatalf("request %d: %+v", i, d)
				}
			}
			if d := l.AllowAll("k", "u"); d != (Decision{Allowed: true}) {
				t.Fatalf("AllowAll: %+v", d)
			}
			if n := testing.AllocsPerRun(100, func() { l.Allow("k"); l.AllowAll("k", "u") }); n != 0 {
				t.Errorf("%v allocations per call", n)
			}
		})
	}
}

func TestNoAllocationsForKnownKeys(t *testing.T) {
	l, clk := newTest(1<<30, time.Minute)
	l.Allow("key")
	l.AllowAll("key", "user")
	n := testing.AllocsPerRun(1000, func() {
		clk.Advance(time.Second) // cross window boundaries too
		l.Allow("key")
		l.AllowAll("key", "user")
	})
	if n != 0 {
		t.Errorf("%v allocations per call", n)
	}
}

func TestInvalidConfigPanics(t *testing.T) {
	tests := []struct {
		name   string
		window time.Duration
		opts   []Option
	}{
		{"zero window", 0, nil},
		{"negative window", -time.Second, nil},
		{"zero max keys", time.Second, []Option{WithMaxKeys(0)}},
		{"nil clock", time.Second, []Option{WithClock(nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("New did not panic")
				}
			}()
			New(1, tt.window, tt.opts...)
		})
	}
}

func TestEviction(t *testing.T) {
	t.Run("flood of distinct keys in one window", func(t *testing.T) {
		const maxKeys = 1000
		l, _ := newTest(3, time.Minute, WithMaxKeys(maxKeys))
		// A throttled client that keeps retrying must keep its record
		// while the flood goes on around it.
		for range 3 {
			l.Allow("hot")
		}
		for i := range 1_000_000 {
			if !l.Allow(strconv.Itoa(i)).Allowed {
				t.Fatalf("fresh key %d denied", i)
			}
			if i%10 == 0 && l.Allow("hot").Allowed {
				t.Fatalf("hot key forgotten after %d distinct keys", i)
			}
			if i%100_000 == 0 {
				if n := trackedKeys(t, l); n > maxKeys {
					t.Fatalf("after %d keys: tracking %d, cap %d", i, n, maxKeys)
				}
			}
		}
		if n := trackedKeys(t, l); n > maxKeys || n < maxKeys*9/10 {
			t.Fatalf("tracking %d keys, want close to the cap of %d", n, maxKeys)
		}
	})

	t.Run("oldest active key is evicted and starts afresh", func(t *testing.T) {
		l, _ := newTest(1, time.Minute, WithMaxKeys(1))
		if !l.Allow("a").Allowed || l.Allow("a").Allowed {
			t.Fatal("setup")
		}
		l.Allow("b")
		if d := l.Allow("a"); !d.Allowed {
			t.Fatalf("evicted key should start with a fresh budget, got %+v", d)
		}
		if n := trackedKeys(t, l); n != 1 {
			t.Fatalf("tracking %d keys, want 1", n)
		}
	})

	t.Run("stale slots are reused before growing", func(t *testing.T) {
		const perWindow, windows = 10, 10_000
		l, clk := newTest(5, time.Second)
		for w := range windows {
			clk.Set(time.Duration(w) * time.Second)
			for k := range perWindow {
				l.Allow(fmt.Sprintf("%d/%d", w, k))
			}
		}
		// A shard only grows while all its keys were used in the last two
		// windows, and only 2*perWindow keys can be.
		slots := 0
		for si := range l.shards {
			slots += len(l.shards[si].entries)
		}
		if bound := len(l.shards) * (2*perWindow + 1); slots > bound {
			t.Fatalf("%d slots for %d distinct keys, want at most %d", slots, perWindow*windows, bound)
		}
		trackedKeys(t, l)
	})
}

func TestConcurrentNeverExceedsLimit(t *testing.T) {
	const limit, workers, calls = 100, 16, 200
	tests := []struct {
		name string
		call func(l *Limiter, worker int) bool
	}{
		{"Allow", func(l *Limiter, _ int) bool { return l.Allow("k").Allowed }},
		{"AllowAll", func(l *Limiter, w int) bool { return l.AllowAll("k", "user"+strconv.Itoa(w%3)).Allowed }},
		{"mixed", func(l *Limiter, w int) bool {
			if w%2 == 0 {
				return l.Allow("k").Allowed
			}
			return l.AllowAll("user", "k").Allowed
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, clk := newTest(limit, time.Minute)
			for w := range 3 {
				// Start one second into each window so that the previous
				// window's weight is well defined, and let the clock creep
				// forward while workers run, as it would in production.
				clk.Set(time.Duration(w)*time.Minute + time.Second)
				var allowed atomic.Int64
				var wg sync.WaitGroup
				for worker := range workers {
					wg.Go(func() {
						for range calls {
							if tt.call(l, worker) {
								allowed.Add(1)
							}
							clk.Advance(time.Millisecond)
						}
					})
				}
				// Noise on other keys, to contend for the shards' locks
				// and reorder their LRU lists.
				wg.Go(func() {
					for i := range calls * 10 {
						l.Allow("noise" + strconv.Itoa(i%50))
					}
				})
				wg.Wait()
				if got := allowed.Load(); got > limit {
					t.Fatalf("window %d: %d requests allowed for one key, limit %d", w, got, limit)
				} else if w == 0 && got != limit {
					t.Fatalf("fresh window: %d allowed, want exactly %d", got, limit)
				}
				trackedKeys(t, l)
			}
		})
	}
}

func TestConcurrentEviction(t *testing.T) {
	const maxKeys, workers, calls = 200, 16, 2000
	l, clk := newTest(5, time.Second, WithMaxKeys(maxKeys))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range calls {
				k := strconv.Itoa(w*calls + i)
				if i%2 == 0 {
					l.Allow(k)
				} else {
					l.AllowAll(k, "shared"+strconv.Itoa(i%7))
				}
				if i%500 == 0 {
					clk.Advance(time.Second) // make some keys stale
				}
			}
		})
	}
	wg.Wait()
	if n := trackedKeys(t, l); n > maxKeys {
		t.Fatalf("tracking %d keys, cap %d", n, maxKeys)
	}
}

func BenchmarkAllowSameKey(b *testing.B) {
	l := New(1<<40, time.Minute)
	b.ReportAllocs()
	for b.Loop() {
		l.Allow("key:3f9a1c")
	}
}

func BenchmarkAllowParallelDistinctKeys(b *testing.B) {
	l := New(1<<40, time.Minute)
	keys := make([]string, 1<<16)
	for i := range keys {
		keys[i] = fmt.Sprintf("ip:10.%d.%d.%d", i>>16, i>>8&0xff, i&0xff)
		l.Allow(keys[i])
	}
	var next atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := next.Add(7919) // spread goroutines across the key space
		for pb.Next() {
			l.Allow(keys[i&(1<<16-1)])
			i++
		}
	})
}

// BenchmarkAllowAllTwoKeys is the per-key plus per-user path.
func BenchmarkAllowAllTwoKeys(b *testing.B) {
	l := New(1<<40, time.Minute)
	b.ReportAllocs()
	for b.Loop() {
		l.AllowAll("key:3f9a1c", "user:42")
	}
}

// BenchmarkAllowFlood measures the worst case: every request comes from a
// new address and the limiter is full, so each call evicts a key.
func BenchmarkAllowFlood(b *testing.B) {
	l := New(100, time.Minute, WithMaxKeys(1<<12))
	keys := make([]string, 1<<16)
	for i := range keys {
		keys[i] = fmt.Sprintf("ip:10.%d.%d.%d", i>>16, i>>8&0xff, i&0xff)
	}
	var next atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := next.Add(7919)
		for pb.Next() {
			l.Allow(keys[i&(1<<16-1)])
			i++
		}
	})
}
