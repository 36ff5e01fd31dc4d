package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/latchkeyhq/latchkey/internal/sampleapp"
)

// newSampleApp runs the sample disconnected application on its own, for
// trying the browser connector against something without an API.
func newSampleApp(getenv env, stdout io.Writer) *cobra.Command {
	var (
		addr, username, password, totpSecret string
		seats                                int
	)
	cmd := &cobra.Command{
		Use:   "sample-app",
		Short: "Run the sample disconnected application (a login form with TOTP and a user-admin page, no API)",
		Long: `Run the sample disconnected application: a tiny web application with a login
form (password, then a TOTP code when --totp-secret is set), a user-admin page
and a seat limit, and no API at all. Latchkey's browser connector provisions
people into it with the recipe in internal/connector/browser/recipes.

It prints "sample app listening on http://HOST:PORT" once it accepts
connections. Its users live in memory. serve --demo runs one by itself.`,
		Example: "  latchkey sample-app --password 'correct horse battery' --totp-secret JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := bindEnv(cmd, getenv, map[string]string{"password": "LATCHKEY_SAMPLE_APP_PASSWORD"}); err != nil {
				return err
			}
			if password == "" {
				return usagef("--password (or LATCHKEY_SAMPLE_APP_PASSWORD) is required")
			}
			app, err := sampleapp.New(sampleapp.Config{AdminUsername: username, AdminPassword: password, TOTPSecret: totpSecret, Seats: seats})
			if err != nil {
				return usagef("%v", err)
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", addr, err)
			}
			srv := &http.Server{Handler: app, ReadHeaderTimeout: 10 * time.Second}
			served := make(chan error, 1)
			go func() { served <- srv.Serve(ln) }()
			fmt.Fprintf(stdout, "sample app listening on http://%s (admin %s)\n", ln.Addr(), username)
			select {
			case err := <-served:
				return err
			case <-cmd.Context().Done():
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				return err
			}
			if err := <-served; !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8090", "listen address; :0 picks a free port")
	f.StringVar(&username, "username", "admin@sample-app.example", "the admin's username")
	f.StringVar(&password, "password", "", "the admin's password (env LATCHKEY_SAMPLE_APP_PASSWORD)")
	f.StringVar(&totpSecret, "totp-secret", "", "the admin's base32 TOTP seed; empty turns the second factor off")
	f.IntVar(&seats, "seats", 10, "seats in the plan; 0 is unlimited")
	return cmd
}
