// Package cli is the latchkey command: the server (serve), the operator's
// bootstrap tool (admin), and later the command-line client.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/latchkeyhq/latchkey"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// usageError marks a mistake in how the command was called.
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// env is how the command reads its environment, so tests can supply one.
type env func(string) string

// Main runs the latchkey command and returns its exit code.
func Main(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(env(getenv), stdout, stderr)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		fmt.Fprintf(stderr, "latchkey: %v\nRun 'latchkey --help' for usage.\n", err)
		return ExitUsage
	}
	fmt.Fprintf(stderr, "latchkey: %s\n", oneLine(err))
	return ExitError
}

// oneLine is the reason an error gives the operator: the caller-safe
// message of a latchkey error, or the error's text, on one line.
func oneLine(err error) string {
	msg := err.Error()
	var le *latchkey.Error
	if errors.As(err, &le) {
		msg = le.Message
	}
	return strings.Join(strings.Fields(msg), " ")
}

// isCobraUsage recognises cobra's own argument and command errors, which
// it returns as plain errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "requires at most", "required flag", "invalid argument", "flag needs an argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func newRoot(getenv env, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "latchkey",
		Short:         "Latchkey: identity, access and passwords for disconnected applications",
		Long:          "Latchkey keeps the shared logins of applications without SSO or SCIM in encrypted vaults and serves them through an API compatible with the Cerby API v1.\n\nlatchkey serve runs the server; latchkey admin bootstraps workspaces, users and credentials straight in the store.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newServe(getenv, stdout, stderr), newAdmin(getenv, stdout, stderr), newSampleApp(getenv, stdout), newVersion(stdout))
	return root
}

// bindEnv gives each named flag its environment variable: a flag on the
// command line wins, then the variable, then the default.
func bindEnv(cmd *cobra.Command, getenv env, pairs map[string]string) error {
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		name, ok := pairs[f.Name]
		if !ok || f.Changed || err != nil {
			return
		}
		if v := getenv(name); v != "" {
			if e := f.Value.Set(v); e != nil {
				err = usagef("%s=%q: %v", name, v, e)
			}
		}
	})
	return err
}

// Version is set at build time with -ldflags "-X …/internal/cli.Version=…".
var Version = "dev"

func newVersion(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(stdout, Version)
			return nil
		},
	}
}
