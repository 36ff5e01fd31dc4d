// Command latchkey is the Latchkey server, its operator's admin tool and,
// later, its command-line client.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/latchkeyhq/latchkey/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
