package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/core"
	"github.com/latchkeyhq/latchkey/internal/server"
)

func newAdmin(getenv env, stdout, stderr io.Writer) *cobra.Command {
	admin := &cobra.Command{
		Use:   "admin",
		Short: "Bootstrap workspaces, users and credentials straight in the store",
		Long: `The operator's tools. They work on the store directly, while the server runs or not,
and print only the value asked for, so they compose in scripts.

Exit status: 0 on success, 1 with a one-line reason on stderr, 2 on bad usage.`,
	}
	admin.Args, admin.RunE = cobra.ArbitraryArgs, needSubcommand
	cmds := []*cobra.Command{
		group("workspace", "Manage workspaces", newWorkspaceCreate(getenv, stdout, stderr), newWorkspaceUpdate(getenv, stdout, stderr)),
		group("user", "Manage users", newUserCreate(getenv, stdout, stderr)),
		group("token", "Issue bearer tokens", newTokenCreate(getenv, stdout, stderr)),
		group("apikey", "Issue API keys", newAPIKeyCreate(getenv, stdout, stderr)),
		newSeed(getenv, stdout, stderr),
	}
	admin.AddCommand(cmds...)
	return admin
}

func group(name, short string, sub ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{Use: name, Short: short, Args: cobra.ArbitraryArgs, RunE: needSubcommand}
	c.AddCommand(sub...)
	return c
}

// needSubcommand answers a group command run on its own, or with a
// subcommand it does not have: cobra would print help and exit 0.
func needSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unknown command %q for %q", args[0], cmd.CommandPath())
	}
	return usagef("%s needs a subcommand: %s", cmd.CommandPath(), subcommands(cmd))
}

func subcommands(cmd *cobra.Command) string {
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	return strings.Join(names, ", ")
}

// adminCommand builds a subcommand that opens the store, runs fn and
// closes it. Logs go to stderr, and only warnings, so stdout stays the value.
func adminCommand(getenv env, stderr io.Writer, use, short string, args cobra.PositionalArgs,
	flags func(*cobra.Command), fn func(ctx context.Context, app *server.App, args []string) error) *cobra.Command {
	return adminCommandChecked(getenv, stderr, use, short, args, flags, nil, fn)
}

// adminCommandChecked is adminCommand with check, which judges the flags
// before the store is opened, so bad usage never half-applies.
func adminCommandChecked(getenv env, stderr io.Writer, use, short string, args cobra.PositionalArgs,
	flags func(*cobra.Command), check func() error, fn func(ctx context.Context, app *server.App, args []string) error) *cobra.Command {
	cfg := server.Defaults()
	cfg.LogLevel = "warn"
	cfg.LogFormat = "text"
	cmd := &cobra.Command{Use: use, Short: short, Args: args}
	cmd.RunE = func(cmd *cobra.Command, a []string) error {
		if err := bindEnv(cmd, getenv, storeEnv); err != nil {
			return err
		}
		if check != nil {
			if err := check(); err != nil {
				return err
			}
		}
		cfg.MasterKey = getenv("LATCHKEY_MASTER_KEY")
		log, err := cfg.Logger(stderr)
		if err != nil {
			return usageError{err}
		}
		timeout := 2 * time.Minute
		if t, err := time.ParseDuration(cmd.Annotations["timeout"]); err == nil {
			timeout = t
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
		defer cancel()
		app, err := server.Open(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer app.Close()
		return fn(ctx, app, a)
	}
	addStoreFlags(cmd, &cfg)
	if flags != nil {
		flags(cmd)
	}
	return cmd
}

func newWorkspaceCreate(getenv env, stdout, stderr io.Writer) *cobra.Command {
	var ttl time.Duration
	return adminCommandChecked(getenv, stderr, "create NAME", "Create a workspace; prints its id", cobra.ExactArgs(1),
		func(cmd *cobra.Command) {
			cmd.Flags().DurationVar(&ttl, "token-ttl", 0, "how long its bearer tokens last, between 1m and 720h (default 1h)")
		},
		func() error { return checkTokenTTL(ttl, true) },
		func(ctx context.Context, app *server.App, args []string) error {
			w, err := app.Service.CreateWorkspace(ctx, args[0], ttl)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, w.ID)
			return nil
		})
}

func checkTokenTTL(ttl time.Duration, zeroMeansDefault bool) error {
	if ttl == 0 && zeroMeansDefault {
		return nil
	}
	if ttl < core.MinTokenTTL || ttl > core.MaxTokenTTL {
		return usagef("--token-ttl must be between %s and %s", core.MinTokenTTL, core.MaxTokenTTL)
	}
	return nil
}

func newWorkspaceUpdate(getenv env, stdout, stderr io.Writer) *cobra.Command {
	var ttl time.Duration
	return adminCommandChecked(getenv, stderr, "update NAME", "Change a workspace's settings; prints its id", cobra.ExactArgs(1),
		func(cmd *cobra.Command) {
			cmd.Flags().DurationVar(&ttl, "token-ttl", 0, "how long new bearer tokens last, between 1m and 720h (required)")
			_ = cmd.MarkFlagRequired("token-ttl")
		},
		func() error { return checkTokenTTL(ttl, false) },
		func(ctx context.Context, app *server.App, args []string) error {
			op, err := app.Service.OperatorContext(ctx, args[0])
			if err != nil {
				return err
			}
			w, err := app.Service.SetTokenTTL(op, ttl)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, w.ID)
			return nil
		})
}

