package loadtest

import (
	"errors"
	"io"
	"time"
)

// Options are everything one harness invocation does.
type Options struct {
	// Sizes of the seeded workspace. Heavy accounts belong to the member
	// whose API key the scenarios use (T2's "owner of 100k accounts").
	Accounts, Users, Teams, Collections, Heavy int

	Duration    time.Duration // measured window of each scenario
	Warmup      time.Duration // unmeasured load before each window
	Connections int           // concurrent keep-alive connections
	Runs        int           // whole runs; more than one reports medians
	// Jobs is T4's count of invite jobs, one workspace user each; 0
	// skips T4.
	Jobs int

	DatabaseURL string // PostgreSQL when set, else SQLite in the temp dir
	Keep        bool   // keep the temp dir (and PostgreSQL schema)
	// Store, when set, is a directory kept between invocations: the first
	// seeds a SQLite store there, later ones with the same sizes reuse it,
	// so measuring a change does not cost a seed.
	Store string

	// Command is how the harness was invoked, for the report.
	Command string
	// Self is the harness executable, re-run as `Self bare` for the
	// baseline server.
	Self string
	// Log hears progress: build, seed, each measurement.
	Log io.Writer
}

// Defaults are PERFORMANCE.md's sizes: T2's heavy member owns 100k
// accounts of a 1M-account workspace, and T4 runs 10k jobs.
func Defaults() Options {
	return Options{
		Accounts: 1_000_000, Users: 100_000, Teams: 10_000, Collections: 20_000, Heavy: 100_000,
		Duration: 10 * time.Second, Warmup: 2 * time.Second, Connections: 50, Runs: 1, Jobs: 10_000,
	}
}

// Validate reports the first option that cannot work.
func (o Options) Validate() error {
	switch {
	case o.Users < 1:
		return errors.New("-users must be at least 1: the heavy member is one")
	case o.Accounts < 1:
		return errors.New("-accounts must be at least 1")
	case o.Heavy < 1:
		return errors.New("-heavy must be at least 1: the scenarios read the heavy member's accounts")
	case o.Heavy > o.Accounts:
		return errors.New("-heavy cannot be more than -accounts")
	case o.Teams < 0 || o.Collections < 0:
		return errors.New("-teams and -collections cannot be negative")
	case o.Collections > 0 && o.Teams == 0:
		return errors.New("-collections are shared with teams: give -teams")
	case o.Duration <= 0:
		return errors.New("-duration must be positive")
	case o.Warmup < 0:
		return errors.New("-warmup cannot be negative")
	case o.Connections < 1:
		return errors.New("-connections must be at least 1")
	case o.Runs < 1:
		return errors.New("-runs must be at least 1")
	case o.Jobs < 0:
		return errors.New("-jobs cannot be negative: 0 skips T4")
	case o.Jobs > o.Users:
		return errors.New("-jobs cannot be more than -users: each job invites a different workspace user")
	case o.Store != "" && o.DatabaseURL != "":
		return errors.New("-store keeps a SQLite store: it cannot be combined with -database-url")
	}
	return nil
}
