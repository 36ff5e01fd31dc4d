package loadtest

import (
	"slices"
	"time"
)

// summarize folds runs into one report: the median of every rate,
// latency, ratio and bound across runs (PERFORMANCE.md quotes medians),
// the sum of requests and errors, and every run's exit code.
func summarize(runs []runResult) *Report {
	rep := &Report{}
	if len(runs) == 0 {
		return rep
	}
	for i := range runs[0].rows {
		var (
			rps, ratio []float64
			p50, p99   []time.Duration
			sum        Row
		)
		for _, r := range runs {
			row := r.rows[i]
			rps, ratio = append(rps, row.RPS), append(ratio, row.Ratio)
			p50, p99 = append(p50, row.P50), append(p99, row.P99)
			sum.Requests += row.Requests
			sum.Errors += row.Errors
			if row.ErrorKinds != "" && sum.ErrorKinds == "" {
				sum.ErrorKinds = row.ErrorKinds
			}
		}
		first := runs[0].rows[i]
		sum.ID, sum.Title, sum.MinRatio = first.ID, first.Title, first.MinRatio
		sum.RPS, sum.Ratio = median(rps), median(ratio)
		sum.P50, sum.P99 = median(p50), median(p99)
		rep.Rows = append(rep.Rows, sum)
	}

	var (
		ready, page1, deep []time.Duration
		rss, hwm           []uint64
		visible            []int
	)
	rep.Depth.DeepPage = runs[0].depth.DeepPage
	for _, r := range runs {
		rep.PerRun = append(rep.PerRun, r.rows)
		rep.PerRunJobs = append(rep.PerRunJobs, r.jobs)
		rep.ExitCodes = append(rep.ExitCodes, r.exit)
		ready = append(ready, r.ready)
		page1, deep = append(page1, r.depth.Page1P99), append(deep, r.depth.DeepP99)
		rep.Depth.Errors += r.depth.Errors
		visible = append(visible, r.visible)
		if r.memErr != nil {
			rep.MemoryError = r.memErr.Error()
			continue
		}
		rss, hwm = append(rss, r.memory.RSS), append(hwm, r.memory.HWM)
	}
	rep.Ready = median(ready)
	rep.Depth.Page1P99, rep.Depth.DeepP99 = median(page1), median(deep)
	rep.Memory = Memory{RSS: median(rss), HWM: median(hwm)}
	rep.Visible = median(visible)
	rep.Provisioning = summarizeProvisioning(runs)
	return rep
}

// summarizeProvisioning folds each run's T4: counts are summed, so one
// open or failed job in any run fails the whole; rates, latencies and
// times are medians like the other scenarios'.
func summarizeProvisioning(runs []runResult) Provisioning {
	var (
		sum              Provisioning
		rps              []float64
		p50, p99, enq, t []time.Duration
		backlog          []int
	)
	for _, r := range runs {
		p := r.jobs
		if p.Asked == 0 {
			continue
		}
		sum.Asked += p.Asked
		sum.Requests += p.Requests
		sum.Errors += p.Errors
		sum.Enqueued += p.Enqueued
		sum.Finished += p.Finished
		sum.Failed += p.Failed
		sum.Seats += p.Seats
		if sum.ErrorKinds == "" {
			sum.ErrorKinds = p.ErrorKinds
		}
		if sum.Err == "" {
			sum.Err = p.Err
		}
		rps, backlog = append(rps, p.RPS), append(backlog, p.Backlog)
		p50, p99 = append(p50, p.P50), append(p99, p.P99)
		enq, t = append(enq, p.EnqueueTime), append(t, p.Time)
	}
	sum.RPS, sum.Backlog = median(rps), median(backlog)
	sum.P50, sum.P99 = median(p50), median(p99)
	sum.EnqueueTime, sum.Time = median(enq), median(t)
	return sum
}

// median is the middle value, or the mean of the middle two; 0 for none.
func median[T ~int | ~int64 | ~uint64 | ~float64](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return s[n/2-1] + (s[n/2]-s[n/2-1])/2
}
