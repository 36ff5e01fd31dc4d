package loadtest

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Absolute targets of PERFORMANCE.md, on the machine kind it names.
const (
	DepthFactor  = 3                      // T2: page 4000 p99 ≤ 3 × page 1 p99
	MaxResident  = 150_000_000            // T5: bytes resident serving T2
	MaxStartTime = time.Second            // T5: process start to ready
	mb           = 1_000_000              // the report's unit of memory
	gib          = 1 << 30                // and of the machine's
	dateLayout   = "2006-01-02 15:04 MST" // minutes are enough
)

// Report is what a harness invocation measured, ready to render.
type Report struct {
	Command string
	Date    time.Time
	Machine Machine
	Store   string // "SQLite" or "PostgreSQL"

	Duration, Warmup time.Duration
	Connections      int
	Runs             int

	Seed     SeedSummary
	SeedWall time.Duration // the whole seed command
	// SeedReused: the store was seeded by an earlier invocation (-store).
	SeedReused bool
	Heavy      int // accounts the heavy member owns
	Visible    int // accounts the heavy member sees (T2's total)

	Rows   []Row // medians across runs, the baseline first
	PerRun [][]Row

	// Jobs is T4's jobs per run, 0 when T4 was skipped; Provisioning sums
	// its counts over the runs and takes medians of the rest.
	Jobs         int
	Provisioning Provisioning
	PerRunJobs   []Provisioning

	Depth       Depth
	Memory      Memory // median of each run's largest VmRSS and VmHWM
	MemoryError string // why memory could not be read, if so
	Ready       time.Duration
	ExitCodes   []int // of each run's server after SIGTERM
}

// Row is one scenario's figures.
type Row struct {
	ID, Title        string
	Requests, Errors int64
	RPS              float64
	P50, P99         time.Duration
	Ratio            float64 // RPS / the bare RPS of the same run
	MinRatio         float64 // target; 0 marks the baseline
	ErrorKinds       string  // the most frequent reasons, when Errors > 0
}

// Depth is T2's depth check: page DeepPage against page 1.
type Depth struct {
	DeepPage          int
	Page1P99, DeepP99 time.Duration
	Errors            int64 // of both sub-measurements
}

// Pass says whether the row met its target: its ratio, without errors.
func (r Row) Pass() bool {
	return r.Requests > 0 && r.Errors == 0 && r.Ratio >= r.MinRatio
}

func (r Row) result() string {
	switch {
	case r.Requests == 0:
		return "fail (no requests)"
	case r.Errors > 0:
		return "fail (errors)"
	case r.MinRatio == 0:
		return "—"
	}
	return passFail(r.Pass())
}

func (r Row) target() string {
	if r.MinRatio == 0 {
		return "the ceiling"
	}
	return "≥ " + percent(r.MinRatio)
}

// Pass says whether page DeepPage's p99 is within DepthFactor of page 1's.
func (d Depth) Pass() bool {
	return d.Errors == 0 && d.Page1P99 > 0 && d.DeepP99 <= DepthFactor*d.Page1P99
}

// MemoryPass says whether serving T2 stayed within MaxResident.
func (r *Report) MemoryPass() bool { return r.MemoryError == "" && r.Memory.RSS <= MaxResident }

// ReadyPass says whether the server was ready within MaxStartTime.
func (r *Report) ReadyPass() bool { return r.Ready > 0 && r.Ready <= MaxStartTime }

// StopPass says whether every run's server exited 0 on SIGTERM.
func (r *Report) StopPass() bool {
	for _, c := range r.ExitCodes {
		if c != 0 {
			return false
		}
	}
	return len(r.ExitCodes) > 0
}

// Pass says whether every target was met.
func (r *Report) Pass() bool {
	for _, row := range r.Rows {
		if row.MinRatio > 0 && !row.Pass() || row.Errors > 0 {
			return false
		}
	}
	return r.Depth.Pass() && r.MemoryPass() && r.ReadyPass() && r.StopPass() && r.JobsPass()
}

// JobsPass says whether T4 met its target, or was skipped (-jobs 0).
func (r *Report) JobsPass() bool { return r.Jobs == 0 || r.Provisioning.Pass() }

