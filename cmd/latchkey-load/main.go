// Command latchkey-load is Latchkey's load harness: it builds the server,
// seeds a store, and measures the API against a bare net/http baseline
// with its own load generator, so it needs nothing but Go. It prints a
// Markdown report and writes it to docs/performance.md.
//
//	go run ./cmd/latchkey-load [flags]
//
// `latchkey-load bare -addr ADDR` is the baseline server the harness
// starts as a child of its own; it is not meant to be run by hand.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/latchkeyhq/latchkey/internal/loadtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: exit 0 when every target was met, 1
// when one was missed or the harness failed, 2 on bad usage.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "bare" {
		return bare(ctx, args[1:], stdin, stdout, stderr)
	}
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "latchkey-load:", err)
		return 2
	}
	rep, err := measure(ctx, c, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "latchkey-load:", err)
		return 1
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		fmt.Fprintln(stderr, "latchkey-load:", err)
		return 1
	}
	_, _ = stdout.Write(md.Bytes())
	if c.out != "" {
		if err := writeFile(c.out, md.Bytes()); err != nil {
			fmt.Fprintln(stderr, "latchkey-load:", err)
			return 1
		}
		fmt.Fprintln(stderr, "latchkey-load: wrote", c.out)
	}
	if !rep.Pass() {
		return 1
	}
	return 0
}

// measure runs the harness, re-running this executable for the baseline.
func measure(ctx context.Context, c config, log io.Writer) (*loadtest.Report, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find this executable for the bare server: %w", err)
	}
	c.Self, c.Log = self, log
	return loadtest.Run(ctx, c.Options)
}

// bare is the hidden baseline mode: serve the fixed body until stdin
// closes or a signal arrives.
func bare(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("latchkey-load bare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := loadtest.ServeBare(ctx, *addr, stdin, stdout); err != nil {
		fmt.Fprintln(stderr, "latchkey-load bare:", err)
		return 1
	}
	return 0
}

func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
