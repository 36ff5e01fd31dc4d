package loadtest

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func sampleReport() *Report {
	return &Report{
		Command: "go run ./cmd/latchkey-load", Date: time.Date(2026, 11, 23, 16, 30, 0, 0, time.UTC),
		Machine: Machine{CPU: "AMD EPYC", CPUs: 2, MemTotal: 24 << 30, Kernel: "Linux 6.1", Go: "go1.26.8"},
		Store:   "SQLite, in a temp dir", Duration: 10 * time.Second, Warmup: 2 * time.Second, Connections: 50, Runs: 1,
		Seed:  SeedSummary{Accounts: 1_000_000, Users: 100_000, Teams: 10_000, Collections: 20_000, Grants: 2_345_678, Elapsed: 3 * time.Minute},
		Heavy: 100_000, Visible: 104_321, SeedWall: 190 * time.Second,
		Rows: []Row{
			{ID: "bare", Title: "`net/http`", Requests: 260_000, RPS: 26_000, P50: 1500 * time.Microsecond, P99: 6 * time.Millisecond, Ratio: 1},
			{ID: "T1", Title: "`GET /api/v1/accounts/{id}`", Requests: 190_000, RPS: 19_000, P50: 2 * time.Millisecond, P99: 9 * time.Millisecond, Ratio: 0.73, MinRatio: 0.70},
			{ID: "T2", Title: "`GET /api/v1/accounts?page[size]=25&page[number]=P`, P random", Requests: 80_000, RPS: 8_000, P50: 5 * time.Millisecond, P99: 25 * time.Millisecond, Ratio: 0.31, MinRatio: 0.40},
			{ID: "T3", Title: "a | pipe", Requests: 70_000, Errors: 12, RPS: 7_000, P50: 6 * time.Millisecond, P99: 150 * time.Millisecond, Ratio: 0.27, MinRatio: 0.25, ErrorKinds: "status 500 ×12"},
		},
		Jobs: 10_000,
		Provisioning: Provisioning{Asked: 10_000, Requests: 10_000, RPS: 1_250, P50: 30 * time.Millisecond, P99: 120 * time.Millisecond,
			Enqueued: 10_000, Finished: 10_000, Seats: 10_000, Backlog: 2_500, EnqueueTime: 8 * time.Second, Time: 9_400 * time.Millisecond},
		Depth:     Depth{DeepPage: 4000, Page1P99: 10 * time.Millisecond, DeepP99: 12 * time.Millisecond},
		Memory:    Memory{RSS: 80_000_000, HWM: 95_000_000},
		Ready:     350 * time.Millisecond,
		ExitCodes: []int{0},
	}
}

// tableRows returns the lines of the Markdown table whose header starts
// with header, header and separator included.
func tableRows(md, header string) []string {
	var rows []string
	for _, line := range strings.Split(md, "\n") {
		switch {
		case strings.HasPrefix(line, header):
			rows = append(rows, line)
		case len(rows) > 0 && strings.HasPrefix(line, "|"):
			rows = append(rows, line)
		case len(rows) > 0:
			return rows
		}
	}
	return rows
}

