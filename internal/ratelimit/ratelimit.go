// Package ratelimit decides whether a request may proceed under a
// requests-per-window limit tracked per key (API key, user, client address).
// It is pure bookkeeping; translating a Decision into HTTP headers is the
// caller's job.
//
// # Algorithm
//
// Each key keeps two counters: requests charged in the current fixed window
// and in the one before it. Windows are aligned to the limiter's creation
// time, so every key rolls over at the same instant. The count over the
// sliding window that ends now is estimated as
//
//	prev × (window − elapsed) / window + cur
//
// which assumes the previous window's requests were spread evenly across it.
// A request is allowed while that estimate, with its fractional part
// dropped, is below the limit (the usual "sliding window counter"
// formulation). The approximation is exact when the previous window is
// empty, so a key that was idle gets exactly limit requests. Otherwise it can
// err either way: if the previous window's traffic was bunched at its end,
// more than limit requests can land within one window's length, and if it was
// bunched at its start, fewer are allowed than a true sliding log would. It
// never allows more than limit per fixed window, and so never more than twice
// limit in any interval one window long. In exchange a key costs a few words
// of memory no matter how high its limit is.
//
// # Memory bound
//
// At most WithMaxKeys keys are tracked. Keys live in shards, each with its
// own lock and its own share of that cap, and each shard keeps its keys in
// least-recently-used order. Creating a key first reuses the slot of the
// shard's least-recently-used key if that key is stale (nothing in the
// current or previous window, so forgetting it changes no decision). That
// keeps memory in proportion to the active keys, not to every key ever seen.
// When a shard is full of active keys, its least-recently-used key is evicted
// even though it still has counts. Forgetting the key fails open: if it comes
// back, it starts with a fresh budget. We chose that over refusing new keys.
// Refusing them would let anyone able to send from many addresses (trivial
// with IPv6) lock every new client out of the unauthenticated endpoints. Such
// an attacker already gets a fresh budget per address, so evicting old
// entries does not help them further. A key's recency is refreshed by denied
// requests too, so a client that keeps hammering after being throttled keeps
// its record.
package ratelimit

import (
	"hash/maphash"
	"math"
	"math/bits"
	"strings"
	"sync"
	"time"
)

const (
	defaultMaxKeys = 100_000

	// Sixty-four shards make lock contention negligible at the expected
	// core counts, while each shard still holds enough keys under the
	// default cap for its LRU order to be meaningful.
	maxShards = 64
)

// Decision is the outcome of one request against one key.
//
// A Decision from a limiter created with limit <= 0 has Allowed set and every
// other field zero. Limit == 0 therefore means "unlimited", and callers should
// omit rate-limit headers.
//
// Because capacity comes back gradually rather than all at once, Reset is
// zero while Remaining is positive. After the last request that fits, it is
// the time until the next one will. Durations are exact to the nanosecond:
// a request made RetryAfter later is allowed (barring other traffic on the
// key). When rendering whole seconds, round up.
type Decision struct {
	Allowed    bool
	Limit      int           // requests per window
	Remaining  int           // after this request (0 when denied)
	Reset      time.Duration // until enough capacity is back for one more request
	RetryAfter time.Duration // zero when allowed
}

// Limiter counts requests per key in a sliding window, approximated from two
// fixed windows as described in the package documentation. It is safe for
// concurrent use.
type Limiter struct {
	limit   int
	window  time.Duration
	maxKeys int
	now     func() time.Time
	epoch   time.Time
	seed    maphash.Seed
	mask    uint64
	shards  []shard
}

// Option configures a Limiter.
type Option func(*Limiter)

// WithClock replaces time.Now, for tests. The clock is read once per call,
// outside any lock.
func WithClock(now func() time.Time) Option {
	return func(l *Limiter) { l.now = now }
}

// WithMaxKeys caps the number of tracked keys (default 100_000). n must be
// positive. The cap is split evenly across shards, so eviction can begin in
// a busy shard slightly before the whole limiter holds n keys.
func WithMaxKeys(n int) Option {
	return func(l *Limiter) { l.maxKeys = n }
}