// WriteMarkdown renders the report as docs/performance.md.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }

	p("# Latchkey performance\n\n")
	p("Measured by the load harness against the targets of PERFORMANCE.md. Each scenario's rate is compared with a bare\n")
	p("`net/http` server answering a fixed, pre-encoded 5 KB JSON body, measured by the same load generator in the same run.\n")
	p("Regenerate this file with `%s`.\n\n", r.Command)

	p("| scenario | requests/s | p50 | p99 | errors | ratio to bare | target | result |\n")
	p("|---|--:|--:|--:|--:|--:|---|---|\n")
	for _, row := range r.Rows {
		p("| %s | %s | %s | %s | %s | %s | %s | %s |\n", cell(row.ID+": "+row.Title), thousands(row.RPS),
			millis(row.P50), millis(row.P99), thousands(float64(row.Errors)), percent(row.Ratio), row.target(), row.result())
	}
	jp := r.Provisioning
	if r.Jobs > 0 {
		// The enqueue rate is not a share of bare: T4's target is the time
		// to finish, in the check table.
		p("| %s | %s | %s | %s | %s | — | all finished ≤ %s | %s |\n",
			cell(fmt.Sprintf("T4: `POST /api/v1/integrations/{id}/users`, %s invite jobs (no-op connector), one user each", thousands(float64(r.Jobs)))),
			thousands(jp.RPS), millis(jp.P50), millis(jp.P99), thousands(float64(jp.Errors)), human(MaxJobsTime), jobsResult(jp))
	}

	p("\n| check | measured | target | result |\n|---|---|---|---|\n")
	d := r.Depth
	depth := "—"
	if d.Page1P99 > 0 {
		depth = fmt.Sprintf("%.1f ×", float64(d.DeepP99)/float64(d.Page1P99))
	}
	p("| T2 depth: p99 of page %d against page 1 | %s against %s (%s) | ≤ %d × | %s |\n",
		d.DeepPage, millis(d.DeepP99), millis(d.Page1P99), depth, DepthFactor, passFail(d.Pass()))
	memory := "not measured: " + r.MemoryError
	if r.MemoryError == "" {
		memory = fmt.Sprintf("%s (VmHWM %s)", megabytes(r.Memory.RSS), megabytes(r.Memory.HWM))
	}
	p("| T5 resident memory serving T2 (largest VmRSS) | %s | ≤ %s | %s |\n", cell(memory), megabytes(MaxResident), passFail(r.MemoryPass()))
	p("| T5 start to ready (process start to `GET /readyz` 200) | %s | ≤ %s | %s |\n", millis(r.Ready), human(MaxStartTime), passFail(r.ReadyPass()))
	if r.Jobs > 0 {
		p("| T4: %s invite jobs, first enqueue to last job finished | %s | ≤ %s, none in error or left open | %s |\n",
			thousands(float64(r.Jobs)), cell(jp.measured()), human(MaxJobsTime), jobsResult(jp))
	} else {
		p("| T4: provisioning jobs | not measured (`-jobs 0`) | ≤ %s, none in error or left open | — |\n", human(MaxJobsTime))
	}
	p("| server stop on SIGTERM | exit %s | exit 0 | %s |\n", joinInts(r.ExitCodes), passFail(r.StopPass()))

	if len(r.PerRun) > 1 {
		p("\nThe tables show medians of %d runs; each run's requests/s (ratio to its bare):\n\n", len(r.PerRun))
		p("| run |")
		for _, row := range r.Rows {
			p(" %s |", row.ID)
		}
		cols := len(r.Rows)
		if r.Jobs > 0 {
			p(" T4 |")
			cols++
		}
		p("\n|--:|%s\n", strings.Repeat("--:|", cols))
		for i, run := range r.PerRun {
			p("| %d |", i+1)
			for _, row := range run {
				p(" %s (%s) |", thousands(row.RPS), percent(row.Ratio))
			}
			if r.Jobs > 0 && i < len(r.PerRunJobs) {
				j := r.PerRunJobs[i]
				p(" %s (enqueue %s/s) |", human(j.Time), thousands(j.RPS))
			}
			p("\n")
		}
	}

	for _, row := range r.Rows {
		if row.Errors > 0 {
			p("\n%s errors: %s\n", row.ID, cell(row.ErrorKinds))
		}
	}
	if r.Jobs > 0 && jp.Errors > 0 {
		p("\nT4 errors: %s\n", cell(jp.ErrorKinds))
	}

	m := r.Machine
	p("\n## Setup\n\n")
	p("- Date: %s\n", r.Date.UTC().Format(dateLayout))
	p("- Command: `%s`\n", r.Command)
	p("- Machine: %s, %d CPUs, %.1f GiB memory, %s, %s\n", orUnknown(m.CPU), m.CPUs, float64(m.MemTotal)/gib, orUnknown(m.Kernel), m.Go)
	p("- Store: %s\n", r.Store)
	p("- Workspace: %s accounts, %s of them owned by the heavy member, who sees %s; %s users, %s teams, %s collections, %s grants\n",
		thousands(float64(r.Seed.Accounts)), thousands(float64(r.Heavy)), thousands(float64(r.Visible)),
		thousands(float64(r.Seed.Users)), thousands(float64(r.Seed.Teams)), thousands(float64(r.Seed.Collections)), thousands(float64(r.Seed.Grants)))
	reused := ""
	if r.SeedReused {
		reused = ", by an earlier invocation whose store this one reused"
	}
	p("- Seed time: %s for `latchkey admin seed` (%s inside the seed itself)%s\n", human(r.SeedWall), human(r.Seed.Elapsed), reused)
	p("- Load: a closed loop of %d workers on %d keep-alive connections; per scenario %s of warm-up, not counted, then %s measured;\n",
		r.Connections, r.Connections, r.Warmup, r.Duration)
	p("  T2's page checks %s + %s each; every latency recorded (log-linear histogram, ≤ 1 %% error); errors are transport errors and non-2xx answers\n",
		r.Warmup/2, r.Duration/2)
	t4 := ""
	if r.Jobs > 0 {
		t4 = ", T4"
	}
	p("- Runs: %d; each starts a fresh server and measures bare, then T1, T2 (memory sampled every 20 ms), T3%s, then stops it with SIGTERM\n", r.Runs, t4)
	if r.Jobs > 0 {
		p("- T4: per run a fresh integration with the no-op connector, synced first; then %s `POST …/users` invitations, each of one\n", thousands(float64(r.Jobs)))
		p("  workspace user, sent once each by the same closed loop of %d workers (no warm-up: every request counts); then the integration's\n", r.Connections)
		p("  ended jobs are counted (`GET /api/v1/jobs`, `meta.page.total`) every %s until all have ended. The time runs from the first\n", millis(jobsPoll))
		p("  enqueue to the count that saw the last one end, so it is late by at most %s and one count; every job must end finished\n", millis(jobsPoll))
		p("  and leave one seat. The wait stops %s after the first enqueue, or when no job has ended for %s. Counts are summed\n",
			human(jobsGiveUp), human(jobsStall))
		p("  over runs; times, rates and latencies are medians\n")
	}
	p("- The load generator shares the machine's %d CPUs with the server, as PERFORMANCE.md's baselines do: absolute rates are\n", m.CPUs)
	p("  lower than a separate client machine would show, so compare the ratios; absolute figures drift on shared machines.\n")
	p("  It is Go's `net/http` client, which spends more CPU per request than `wrk`, so its bare rate is below PERFORMANCE.md's\n")
	p("  `wrk` baseline and its ratios are, if anything, kinder than `wrk`'s\n")
	p("- Not measured here: T4's `kill -9` mid-run (no job lost or run twice across a crash) and T6 (`latchkey accounts list`)\n")

	_, err := io.WriteString(w, b.String())
	return err
}