func newUserCreate(getenv env, stdout, stderr io.Writer) *cobra.Command {
	var workspace, email, role, first, last string
	return adminCommand(getenv, stderr, "create", "Add a user to a workspace; prints the user id", cobra.NoArgs,
		func(cmd *cobra.Command) {
			f := cmd.Flags()
			f.StringVar(&workspace, "workspace", "", "workspace name (required)")
			f.StringVar(&email, "email", "", "the user's email (required)")
			f.StringVar(&role, "role", "", "owner, super_admin, admin, user, login_only, guest_user or guest_admin (required)")
			f.StringVar(&first, "first-name", "", "first name")
			f.StringVar(&last, "last-name", "", "last name")
			for _, n := range []string{"workspace", "email", "role"} {
				_ = cmd.MarkFlagRequired(n)
			}
		},
		func(ctx context.Context, app *server.App, args []string) error {
			r, ok := latchkey.ParseRole(role)
			if !ok {
				return usagef("--role %q: use owner, super_admin, admin, user, login_only, guest_user or guest_admin", role)
			}
			ctx, err := app.Service.OperatorContext(ctx, workspace)
			if err != nil {
				return err
			}
			u, err := app.Service.CreateUser(ctx, core.UserInput{Email: email, FirstName: first, LastName: last, Role: r, Status: latchkey.UserLive})
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, u.ID)
			return nil
		})
}

func newTokenCreate(getenv env, stdout, stderr io.Writer) *cobra.Command {
	var workspace, email string
	var ttl time.Duration
	return adminCommand(getenv, stderr, "create", "Issue a bearer token for a user; prints the token", cobra.NoArgs,
		func(cmd *cobra.Command) {
			f := cmd.Flags()
			f.StringVar(&workspace, "workspace", "", "workspace name (required)")
			f.StringVar(&email, "email", "", "the user's email (required)")
			f.DurationVar(&ttl, "ttl", 0, "lifetime, such as 1h or 30m (default: the workspace's, one hour)")
			_ = cmd.MarkFlagRequired("workspace")
			_ = cmd.MarkFlagRequired("email")
		},
		func(ctx context.Context, app *server.App, args []string) error {
			if ttl < 0 || ttl > core.MaxTokenTTL {
				return usagef("--ttl must be between 1s and %s", core.MaxTokenTTL)
			}
			ctx, err := app.Service.OperatorContext(ctx, workspace)
			if err != nil {
				return err
			}
			u, err := app.Service.UserByEmail(ctx, email)
			if err != nil {
				return err
			}
			token, _, err := app.Service.IssueToken(ctx, u.ID, ttl)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, token)
			return nil
		})
}

