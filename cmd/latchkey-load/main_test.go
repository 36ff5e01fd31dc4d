package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for the harness executable: the
// harness re-runs os.Executable() as `… bare -addr ADDR` for its baseline.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "bare" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestSmoke runs the whole harness at a tiny size: build, seed, bare
// server, every scenario, the report. It checks that everything ran and
// nothing failed, never how fast: timings vary from machine to machine.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs latchkey")
	}
	t.Setenv("TMPDIR", t.TempDir()) // the harness's temp dir goes here, and with it
	c, err := parseFlags([]string{"-accounts", "300", "-users", "50", "-teams", "5", "-collections", "10", "-heavy", "100",
		"-duration", "500ms", "-warmup", "200ms", "-connections", "8", "-jobs", "40", "-out", ""}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	var log strings.Builder
	rep, err := measure(ctx, c, &log)
	if err != nil {
		t.Fatalf("%v\nlog:\n%s", err, log.String())
	}

	wantIDs := []string{"bare", "T1", "T2", "T3"}
	if len(rep.Rows) != len(wantIDs) {
		t.Fatalf("%d scenarios, want %v", len(rep.Rows), wantIDs)
	}
	for i, row := range rep.Rows {
		t.Run(wantIDs[i], func(t *testing.T) {
			if row.ID != wantIDs[i] {
				t.Errorf("scenario %d is %s, want %s", i, row.ID, wantIDs[i])
			}
			if row.Requests == 0 || row.RPS <= 0 || row.Ratio <= 0 || row.P99 <= 0 {
				t.Errorf("%+v: want requests, a positive rate, ratio and p99", row)
			}
			if row.Errors != 0 {
				t.Errorf("%d errors: %s", row.Errors, row.ErrorKinds)
			}
		})
	}
	t.Run("T2 depth", func(t *testing.T) {
		// 100 owned accounts and a few shared ones: the last page, not 4000.
		if d := rep.Depth; d.DeepPage < 4 || d.DeepPage > 10 || d.Page1P99 <= 0 || d.DeepP99 <= 0 || d.Errors != 0 {
			t.Errorf("depth %+v", d)
		}
	})
	t.Run("T5", func(t *testing.T) {
		if rep.MemoryError != "" || rep.Memory.RSS == 0 {
			t.Errorf("memory %+v, error %q", rep.Memory, rep.MemoryError)
		}
		if rep.Ready <= 0 {
			t.Errorf("start to ready %v", rep.Ready)
		}
	})
	t.Run("T4", func(t *testing.T) {
		p := rep.Provisioning
		if rep.Jobs != 40 || p.Asked != 40 || p.Enqueued != 40 || p.Errors != 0 || p.Err != "" {
			t.Errorf("enqueued %d of %d (errors %d: %s; %s)", p.Enqueued, p.Asked, p.Errors, p.ErrorKinds, p.Err)
		}
		if p.Finished != 40 || p.Failed != 0 || p.Seats != 40 || p.Time <= 0 || p.RPS <= 0 {
			t.Errorf("%+v: want 40 jobs finished, 40 seats, a time and a rate", p)
		}
	})
	t.Run("stop", func(t *testing.T) {
		if !rep.StopPass() {
			t.Errorf("exit codes %v after SIGTERM", rep.ExitCodes)
		}
	})
	t.Run("report", func(t *testing.T) {
		var md strings.Builder
		if err := rep.WriteMarkdown(&md); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(md.String(), "| T3: ") || !strings.Contains(md.String(), "| T4: ") || !strings.Contains(md.String(), "SQLite") {
			t.Errorf("report:\n%s", md.String())
		}
	})
	if rep.Seed.Accounts != 300 || rep.Visible < 100 {
		t.Errorf("seeded %d accounts, heavy member sees %d", rep.Seed.Accounts, rep.Visible)
	}
}
