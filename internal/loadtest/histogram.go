package loadtest

import (
	"math"
	"math/bits"
	"time"
)

// subBits sets the histogram's precision: every power-of-two range of
// latencies is cut into 2^subBits equal buckets, so a bucket is at most
// 1/128 of its values wide and its midpoint is within 0.4 % of any value
// in it. That is HDR Histogram's log-linear layout, small enough to give
// every worker its own (no locks on the hot path) and merge at the end.
const (
	subBits    = 7
	subCount   = 1 << subBits
	linearTop  = 2 * subCount // values below this get a bucket each
	numBuckets = linearTop + (64-subBits-1)*subCount
)

// Histogram records latencies with at most 1 % relative error in constant
// memory. The zero value is not ready; use NewHistogram.
type Histogram struct {
	counts   []int64
	total    int64
	min, max time.Duration
}

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram {
	return &Histogram{counts: make([]int64, numBuckets), min: math.MaxInt64}
}

// bucketOf maps a non-negative value to its bucket.
func bucketOf(v uint64) int {
	if v < linearTop {
		return int(v)
	}
	shift := bits.Len64(v) - subBits - 1 // v>>shift is in [subCount, 2*subCount)
	return linearTop + (shift-1)*subCount + int(v>>shift) - subCount
}

// valueOf is the midpoint of bucket i, the value a quantile reports.
func valueOf(i int) uint64 {
	if i < linearTop {
		return uint64(i)
	}
	shift := (i-linearTop)/subCount + 1
	top := uint64((i-linearTop)%subCount + subCount)
	return top<<shift + (1<<shift)/2
}

// Record adds one latency; negative ones count as zero.
func (h *Histogram) Record(d time.Duration) {
	d = max(d, 0)
	h.counts[bucketOf(uint64(d))]++
	h.total++
	h.min = min(h.min, d)
	h.max = max(h.max, d)
}

// Merge adds every latency of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.total == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
	h.min = min(h.min, o.min)
	h.max = max(h.max, o.max)
}

// Count is how many latencies were recorded.
func (h *Histogram) Count() int64 { return h.total }

// Max is the largest latency recorded, exactly.
func (h *Histogram) Max() time.Duration {
	if h.total == 0 {
		return 0
	}
	return h.max
}

// Quantile returns the nearest-rank q-quantile (0 ≤ q ≤ 1): the smallest
// recorded latency that at least q of all latencies do not exceed, within
// the bucket precision and clamped to the exact min and max. It is 0 when
// nothing was recorded.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(h.total)))
	rank = min(max(rank, 1), h.total)
	var seen int64
	for i, c := range h.counts {
		if seen += c; seen >= rank {
			v := time.Duration(min(valueOf(i), math.MaxInt64))
			return min(max(v, h.min), h.max)
		}
	}
	return h.max
}
