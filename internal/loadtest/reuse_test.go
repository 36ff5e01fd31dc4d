package loadtest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSeedOrReuse(t *testing.T) {
	plan := SeedPlan{Workspace: "bench", Users: 50, Teams: 5, Collections: 10, Accounts: 300, Heavy: 100}
	kept := &Seeded{Plan: plan, Summary: &SeedSummary{HeavyEmail: "heavy@example.com"}, Wall: 3 * time.Second, Key: "lk_kept"}
	// No test here reaches the binary: every case either reuses the kept
	// store or refuses before seeding.
	nothing := Latchkey{Bin: filepath.Join(t.TempDir(), "no-such-latchkey")}
	quiet := func(string, ...any) {}

	t.Run("same sizes reuse the store and its key", func(t *testing.T) {
		dir := t.TempDir()
		if err := writeSeeded(dir, kept); err != nil {
			t.Fatal(err)
		}
		got, err := seedOrReuse(context.Background(), nothing, plan, dir, quiet)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Reused || got.Key != "lk_kept" || got.Wall != kept.Wall || got.Summary.HeavyEmail != "heavy@example.com" {
			t.Errorf("reused %+v; want the kept seed, marked reused", got)
		}
		info, err := os.Stat(filepath.Join(dir, seededFile))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v; it holds an API key and must be owner-only", seededFile, info.Mode().Perm())
		}
	})

	tests := []struct {
		name    string
		prepare func(t *testing.T, dir string) Latchkey
		wantErr string
	}{
		{"other sizes are refused, not replaced", func(t *testing.T, dir string) Latchkey {
			other := *kept
			other.Plan.Accounts = 1_000_000
			if err := writeSeeded(dir, &other); err != nil {
				t.Fatal(err)
			}
			return nothing
		}, "other sizes"},
		{"a seed that never finished is refused", func(t *testing.T, dir string) Latchkey {
			lk := nothing
			lk.DataDir = filepath.Join(dir, "data")
			if err := os.MkdirAll(lk.DataDir, 0o700); err != nil {
				t.Fatal(err)
			}
			return lk
		}, "no seed finished"},
		{"a damaged record is reported", func(t *testing.T, dir string) Latchkey {
			if err := os.WriteFile(filepath.Join(dir, seededFile), []byte(`{"plan":`), 0o600); err != nil {
				t.Fatal(err)
			}
			return nothing
		}, seededFile},
		{"a record without a key is incomplete", func(t *testing.T, dir string) Latchkey {
			if err := os.WriteFile(filepath.Join(dir, seededFile), []byte(`{"plan":{},"summary":{}}`), 0o600); err != nil {
				t.Fatal(err)
			}
			return nothing
		}, "incomplete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			lk := tt.prepare(t, dir)
			_, err := seedOrReuse(context.Background(), lk, plan, dir, quiet)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got %v; want an error mentioning %q", err, tt.wantErr)
			}
		})
	}
}