// cells splits a table row on its unescaped pipes.
func cells(row string) []string {
	row = strings.ReplaceAll(row, `\|`, "¦")
	parts := strings.Split(strings.Trim(row, "|"), "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func TestWriteMarkdownTables(t *testing.T) {
	var b strings.Builder
	if err := sampleReport().WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()

	scenarios := tableRows(md, "| scenario |")
	if len(scenarios) != 2+5 {
		t.Fatalf("scenario table has %d lines, want header, separator and 5 rows:\n%s", len(scenarios), md)
	}
	wantScenarios := [][]string{
		{"scenario", "requests/s", "p50", "p99", "errors", "ratio to bare", "target", "result"},
		nil, // the separator
		{"bare: `net/http`", "26,000", "1.50 ms", "6.00 ms", "0", "100 %", "the ceiling", "—"},
		{"T1: `GET /api/v1/accounts/{id}`", "19,000", "2.00 ms", "9.00 ms", "0", "73 %", "≥ 70 %", "pass"},
		{"T2: `GET /api/v1/accounts?page[size]=25&page[number]=P`, P random", "8,000", "5.00 ms", "25.0 ms", "0", "31 %", "≥ 40 %", "fail"},
		{"T3: a ¦ pipe", "7,000", "6.00 ms", "150 ms", "12", "27 %", "≥ 25 %", "fail (errors)"},
		{"T4: `POST /api/v1/integrations/{id}/users`, 10,000 invite jobs (no-op connector), one user each", "1,250", "30.0 ms", "120 ms", "0",
			"—", "all finished ≤ 10 s", "pass"},
	}
	for i, want := range wantScenarios {
		t.Run("scenario row "+string(rune('0'+i)), func(t *testing.T) {
			got := cells(scenarios[i])
			if len(got) != 8 {
				t.Fatalf("%d cells in %q, want 8", len(got), scenarios[i])
			}
			if want == nil {
				return
			}
			for j := range want {
				if got[j] != want[j] {
					t.Errorf("cell %d = %q, want %q", j, got[j], want[j])
				}
			}
		})
	}

	checks := tableRows(md, "| check |")
	wantChecks := []struct{ prefix, measured, result string }{
		{"T2 depth: p99 of page 4000 against page 1", "12.0 ms against 10.0 ms (1.2 ×)", "pass"},
		{"T5 resident memory", "80 MB (VmHWM 95 MB)", "pass"},
		{"T5 start to ready", "350 ms", "pass"},
		{"T4: 10,000 invite jobs, first enqueue to last job finished",
			"9.4 s (enqueued in 8 s, with 2,500 jobs yet to end); 10,000 of 10,000 finished, 0 in error, 0 left open; 10,000 seats", "pass"},
		{"server stop on SIGTERM", "exit 0", "pass"},
	}
	if len(checks) != 2+len(wantChecks) {
		t.Fatalf("check table has %d lines, want %d:\n%s", len(checks), 2+len(wantChecks), md)
	}
	for i, want := range wantChecks {
		t.Run(want.prefix, func(t *testing.T) {
			got := cells(checks[2+i])
			if len(got) != 4 || !strings.HasPrefix(got[0], want.prefix) || got[1] != want.measured || got[3] != want.result {
				t.Errorf("row %q, want %q … %q … %q", checks[2+i], want.prefix, want.measured, want.result)
			}
		})
	}

	for _, want := range []string{
		"`go run ./cmd/latchkey-load`", "2026-11-23 16:30 UTC", "AMD EPYC, 2 CPUs, 24.0 GiB memory, Linux 6.1, go1.26.8",
		"SQLite", "1,000,000 accounts, 100,000 of them owned by the heavy member, who sees 104,321", "3m10s",
		"shares the machine's 2 CPUs", "T3 errors: status 500 ×12", "T3, T4, then stops it", "then 10,000 `POST …/users` invitations",
		"Not measured here: T4's `kill -9`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "each run's requests/s") {
		t.Error("a single run has a per-run table")
	}
}

func TestWriteMarkdownT4(t *testing.T) {
	tests := []struct {
		name        string
		change      func(r *Report)
		scenarioRow string // "" for none
		check       []string
		text        string // in the report, "" for nothing more
	}{
		{
			name:   "skipped",
			change: func(r *Report) { r.Jobs, r.Provisioning = 0, Provisioning{} },
			check:  []string{"T4: provisioning jobs", "not measured (`-jobs 0`)", "≤ 10 s, none in error or left open", "—"},
		},
		{
			name: "too slow, a job left open and one in error",
			change: func(r *Report) {
				r.Provisioning.Time, r.Provisioning.Finished, r.Provisioning.Failed, r.Provisioning.Seats = 12_500*time.Millisecond, 9_998, 1, 9_998
			},
			scenarioRow: "fail",
			check: []string{"T4: 10,000 invite jobs, first enqueue to last job finished",
				"12.5 s (enqueued in 8 s, with 2,500 jobs yet to end); 9,998 of 10,000 finished, 1 in error, 1 left open; 9,998 seats",
				"≤ 10 s, none in error or left open", "fail"},
		},
		{
			name: "enqueue errors and a stop",
			change: func(r *Report) {
				p := &r.Provisioning
				p.Errors, p.ErrorKinds, p.Enqueued, p.Err = 3, "status 500 ×3", 9_997, "no job ended for 30s; 9,000 of 9,997 had"
			},
			scenarioRow: "fail (errors)",
			text:        "T4 errors: status 500 ×3",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleReport()
			tt.change(r)
			var b strings.Builder
			if err := r.WriteMarkdown(&b); err != nil {
				t.Fatal(err)
			}
			md := b.String()
			var t4 []string
			for _, row := range tableRows(md, "| scenario |") {
				if strings.HasPrefix(row, "| T4: ") {
					t4 = cells(row)
				}
			}
			switch {
			case tt.scenarioRow == "" && t4 != nil:
				t.Errorf("a scenario row for T4 when skipped: %v", t4)
			case tt.scenarioRow != "" && (len(t4) != 8 || t4[7] != tt.scenarioRow):
				t.Errorf("T4 scenario row %v, want result %q", t4, tt.scenarioRow)
			}
			if tt.check != nil {
				var got []string
				for _, row := range tableRows(md, "| check |") {
					if strings.HasPrefix(row, "| T4") {
						got = cells(row)
					}
				}
				if !slices.Equal(got, tt.check) {
					t.Errorf("T4 check row %q, want %q", got, tt.check)
				}
			}
			if tt.text != "" && !strings.Contains(md, tt.text) {
				t.Errorf("report lacks %q:\n%s", tt.text, md)
			}
			if strings.Contains(md, "T3, T4, then") != (r.Jobs > 0) {
				t.Errorf("the setup names T4 in a run only when it ran:\n%s", md)
			}
		})
	}
}

