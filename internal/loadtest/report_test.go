package loadtest

import (
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
	if len(scenarios) != 2+4 {
		t.Fatalf("scenario table has %d lines, want header, separator and 4 rows:\n%s", len(scenarios), md)
	}
	wantScenarios := [][]string{
		{"scenario", "requests/s", "p50", "p99", "errors", "ratio to bare", "target", "result"},
		nil, // the separator
		{"bare: `net/http`", "26,000", "1.50 ms", "6.00 ms", "0", "100 %", "the ceiling", "—"},
		{"T1: `GET /api/v1/accounts/{id}`", "19,000", "2.00 ms", "9.00 ms", "0", "73 %", "≥ 70 %", "pass"},
		{"T2: `GET /api/v1/accounts?page[size]=25&page[number]=P`, P random", "8,000", "5.00 ms", "25.0 ms", "0", "31 %", "≥ 40 %", "fail"},
		{"T3: a ¦ pipe", "7,000", "6.00 ms", "150 ms", "12", "27 %", "≥ 25 %", "fail (errors)"},
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
		"shares the machine's 2 CPUs", "T3 errors: status 500 ×12",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "each run's requests/s") {
		t.Error("a single run has a per-run table")
	}
}

func TestWriteMarkdownPerRunTable(t *testing.T) {
	r := sampleReport()
	r.Runs = 3
	r.PerRun = [][]Row{r.Rows, r.Rows, r.Rows}
	var b strings.Builder
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	rows := tableRows(b.String(), "| run |")
	if len(rows) != 2+3 {
		t.Fatalf("per-run table has %d lines, want 5:\n%s", len(rows), b.String())
	}
	for _, row := range rows {
		if n := len(cells(row)); n != 1+len(r.Rows) {
			t.Errorf("%d cells in %q, want %d", n, row, 1+len(r.Rows))
		}
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