// New returns a limiter allowing limit requests per window per key. limit <= 0
// means unlimited: Allow always allows and costs ~nothing.
//
// New panics if limit > 0 and window is not positive, or if an option sets a
// non-positive key cap or a nil clock. These are configuration mistakes, and
// failing fast beats limiting nothing or limiting everything.
func New(limit int, window time.Duration, opts ...Option) *Limiter {
	l := &Limiter{limit: limit, window: window, maxKeys: defaultMaxKeys, now: time.Now}
	for _, opt := range opts {
		opt(l)
	}
	if limit <= 0 {
		l.limit = 0
		return l
	}
	switch {
	case window <= 0:
		panic("ratelimit: window must be positive")
	case l.maxKeys <= 0:
		panic("ratelimit: WithMaxKeys needs a positive count")
	case l.now == nil:
		panic("ratelimit: WithClock needs a non-nil clock")
	}

	n := maxShards
	for n > l.maxKeys {
		n /= 2
	}
	l.shards = make([]shard, n)
	for i := range l.shards {
		c := l.maxKeys / n
		if i < l.maxKeys%n {
			c++
		}
		// Slots are int32 to keep entries small; a shard with more than 2^31
		// keys could not fit in memory anyway.
		l.shards[i].max = min(c, math.MaxInt32)
		l.shards[i].index = make(map[string]int32)
		l.shards[i].newest, l.shards[i].oldest = -1, -1
	}
	l.mask = uint64(n - 1)
	l.seed = maphash.MakeSeed()
	// With time.Now the epoch carries a monotonic reading, so window
	// positions are immune to wall-clock steps.
	l.epoch = l.now()
	return l
}

// Allow charges one request to key if the key has capacity for it.
func (l *Limiter) Allow(key string) Decision {
	if l.limit == 0 {
		return Decision{Allowed: true}
	}
	win, elapsed := l.position()
	limit := uint64(l.limit)

	s := &l.shards[maphash.String(l.seed, key)&l.mask]
	s.mu.Lock()
	i, ok := s.index[key]
	if !ok {
		// A fresh key always has room, since limit >= 1.
		i = s.insert(key, win)
		s.entries[i].cur = 1
		s.mu.Unlock()
		return l.allowed(0, 1, elapsed, 1)
	}
	e := &s.entries[i]
	elapsed = e.advance(win, elapsed)
	s.touch(i)
	prev, cur := e.prev, e.cur
	used := l.used(prev, cur, elapsed)
	if used >= limit {
		s.mu.Unlock()
		return l.denied(prev, cur, elapsed)
	}
	e.cur++
	s.mu.Unlock()
	return l.allowed(prev, cur+1, elapsed, used+1)
}

