package main

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey/internal/loadtest"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		check   func(t *testing.T, c config)
		wantErr string // "" for valid
	}{
		{
			name: "defaults are PERFORMANCE.md's",
			check: func(t *testing.T, c config) {
				want := loadtest.Defaults()
				want.Command = "go run ./cmd/latchkey-load"
				if c.Options != want || c.out != "docs/performance.md" {
					t.Errorf("got %+v out %q", c.Options, c.out)
				}
			},
		},
		{
			name: "the smoke test's sizes",
			args: []string{"-accounts", "300", "-users", "50", "-teams", "5", "-collections", "10", "-heavy", "100",
				"-duration", "500ms", "-warmup", "200ms", "-out", "", "-runs", "3", "-connections", "8", "-jobs", "40", "-keep"},
			check: func(t *testing.T, c config) {
				o := c.Options
				if o.Accounts != 300 || o.Users != 50 || o.Teams != 5 || o.Collections != 10 || o.Heavy != 100 ||
					o.Duration != 500*time.Millisecond || o.Warmup != 200*time.Millisecond || o.Runs != 3 ||
					o.Connections != 8 || o.Jobs != 40 || !o.Keep || c.out != "" {
					t.Errorf("got %+v out %q", o, c.out)
				}
				if !strings.HasSuffix(o.Command, "-heavy 100 -duration 500ms -warmup 200ms -out '' -runs 3 -connections 8 -jobs 40 -keep") {
					t.Errorf("Command = %q", o.Command)
				}
			},
		},
		{
			name: "the database URL's password stays out of the report",
			args: []string{"-database-url=postgres://u:secret@db/x?sslmode=disable"},
			check: func(t *testing.T, c config) {
				if c.DatabaseURL != "postgres://u:secret@db/x?sslmode=disable" {
					t.Errorf("DatabaseURL = %q", c.DatabaseURL)
				}
				if strings.Contains(c.Command, "secret") || !strings.Contains(c.Command, "postgres://u:") {
					t.Errorf("Command = %q", c.Command)
				}
			},
		},
		{name: "unknown flag", args: []string{"-rps", "5"}, wantErr: "not defined"},
		{name: "not a duration", args: []string{"-duration", "10"}, wantErr: "invalid value"},
		{name: "stray argument", args: []string{"now"}, wantErr: `unexpected argument "now"`},
		{name: "heavy above accounts", args: []string{"-accounts", "10", "-heavy", "11"}, wantErr: "-heavy"},
		{name: "no connections", args: []string{"-connections", "0"}, wantErr: "-connections"},
		{name: "no runs", args: []string{"-runs", "0"}, wantErr: "-runs"},
		{name: "zero duration", args: []string{"-duration", "0s"}, wantErr: "-duration"},
		{name: "negative warm-up", args: []string{"-warmup", "-1s"}, wantErr: "-warmup"},
		{name: "-jobs 0 skips T4", args: []string{"-jobs", "0"}, check: func(t *testing.T, c config) {
			if c.Jobs != 0 {
				t.Errorf("Jobs = %d", c.Jobs)
			}
		}},
		{name: "negative jobs", args: []string{"-jobs", "-1"}, wantErr: "-jobs"},
		{name: "more jobs than users", args: []string{"-users", "50"}, wantErr: "-jobs cannot be more than -users"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseFlags(tt.args, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestHelpExitsZero(t *testing.T) {
	var stderr strings.Builder
	_, err := parseFlags([]string{"-h"}, &stderr)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	if !strings.Contains(stderr.String(), "go run ./cmd/latchkey-load") || !strings.Contains(stderr.String(), "-accounts") {
		t.Errorf("usage is\n%s", stderr.String())
	}
	if code := run(t.Context(), []string{"-h"}, nil, io.Discard, io.Discard); code != 0 {
		t.Errorf("run -h exits %d, want 0", code)
	}
	if code := run(t.Context(), []string{"-runs", "0"}, nil, io.Discard, io.Discard); code != 2 {
		t.Errorf("run -runs 0 exits %d, want 2", code)
	}
}

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"-accounts", "-accounts"},
		{"500ms", "500ms"},
		{"", "''"},
		{"a b", "'a b'"},
		{"it's", `'it'\''s'`},
		{"postgres://u@h:5432/db?sslmode=disable", "'postgres://u@h:5432/db?sslmode=disable'"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := shellQuote(tt.in); got != tt.want {
				t.Errorf("shellQuote(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}