func TestWriteMarkdownPerRunTable(t *testing.T) {
	r := sampleReport()
	r.Runs = 3
	r.PerRun = [][]Row{r.Rows, r.Rows, r.Rows}
	r.PerRunJobs = []Provisioning{r.Provisioning, r.Provisioning, r.Provisioning}
	var b strings.Builder
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	rows := tableRows(b.String(), "| run |")
	if len(rows) != 2+3 {
		t.Fatalf("per-run table has %d lines, want 5:\n%s", len(rows), b.String())
	}
	for _, row := range rows {
		if n := len(cells(row)); n != 1+len(r.Rows)+1 {
			t.Errorf("%d cells in %q, want %d: a run, each row, T4", n, row, 1+len(r.Rows)+1)
		}
	}
	if got := cells(rows[2])[1+len(r.Rows)]; got != "9.4 s (enqueue 1,250/s)" {
		t.Errorf("run 1's T4 cell is %q", got)
	}
}

func TestReportVerdicts(t *testing.T) {
	tests := []struct {
		name   string
		change func(r *Report)
		want   bool
	}{
		{"all met", func(r *Report) { r.Rows = r.Rows[:2] }, true},
		{"a ratio missed", func(r *Report) {}, false},
		{"too deep", func(r *Report) { r.Rows = r.Rows[:2]; r.Depth.DeepP99 = 31 * time.Millisecond }, false},
		{"depth errors", func(r *Report) { r.Rows = r.Rows[:2]; r.Depth.Errors = 1 }, false},
		{"too much memory", func(r *Report) { r.Rows = r.Rows[:2]; r.Memory.RSS = MaxResident + 1 }, false},
		{"memory unreadable", func(r *Report) { r.Rows = r.Rows[:2]; r.MemoryError = "no /proc" }, false},
		{"slow start", func(r *Report) { r.Rows = r.Rows[:2]; r.Ready = 1001 * time.Millisecond }, false},
		{"unclean stop", func(r *Report) { r.Rows = r.Rows[:2]; r.ExitCodes = []int{0, 1} }, false},
		{"baseline errors", func(r *Report) { r.Rows = r.Rows[:2]; r.Rows[0].Errors = 1 }, false},
		{"T4 too slow", func(r *Report) { r.Rows = r.Rows[:2]; r.Provisioning.Time = MaxJobsTime + time.Millisecond }, false},
		{"T4 a job in error", func(r *Report) { r.Rows = r.Rows[:2]; r.Provisioning.Failed, r.Provisioning.Finished = 1, 9_999 }, false},
		{"T4 skipped", func(r *Report) { r.Rows = r.Rows[:2]; r.Jobs, r.Provisioning = 0, Provisioning{} }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleReport()
			tt.change(r)
			if got := r.Pass(); got != tt.want {
				t.Errorf("Pass() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFormats(t *testing.T) {
	tests := []struct{ got, want string }{
		{thousands(0), "0"},
		{thousands(999.4), "999"},
		{thousands(1000), "1,000"},
		{thousands(26_123.6), "26,124"},
		{thousands(1_000_000), "1,000,000"},
		{millis(450 * time.Microsecond), "0.45 ms"},
		{millis(12345 * time.Microsecond), "12.3 ms"},
		{millis(1500 * time.Millisecond), "1500 ms"},
		{percent(0.7), "70 %"},
		{human(640 * time.Millisecond), "640 ms"},
		{human(time.Second), "1 s"},
		{human(12340 * time.Millisecond), "12.3 s"},
		{human(192600 * time.Millisecond), "3m13s"},
		{megabytes(150_000_000), "150 MB"},
		{cell("a|b\nc"), `a\|b c`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}