// AllowAll charges every key atomically-enough: if any key is over its limit
// the request is denied and no key is charged; returns the most restrictive
// decision. Used to apply per-key and per-user limits together.
//
// It is fully atomic: the shards of all keys are locked, in index order, for
// the duration of the call. A key listed more than once is charged once.
// With no keys it allows without charging anything. If denied, RetryAfter is
// the longest wait among the denied keys, since all of them must have room
// again. If allowed, the decision is that of the key with the fewest
// remaining requests. The call is meant for a handful of keys: its cost is
// quadratic in their number, and it allocates when given more than eight.
func (l *Limiter) AllowAll(keys ...string) Decision {
	if l.limit == 0 {
		return Decision{Allowed: true}
	}
	switch len(keys) {
	case 0:
		return Decision{Allowed: true, Limit: l.limit, Remaining: l.limit}
	case 1:
		return l.Allow(keys[0])
	}
	win, offset := l.position()
	limit := uint64(l.limit)

	var shardBuf, lockBuf [8]uint32
	shardOf, locks := shardBuf[:0], lockBuf[:0]
	if len(keys) > len(shardBuf) {
		shardOf = make([]uint32, 0, len(keys))
		locks = make([]uint32, 0, len(keys))
	}
	for _, k := range keys {
		si := uint32(maphash.String(l.seed, k) & l.mask)
		shardOf = append(shardOf, si)
		locks = insertSorted(locks, si)
	}
	for _, si := range locks {
		l.shards[si].mu.Lock()
	}
	unlock := func() {
		for j := len(locks) - 1; j >= 0; j-- {
			l.shards[locks[j]].mu.Unlock()
		}
	}

	// First pass: decide without charging. Touching existing keys here also
	// moves them away from the eviction end, so inserting a new key in the
	// second pass cannot evict another key of this same call unless a shard's
	// whole capacity is smaller than the number of keys landing in it.
	var deniedAny bool
	var worstWait time.Duration
	for j, k := range keys {
		if seenBefore(keys, j) {
			continue
		}
		s := &l.shards[shardOf[j]]
		i, ok := s.index[k]
		if !ok {
			continue // fresh keys always have room
		}
		e := &s.entries[i]
		elapsed := e.advance(win, offset)
		s.touch(i)
		if l.used(e.prev, e.cur, elapsed) >= limit {
			deniedAny = true
			worstWait = max(worstWait, l.wait(e.prev, e.cur, elapsed))
		}
	}
	if deniedAny {
		unlock()
		return Decision{Limit: l.limit, Reset: worstWait, RetryAfter: worstWait}
	}

	// Second pass: charge, and keep the state of the most restrictive key so
	// that its decision can be built after the locks are released.
	var bestPrev, bestCur, bestElapsed, bestUsed uint64
	var bestReset time.Duration
	for j, k := range keys {
		if seenBefore(keys, j) {
			continue
		}
		s := &l.shards[shardOf[j]]
		i, ok := s.index[k]
		if !ok {
			i = s.insert(k, win)
		}
		e := &s.entries[i]
		elapsed := e.advance(win, offset)
		e.cur++
		used := l.used(e.prev, e.cur, elapsed)
		var reset time.Duration
		if used >= limit {
			reset = l.wait(e.prev, e.cur, elapsed)
		}
		if used > bestUsed || (used == bestUsed && reset >= bestReset) {
			bestPrev, bestCur, bestElapsed, bestUsed, bestReset = e.prev, e.cur, elapsed, used, reset
		}
	}
	unlock()
	return l.allowed(bestPrev, bestCur, bestElapsed, bestUsed)
}

// position returns the index of the current fixed window and how far into
// it we are, in nanoseconds.
func (l *Limiter) position() (win int64, elapsed uint64) {
	d := l.now().Sub(l.epoch)
	if d < 0 {
		d = 0
	}
	return int64(d / l.window), uint64(d % l.window)
}

// used returns how many requests count against the limit now: the current
// window's count plus the previous window's count weighted by its overlap
// with the sliding window, rounded down. The product is computed in 128 bits
// so that no combination of limit and window can overflow.
func (l *Limiter) used(prev, cur, elapsed uint64) uint64 {
	if prev == 0 {
		return cur
	}
	w := uint64(l.window)
	hi, lo := bits.Mul64(prev, w-elapsed)
	q, _ := bits.Div64(hi, lo, w) // q <= prev, so hi < w and Div64 cannot panic
	return cur + q
}

// wait returns how long until used() drops below the limit, given no further
// charges. It requires used(prev, cur, elapsed) >= limit.
func (l *Limiter) wait(prev, cur, elapsed uint64) time.Duration {
	w := uint64(l.window)
	limit := uint64(l.limit)
	if cur < limit {
		// The previous window's weight decays linearly, so room appears
		// within this window. It does so at the first offset e where
		// floor(prev*(w-e)/w) <= limit-1-cur, which is the first e where
		// prev*(w-e) <= room*w - 1.
		room := limit - cur
		t := mulSubOneDiv(room, w, prev)
		return time.Duration(w - t - elapsed)
	}
	// The current window is full on its own. Nothing frees up until it
	// becomes the previous window, which then starts decaying with a full
	// limit of room.
	t := mulSubOneDiv(limit, w, cur)
	return time.Duration((w - elapsed) + (w - t))
}

