package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/latchkeyhq/latchkey/internal/loadtest"
)

// config is a parsed command line: what to measure and where to write it.
type config struct {
	loadtest.Options
	out string // the report's file; "" only prints it
}

// parseFlags reads the harness's flags; usage and errors go to stderr.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	c := config{Options: loadtest.Defaults(), out: "docs/performance.md"}
	fs := flag.NewFlagSet("latchkey-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: go run ./cmd/latchkey-load [flags]

Builds latchkey, seeds a store, and measures the API against a bare net/http
baseline on this machine (docs/performance.md; targets in PERFORMANCE.md).
Run it from the repository.

`)
		fs.PrintDefaults()
	}
	o := &c.Options
	fs.IntVar(&o.Accounts, "accounts", o.Accounts, "accounts in the workspace")
	fs.IntVar(&o.Users, "users", o.Users, "members of the workspace")
	fs.IntVar(&o.Teams, "teams", o.Teams, "teams; each member joins one")
	fs.IntVar(&o.Collections, "collections", o.Collections, "collections, each shared with a team")
	fs.IntVar(&o.Heavy, "heavy", o.Heavy, "accounts owned by the heavy member, whose API key the scenarios use")
	fs.DurationVar(&o.Duration, "duration", o.Duration, "measured time of each scenario")
	fs.DurationVar(&o.Warmup, "warmup", o.Warmup, "load before each scenario that is not counted")
	fs.IntVar(&o.Connections, "connections", o.Connections, "concurrent keep-alive connections")
	fs.IntVar(&o.Runs, "runs", o.Runs, "whole runs; more than one reports medians")
	fs.IntVar(&o.Jobs, "jobs", o.Jobs, "T4's invite jobs per run, one workspace user each (at most -users); 0 skips T4")
	fs.StringVar(&o.DatabaseURL, "database-url", "", "PostgreSQL server to measure on, in a fresh schema (default SQLite in a temp dir)")
	fs.StringVar(&c.out, "out", c.out, `write the report here too; "" only prints it`)
	fs.BoolVar(&o.Keep, "keep", false, "keep the temp dir (and the PostgreSQL schema)")
	fs.StringVar(&o.Store, "store", "", "keep the seeded SQLite store in this directory and reuse it when the sizes match")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := o.Validate(); err != nil {
		return c, err
	}
	o.Command = command(args)
	return c, nil
}

// command is how to repeat this invocation, for the report: a database
// URL's password is left out.
func command(args []string) string {
	parts := []string{"go run ./cmd/latchkey-load"}
	for _, a := range args {
		if u, err := url.Parse(a); err == nil && u.User != nil {
			a = u.Redacted()
		}
		if k, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(k, "-") {
			if u, err := url.Parse(v); err == nil && u.User != nil {
				a = k + "=" + u.Redacted()
			}
		}
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes a for a POSIX shell when it needs it.
func shellQuote(a string) string {
	if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,@+") == "" {
		return a
	}
	return "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
}
