package loadtest

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// exactQuantile is the nearest-rank quantile of sorted, the definition
// Histogram.Quantile approximates.
func exactQuantile(sorted []time.Duration, q float64) time.Duration {
	rank := int(math.Ceil(q * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func TestQuantileSmallValuesAreExact(t *testing.T) {
	// Below 256 ns every value has a bucket of its own.
	oneToHundred := make([]time.Duration, 100)
	for i := range oneToHundred {
		oneToHundred[i] = time.Duration(i + 1)
	}
	tests := []struct {
		name   string
		values []time.Duration
		q      float64
		want   time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"one value p50", []time.Duration{7}, 0.5, 7},
		{"one value p99", []time.Duration{7}, 0.99, 7},
		{"1..100 p0 is the min", oneToHundred, 0, 1},
		{"1..100 p50", oneToHundred, 0.50, 50},
		{"1..100 p99", oneToHundred, 0.99, 99},
		{"1..100 p100 is the max", oneToHundred, 1, 100},
		{"two values p50 is the lower", []time.Duration{10, 200}, 0.5, 10},
		{"two values p51 is the upper", []time.Duration{10, 200}, 0.51, 200},
		{"negative counts as zero", []time.Duration{-5, 3}, 0.5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHistogram()
			for _, v := range tt.values {
				h.Record(v)
			}
			if got := h.Quantile(tt.q); got != tt.want {
				t.Errorf("Quantile(%v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestHistogramAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name string
		draw func() time.Duration
	}{
		{"uniform 1µs to 1s", func() time.Duration { return time.Microsecond + time.Duration(rng.Int64N(int64(time.Second))) }},
		{"log-normal around 2ms", func() time.Duration {
			return time.Duration(float64(2*time.Millisecond) * math.Exp(rng.NormFloat64()))
		}},
		{"bimodal 300µs and 40ms", func() time.Duration {
			if rng.IntN(10) == 0 {
				return 40*time.Millisecond + time.Duration(rng.Int64N(int64(5*time.Millisecond)))
			}
			return 300*time.Microsecond + time.Duration(rng.Int64N(int64(50*time.Microsecond)))
		}},
		{"long tail to minutes", func() time.Duration { return time.Duration(rng.ExpFloat64() * float64(10*time.Second)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHistogram()
			values := make([]time.Duration, 100_000)
			for i := range values {
				values[i] = tt.draw()
				h.Record(values[i])
			}
			slices.Sort(values)
			if h.Count() != int64(len(values)) {
				t.Fatalf("Count() = %d, want %d", h.Count(), len(values))
			}
			if h.Max() != values[len(values)-1] {
				t.Errorf("Max() = %v, want exactly %v", h.Max(), values[len(values)-1])
			}
			for _, q := range []float64{0.001, 0.5, 0.9, 0.99, 0.999, 1} {
				want, got := exactQuantile(values, q), h.Quantile(q)
				if rel := math.Abs(float64(got-want)) / float64(want); rel > 0.01 {
					t.Errorf("Quantile(%v) = %v, want %v ± 1 %% (off by %.2f %%)", q, got, want, 100*rel)
				}
			}
		})
	}
}

func TestBucketsCoverEveryValue(t *testing.T) {
	// Each value's bucket reports a value within 1/256 of it, and buckets
	// are in value order, so quantiles walk them in order.
	values := []uint64{0, 1, 255, 256, 257, 511, 512, 1000, 1 << 20, 123456789, 1<<40 + 7, math.MaxInt64, math.MaxUint64}
	for _, v := range values {
		i := bucketOf(v)
		if i < 0 || i >= numBuckets {
			t.Fatalf("bucketOf(%d) = %d, outside [0, %d)", v, i, numBuckets)
		}
		got := valueOf(i)
		if diff := math.Abs(float64(got) - float64(v)); diff > float64(v)/256+0.5 {
			t.Errorf("valueOf(bucketOf(%d)) = %d, off by %.0f", v, got, diff)
		}
	}
	for i := 1; i < numBuckets; i++ {
		if valueOf(i) <= valueOf(i-1) {
			t.Fatalf("bucket %d's value %d is not above bucket %d's %d", i, valueOf(i), i-1, valueOf(i-1))
		}
		if got := bucketOf(valueOf(i)); got != i {
			t.Fatalf("bucketOf(valueOf(%d)) = %d", i, got)
		}
	}
}

func TestMergeEqualsRecordingEverything(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	all, a, b := NewHistogram(), NewHistogram(), NewHistogram()
	for i := range 10_000 {
		v := time.Duration(rng.Int64N(int64(50 * time.Millisecond)))
		all.Record(v)
		if i%3 == 0 {
			a.Record(v)
		} else {
			b.Record(v)
		}
	}
	a.Merge(b)
	a.Merge(NewHistogram()) // an empty one changes nothing
	for _, q := range []float64{0, 0.5, 0.99, 1} {
		if got, want := a.Quantile(q), all.Quantile(q); got != want {
			t.Errorf("merged Quantile(%v) = %v, want %v", q, got, want)
		}
	}
	if a.Count() != all.Count() || a.Max() != all.Max() {
		t.Errorf("merged count %d max %v, want %d %v", a.Count(), a.Max(), all.Count(), all.Max())
	}
}