// mulSubOneDiv returns floor((a*b - 1) / d) in 128-bit arithmetic. Callers
// guarantee 1 <= a <= d, which keeps the quotient below b and so within the
// range Div64 accepts.
func mulSubOneDiv(a, b, d uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	lo, borrow := bits.Sub64(lo, 1, 0)
	hi -= borrow
	q, _ := bits.Div64(hi, lo, d)
	return q
}

// allowed builds the decision for a request that was charged, from the
// key's state after charging.
func (l *Limiter) allowed(prev, cur, elapsed, used uint64) Decision {
	d := Decision{Allowed: true, Limit: l.limit}
	if used < uint64(l.limit) {
		d.Remaining = l.limit - int(used)
	} else {
		d.Reset = l.wait(prev, cur, elapsed)
	}
	return d
}

func (l *Limiter) denied(prev, cur, elapsed uint64) Decision {
	w := l.wait(prev, cur, elapsed)
	return Decision{Limit: l.limit, Reset: w, RetryAfter: w}
}

func insertSorted(s []uint32, v uint32) []uint32 {
	i := 0
	for i < len(s) && s[i] < v {
		i++
	}
	if i < len(s) && s[i] == v {
		return s
	}
	s = append(s, 0)
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}

func seenBefore(keys []string, j int) bool {
	for _, k := range keys[:j] {
		if k == keys[j] {
			return true
		}
	}
	return false
}

// entry is one key's counters and its links in the shard's LRU list. Slots
// are addressed by index, not pointer, so that entries sit in one slice the
// garbage collector does not have to chase, and reusing a slot allocates
// nothing.
type entry struct {
	key   string
	win   int64  // index of the window that cur counts
	prev  uint64 // requests charged in window win-1
	cur   uint64 // requests charged in window win
	newer int32  // -1 at the newest end
	older int32  // -1 at the oldest end
}

// advance rolls the counters forward to window win and returns the elapsed
// offset to weight the previous window with.
func (e *entry) advance(win int64, elapsed uint64) uint64 {
	switch {
	case win == e.win:
		return elapsed
	case win == e.win+1:
		e.prev, e.cur = e.cur, 0
	case win > e.win+1:
		e.prev, e.cur = 0, 0
	default:
		// Another goroutine that read the clock later has already rolled
		// this key into a newer window (or an injected clock stepped back).
		// Counting the request at the start of that window is as close to
		// "now" as the counters can express, and it gives the previous
		// window its greatest weight, so it can only err towards denying.
		return 0
	}
	e.win = win
	return elapsed
}

type shard struct {
	mu      sync.Mutex
	index   map[string]int32
	entries []entry
	newest  int32
	oldest  int32
	max     int
	// Keep neighbouring shards' locks off each other's cache lines.
	_ [64]byte
}

// insert starts tracking key in window win and returns its slot. The caller
// holds s.mu and knows key is absent.
func (s *shard) insert(key string, win int64) int32 {
	var i int32
	if s.oldest >= 0 && (len(s.entries) >= s.max || s.entries[s.oldest].win < win-1) {
		i = s.oldest
		s.unlink(i)
		delete(s.index, s.entries[i].key)
	} else {
		s.entries = append(s.entries, entry{})
		i = int32(len(s.entries) - 1)
	}
	// Clone so a key sliced out of a large request buffer does not keep the
	// whole buffer alive for as long as the key is tracked.
	k := strings.Clone(key)
	s.entries[i] = entry{key: k, win: win}
	s.index[k] = i
	s.pushNewest(i)
	return i
}

func (s *shard) touch(i int32) {
	if s.newest != i {
		s.unlink(i)
		s.pushNewest(i)
	}
}

func (s *shard) unlink(i int32) {
	e := &s.entries[i]
	if e.newer >= 0 {
		s.entries[e.newer].older = e.older
	} else {
		s.newest = e.older
	}
	if e.older >= 0 {
		s.entries[e.older].newer = e.newer
	} else {
		s.oldest = e.newer
	}
}

func (s *shard) pushNewest(i int32) {
	e := &s.entries[i]
	e.newer = -1
	e.older = s.newest
	if s.newest >= 0 {
		s.entries[s.newest].newer = i
	} else {
		s.oldest = i
	}
	s.newest = i
}
