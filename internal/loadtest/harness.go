package loadtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Workspace is the seeded workspace's name.
const Workspace = "bench"

// memoryInterval is how often T5 samples the server's resident memory.
const memoryInterval = 20 * time.Millisecond

// Run is the whole harness: build latchkey, seed a store in a temp dir
// (or a fresh PostgreSQL schema), start the bare server, then measure
// o.Runs runs and return their report.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if o.Self == "" {
		return nil, fmt.Errorf("no executable to run the bare server: set Options.Self")
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	logf := func(format string, a ...any) { fmt.Fprintf(o.Log, "latchkey-load: "+format+"\n", a...) }

	root, err := ModuleRoot(ctx)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "latchkey-load-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if o.Keep {
			logf("kept %s", tmp)
			return
		}
		_ = os.RemoveAll(tmp)
	}()

	lk := Latchkey{Bin: filepath.Join(tmp, "latchkey"), DataDir: filepath.Join(tmp, "data"), Log: o.Log}
	store := "SQLite, in a temp dir"
	if o.Store != "" {
		lk.DataDir, store = filepath.Join(o.Store, "data"), "SQLite, in "+o.Store
	}
	if o.DatabaseURL != "" {
		url, drop, err := FreshSchema(ctx, o.DatabaseURL)
		if err != nil {
			return nil, err
		}
		defer func() {
			if o.Keep {
				logf("kept the PostgreSQL store: --database-url '%s'", url)
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := drop(ctx); err != nil {
				logf("%v", err)
			}
		}()
		lk.DatabaseURL, store = url, "PostgreSQL, a fresh schema"
	}

	logf("building ./cmd/latchkey")
	if err := BuildLatchkey(ctx, root, lk.Bin); err != nil {
		return nil, err
	}
	plan := SeedPlan{Workspace: Workspace, Users: o.Users, Teams: o.Teams,
		Collections: o.Collections, Accounts: o.Accounts, Heavy: o.Heavy}
	seeded, err := seedOrReuse(ctx, lk, plan, o.Store, logf)
	if err != nil {
		return nil, err
	}
	seed, seedWall, key := seeded.Summary, seeded.Wall, seeded.Key
	// T4's key is issued on every invocation rather than kept with a
	// reused store: it costs one admin command, and stores kept before T4
	// existed have none.
	var jobsKey string
	if o.Jobs > 0 {
		if jobsKey, err = lk.APIKey(ctx, Workspace, seed.HeavyEmail, "load-jobs", JobsScopes); err != nil {
			return nil, err
		}
	}

	bare, err := StartProcess(exec.CommandContext(ctx, o.Self, "bare", "-addr", "127.0.0.1:0"), BareListening, true, 30*time.Second)
	if err != nil {
		return nil, fmt.Errorf("bare server: %w", err)
	}
	defer bare.Stop(5 * time.Second)

	client := NewClient(o.Connections)
	defer client.CloseIdleConnections()
	fix := Fixture{Bare: bare.Base, Key: key, JobsKey: jobsKey, Accounts: seed.SampleAccounts}
	runs := make([]runResult, 0, o.Runs)
	for i := range o.Runs {
		r, err := measureRun(ctx, lk, fix, client, o, i+1, logf)
		if err != nil {
			return nil, fmt.Errorf("run %d: %w", i+1, err)
		}
		runs = append(runs, r)
	}

	rep := summarize(runs)
	rep.Command, rep.Date, rep.Machine, rep.Store = o.Command, time.Now(), DescribeMachine(), store
	rep.Duration, rep.Warmup, rep.Connections, rep.Runs = o.Duration, o.Warmup, o.Connections, o.Runs
	rep.Seed, rep.SeedWall, rep.Heavy = *seed, seedWall, o.Heavy
	rep.SeedReused = seeded.Reused
	rep.Jobs = o.Jobs
	return rep, nil
}

// runResult is one run: a fresh server, the baseline and the scenarios.
type runResult struct {
	ready   time.Duration
	visible int   // the heavy member's account total
	rows    []Row // in scenario order
	depth   Depth
	memory  Memory
	memErr  error
	jobs    Provisioning // T4; zero when skipped
	exit    int
}