// jobsResult is T4's verdict, naming enqueue errors like the other rows.
func jobsResult(p Provisioning) string {
	switch {
	case p.Requests == 0:
		return "fail (no requests)"
	case p.Errors > 0:
		return "fail (errors)"
	}
	return passFail(p.Pass())
}

// measured is T4's check cell: the time, where it went, and the counts
// that say no job was left open or failed.
func (p Provisioning) measured() string {
	s := fmt.Sprintf("%s (enqueued in %s, with %s jobs yet to end); %s of %s finished, %s in error, %s left open; %s seats",
		human(p.Time), human(p.EnqueueTime), thousands(float64(p.Backlog)), thousands(float64(p.Finished)),
		thousands(float64(p.Asked)), thousands(float64(p.Failed)), thousands(float64(p.Open())), thousands(float64(p.Seats)))
	if p.Err != "" {
		s += "; stopped: " + p.Err
	}
	return s
}

func passFail(ok bool) string {
	if ok {
		return "pass"
	}
	return "fail"
}

// thousands formats a rate or count as a whole number with commas.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// millis formats a latency in milliseconds with three significant digits.
func millis(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0f ms", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.2f ms", ms)
}

// human formats a longer span: milliseconds, seconds, or minutes.
func human(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.3g s", d.Seconds())
	}
	return d.Round(time.Second).String()
}

func percent(f float64) string { return fmt.Sprintf("%.0f %%", 100*f) }

func megabytes(b uint64) string { return fmt.Sprintf("%.0f MB", float64(b)/mb) }

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

// cell keeps text from breaking a Markdown table row.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