func newAPIKeyCreate(getenv env, stdout, stderr io.Writer) *cobra.Command {
	var workspace, email, name, scopes, expires string
	return adminCommand(getenv, stderr, "create", "Issue an API key for a user; prints the key", cobra.NoArgs,
		func(cmd *cobra.Command) {
			f := cmd.Flags()
			f.StringVar(&workspace, "workspace", "", "workspace name (required)")
			f.StringVar(&email, "email", "", "the email of the key's user, an Owner, Super Admin or Admin (required)")
			f.StringVar(&name, "name", "", "the key's name (required)")
			f.StringVar(&scopes, "scopes", "", "comma-separated scopes, by identifier (read:items:accounts) or display name (Read accounts) (required)")
			f.StringVar(&expires, "expires", "", "1h, 12h, 1d, 5d, 1y, never, or an RFC 3339 time (required)")
			for _, n := range []string{"workspace", "email", "name", "scopes", "expires"} {
				_ = cmd.MarkFlagRequired(n)
			}
		},
		func(ctx context.Context, app *server.App, args []string) error {
			set, bad, ok := latchkey.ParseScopeSet(scopes)
			if !ok {
				return usagef("--scopes: unknown scope %q", bad)
			}
			if set == 0 {
				return usagef("--scopes: name at least one scope")
			}
			exp, err := core.ParseExpiry(expires)
			if err != nil {
				return usagef("--expires %q: use 1h, 12h, 1d, 5d, 1y, never, or an RFC 3339 time", expires)
			}
			ctx, err = app.Service.OperatorContext(ctx, workspace)
			if err != nil {
				return err
			}
			u, err := app.Service.UserByEmail(ctx, email)
			if err != nil {
				return err
			}
			k, err := app.Service.CreateAPIKey(ctx, u.ID, core.APIKeyInput{Name: &name, Scopes: strings.Split(set.String(), ","), Expiry: exp})
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, k.Secret)
			return nil
		})
}

func newSeed(getenv env, stdout, stderr io.Writer) *cobra.Command {
	var (
		workspace string
		plan      core.SeedPlan
		quiet     bool
	)
	cmd := adminCommandChecked(getenv, stderr, "seed", "Bulk-load a workspace with users, teams, collections and accounts; prints a JSON summary", cobra.NoArgs,
		func(cmd *cobra.Command) {
			f := cmd.Flags()
			f.StringVar(&workspace, "workspace", "", "workspace name; created, with an owner, if it does not exist (required)")
			f.IntVar(&plan.Users, "users", 1000, "members to add")
			f.IntVar(&plan.Teams, "teams", 100, "teams to add; each member joins one")
			f.IntVar(&plan.Collections, "collections", 200, "collections to add, each shared with a team")
			f.IntVar(&plan.Accounts, "accounts", 10000, "accounts to add, each with a password and some with a TOTP seed")
			f.IntVar(&plan.HeavyAccounts, "heavy-accounts", -1, "accounts owned by heavy@WORKSPACE.example, an admin (default a tenth of --accounts)")
			f.Uint64Var(&plan.Seed, "seed", 1, "seed of the generated names and sharing")
			f.BoolVar(&quiet, "quiet", false, "no progress on stderr")
			_ = cmd.MarkFlagRequired("workspace")
		},
		func() error {
			if plan.HeavyAccounts < 0 {
				plan.HeavyAccounts = plan.Accounts / 10
			}
			switch {
			case plan.Users < 1:
				return usagef("--users must be at least 1")
			case plan.Accounts < 0 || plan.Teams < 0 || plan.Collections < 0:
				return usagef("counts cannot be negative")
			case plan.HeavyAccounts > plan.Accounts:
				return usagef("--heavy-accounts cannot be more than --accounts")
			case plan.Collections > 0 && plan.Teams == 0:
				return usagef("collections are shared with teams: give --teams")
			}
			return nil
		},
		func(ctx context.Context, app *server.App, args []string) error {
			op, err := app.Service.OperatorContext(ctx, workspace)
			if latchkey.IsCode(err, latchkey.ENotFound) {
				if _, err = app.Service.CreateWorkspace(ctx, workspace, 0); err != nil {
					return err
				}
				if op, err = app.Service.OperatorContext(ctx, workspace); err != nil {
					return err
				}
				if _, err = app.Service.CreateUser(op, core.UserInput{Email: "owner@" + workspace + ".example", FirstName: "Owner",
					Role: latchkey.RoleOwner, Status: latchkey.UserLive}); err != nil {
					return err
				}
			}
			if err != nil {
				return err
			}
			if !quiet {
				last := time.Now()
				plan.Progress = func(stage string, done, total int) {
					if done == total || time.Since(last) > 2*time.Second {
						fmt.Fprintf(stderr, "seed: %s %d/%d\n", stage, done, total)
						last = time.Now()
					}
				}
			}
			res, err := app.Service.Seed(op, plan)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(res)
		})
	// Seeding a million accounts takes minutes, not the two the other
	// admin commands allow.
	cmd.Annotations = map[string]string{"timeout": "2h"}
	return cmd
}