// measureRun starts a server, measures every scenario against it, and
// stops it. A fresh server per run keeps runs independent: T5's memory
// and start time are a new process's.
func measureRun(ctx context.Context, lk Latchkey, fix Fixture, client *http.Client, o Options, run int,
	logf func(string, ...any)) (runResult, error) {
	var r runResult
	srv, ready, err := lk.Serve(ctx)
	if err != nil {
		return r, err
	}
	stopped := false
	defer func() {
		if !stopped {
			_, _ = srv.Stop(10 * time.Second)
		}
	}()
	r.ready = ready
	logf("run %d/%d: server ready in %s", run, o.Runs, ready.Round(time.Millisecond))

	fix.API = srv.Base
	if r.visible, err = fix.AccountTotal(ctx, client); err != nil {
		return r, err
	}
	fix.Pages = r.visible / PageSize

	plan := Plan{Connections: o.Connections, Warmup: o.Warmup, Duration: o.Duration, Seed: uint64(run)}
	var bareRPS float64
	for _, sc := range fix.Scenarios() {
		var sampler *MemorySampler
		if sc.ID == "T2" { // T5 is the memory of serving T2
			sampler = SampleMemory(srv.PID(), memoryInterval)
		}
		res := Measure(ctx, client, sc.Next, plan)
		if sc.MinRatio == 0 {
			bareRPS = res.RPS
		}
		row := rowOf(sc, res, bareRPS)
		logf("run %d/%d: %-4s %9s req/s  p50 %9s  p99 %9s  errors %d  %s of bare%s", run, o.Runs, sc.ID,
			thousands(row.RPS), millis(row.P50), millis(row.P99), row.Errors, percent(row.Ratio), errorSuffix(row))
		r.rows = append(r.rows, row)
		if sc.ID == "T2" {
			r.depth = measureDepth(ctx, client, fix, plan, r.visible)
			logf("run %d/%d: T2 p99 page 1 %s, page %d %s", run, o.Runs, millis(r.depth.Page1P99), r.depth.DeepPage, millis(r.depth.DeepP99))
			r.memory, r.memErr = sampler.Stop()
			logf("run %d/%d: T5 largest VmRSS serving T2 %s (VmHWM %s)", run, o.Runs, megabytes(r.memory.RSS), megabytes(r.memory.HWM))
		}
		if err := ctx.Err(); err != nil {
			return r, err
		}
	}
	// T4 comes last: its integration, seats and grants stay in the store,
	// so this run's T1–T3 at least read the store as it was seeded.
	if o.Jobs > 0 {
		r.jobs = measureJobs(ctx, client, fix, o, run, logf)
		if err := ctx.Err(); err != nil {
			return r, err
		}
	}

	stopped = true
	r.exit, err = srv.Stop(30 * time.Second)
	if err != nil {
		logf("run %d/%d: %v", run, o.Runs, err)
	}
	return r, nil
}

// measureJobs runs T4 on this run's server with o.Jobs users of the
// workspace, in an integration of the run's own.
func measureJobs(ctx context.Context, client *http.Client, fix Fixture, o Options, run int, logf func(string, ...any)) Provisioning {
	runf := func(format string, a ...any) { logf("run %d/%d: "+format, append([]any{run, o.Runs}, a...)...) }
	jf := JobsFixture{API: fix.API, Key: fix.JobsKey}
	users, err := jf.UserIDs(ctx, client, o.Jobs)
	if err != nil {
		p := Provisioning{Asked: o.Jobs, Err: "set-up: " + err.Error()}
		runf("T4: %s", p.Err)
		return p
	}
	p := MeasureProvisioning(ctx, client, jf, users, o.Connections, fmt.Sprintf("Bench tenant, run %d", run), runf)
	runf("T4: waited %s for %d jobs: %d finished, %d in error, %d left open, %d seats; %d had yet to end when the last was enqueued%s",
		human(p.Time), p.Enqueued, p.Finished, p.Failed, p.Open(), p.Seats, p.Backlog, errSuffix(p.Err))
	if p.Open() > 0 && (o.Runs > run || o.Store != "") {
		// The store's queue keeps them: the next server on it works them
		// off while it is being measured.
		runf("T4: left %d jobs queued: the next run on this store works them off during its measurements", p.Open())
	}
	return p
}

func errSuffix(err string) string {
	if err == "" {
		return ""
	}
	return " (" + err + ")"
}

// measureDepth runs T2's two short sub-measurements, page 1 alone and
// page DeepPage (or the last page, if fewer) alone, at half the duration.
func measureDepth(ctx context.Context, client *http.Client, fix Fixture, plan Plan, total int) Depth {
	last := max((total+PageSize-1)/PageSize, 1)
	d := Depth{DeepPage: min(DeepPage, last)}
	plan.Warmup, plan.Duration = plan.Warmup/2, plan.Duration/2
	first := Measure(ctx, client, fix.Page(1), plan)
	deep := Measure(ctx, client, fix.Page(d.DeepPage), plan)
	d.Page1P99, d.DeepP99, d.Errors = first.P99, deep.P99, first.Errors+deep.Errors
	return d
}

func rowOf(sc Scenario, res Result, bareRPS float64) Row {
	row := Row{ID: sc.ID, Title: sc.Title, MinRatio: sc.MinRatio, Requests: res.Requests, Errors: res.Errors,
		RPS: res.RPS, P50: res.P50, P99: res.P99, ErrorKinds: res.FirstErrors(3)}
	if bareRPS > 0 {
		row.Ratio = res.RPS / bareRPS
	}
	return row
}

func errorSuffix(row Row) string {
	if row.Errors == 0 {
		return ""
	}
	return " (" + row.ErrorKinds + ")"
}
