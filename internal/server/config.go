// Package server wires Latchkey together and runs it: store, keys, core,
// the HTTP front ends, health and metrics, and a graceful stop.
package server

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"
)

// Config is everything `latchkey serve` takes. Flags and environment
// variables fill it in internal/cli.
type Config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	BaseDomain  string
	Demo        bool
	DemoAppAddr string // where --demo runs the sample application; "off" runs none
	RateLimit   int

	// MasterKey is the key-encryption key itself (base64 of 32 bytes),
	// from the environment only; MasterKeyFile is where it is kept
	// otherwise, created on first start.
	MasterKey     string
	MasterKeyFile string

	LogLevel  string
	LogFormat string

	ShutdownTimeout time.Duration
	MaxBodyBytes    int64

	Jobs JobsConfig
}

// JobsConfig tunes the job workers; zero values take the queue's defaults
// (internal/jobs.Config).
type JobsConfig struct {
	Workers     int           // jobs worked at once by this process
	Timeout     time.Duration // one attempt
	RescueAfter time.Duration // a job running this long belongs to a dead process and runs again
	Backoff     time.Duration // first retry delay
	MaxAttempts int
}

// Defaults are the documented defaults of INTERFACES §2.
func Defaults() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		DataDir:         "./latchkey-data",
		BaseDomain:      "localhost",
		DemoAppAddr:     "127.0.0.1:8090",
		RateLimit:       1200,
		LogLevel:        "info",
		LogFormat:       "json",
		ShutdownTimeout: 30 * time.Second,
		MaxBodyBytes:    1 << 20,
	}
}

// KeyFile returns where the key-encryption key is read from.
func (c Config) KeyFile() string {
	if c.MasterKeyFile != "" {
		return c.MasterKeyFile
	}
	return filepath.Join(c.DataDir, "master.key")
}

// Logger builds the configured logger writing to w.
func (c Config) Logger(w interface{ Write([]byte) (int, error) }) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn or error", c.LogLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(c.LogFormat) {
	case "json", "":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: use json or text", c.LogFormat)
}
