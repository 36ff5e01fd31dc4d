package loadtest

import (
	"errors"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{"none", nil, 0},
		{"one", []float64{3}, 3},
		{"odd, unsorted", []float64{9, 1, 5}, 5},
		{"even is the mean of the middle two", []float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := median(tt.in); got != tt.want {
				t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
	if got := median([]time.Duration{3, 1, 2}); got != 2 {
		t.Errorf("median of durations = %v, want 2ns", got)
	}
}

func TestSummarizeTakesMediansAndSums(t *testing.T) {
	run := func(bare, t1 float64, p99 time.Duration, exit int, memErr error) runResult {
		return runResult{
			ready:   p99 * 10,
			visible: 107,
			rows: []Row{
				{ID: "bare", RPS: bare, P99: p99, Requests: 10, Ratio: 1},
				{ID: "T1", RPS: t1, P99: 2 * p99, Requests: 5, Errors: 1, ErrorKinds: "status 500 ×1", Ratio: t1 / bare, MinRatio: 0.7},
			},
			depth:  Depth{DeepPage: 5, Page1P99: p99, DeepP99: 3 * p99},
			memory: Memory{RSS: uint64(p99), HWM: uint64(2 * p99)},
			memErr: memErr,
			exit:   exit,
			// A run whose server exits 1 also has a job in error.
			jobs: Provisioning{Asked: 100, Requests: 100, Enqueued: 100, Finished: 100 - exit, Failed: exit, Seats: 100 - exit,
				RPS: bare * 10, P50: p99 / 2, P99: p99, Backlog: int(bare), EnqueueTime: 3 * p99, Time: 4 * p99},
		}
	}
	rep := summarize([]runResult{
		run(100, 80, 3*time.Millisecond, 0, nil),
		run(120, 60, 1*time.Millisecond, 0, nil),
		run(110, 99, 2*time.Millisecond, 1, nil),
	})
	tests := []struct {
		name      string
		got, want any
	}{
		{"bare rps", rep.Rows[0].RPS, 110.0},
		{"T1 rps", rep.Rows[1].RPS, 80.0},
		{"T1 ratio is the median of each run's", rep.Rows[1].Ratio, 0.8},
		{"T1 p99", rep.Rows[1].P99, 4 * time.Millisecond},
		{"requests are summed", rep.Rows[0].Requests, int64(30)},
		{"errors are summed", rep.Rows[1].Errors, int64(3)},
		{"error kinds are kept", rep.Rows[1].ErrorKinds, "status 500 ×1"},
		{"target is kept", rep.Rows[1].MinRatio, 0.7},
		{"ready", rep.Ready, 20 * time.Millisecond},
		{"depth", rep.Depth, Depth{DeepPage: 5, Page1P99: 2 * time.Millisecond, DeepP99: 6 * time.Millisecond}},
		{"memory", rep.Memory, Memory{RSS: uint64(2 * time.Millisecond), HWM: uint64(4 * time.Millisecond)}},
		{"exit codes", len(rep.ExitCodes), 3},
		{"per run", len(rep.PerRun), 3},
		{"visible", rep.Visible, 107},
		{"T4 jobs are summed", rep.Provisioning.Asked, 300},
		{"T4 ends are summed", rep.Provisioning.Finished + rep.Provisioning.Failed, 300},
		{"T4 failures are summed", rep.Provisioning.Failed, 1},
		{"T4 seats are summed", rep.Provisioning.Seats, 299},
		{"T4 rate", rep.Provisioning.RPS, 1100.0},
		{"T4 p99", rep.Provisioning.P99, 2 * time.Millisecond},
		{"T4 backlog", rep.Provisioning.Backlog, 110},
		{"T4 time", rep.Provisioning.Time, 8 * time.Millisecond},
		{"T4 per run", len(rep.PerRunJobs), 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
	if rep.StopPass() {
		t.Error("StopPass() with an exit code of 1")
	}
	if rep.Provisioning.Pass() {
		t.Error("T4 passes with a job in error in one run")
	}
	skipped := run(1, 1, 1, 0, nil)
	skipped.jobs = Provisioning{}
	if p := summarize([]runResult{skipped}).Provisioning; p != (Provisioning{}) {
		t.Errorf("T4 skipped summarizes to %+v", p)
	}
	if rep := summarize([]runResult{run(1, 1, 1, 0, errors.New("no /proc"))}); rep.MemoryError == "" || rep.MemoryPass() {
		t.Errorf("a run without memory figures: MemoryError %q", rep.MemoryError)
	}
}
