package browser

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector"
)

// DefaultTimeout bounds each step when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Config sets up a Client.
type Config struct {
	// BaseURL is the application's address; recipe URLs are paths under
	// it.
	BaseURL string
	// Recipe is the recipe's JSON; see the package documentation.
	Recipe []byte
	// ExecPath is the browser binary; "" finds chromium, chromium-browser
	// or google-chrome on PATH. Unused when Browser is set.
	ExecPath string
	// Timeout bounds each step; a wait_for step's own timeout wins.
	// 0 means DefaultTimeout.
	Timeout time.Duration
	// Visible shows a browser window instead of running headless (the
	// default); for writing a recipe at a desktop. Unused when Browser is
	// set.
	Visible bool
	// Browser is a running browser to share with other clients. When nil
	// the client starts its own on first use and Close stops it.
	Browser *Browser
	// Logger receives a debug line per step (its name and timing, never a
	// value). nil logs nothing.
	Logger *slog.Logger
}

// Client is the browser connector for one integration: it signs in to the
// application's admin page and follows the recipe, in a fresh browser
// context for every operation.
type Client struct {
	base    *url.URL
	recipe  *Recipe
	timeout time.Duration
	log     *slog.Logger

	execPath string
	visible  bool
	shared   *Browser

	mu     sync.Mutex
	creds  connector.Credentials
	own    *Browser
	closed bool
}

var (
	_ connector.Connector       = (*Client)(nil)
	_ connector.PasswordChanger = (*Client)(nil)
)

// New checks the configuration and parses the recipe. It starts no
// browser: the first operation does, unless Config.Browser is shared.
func New(cfg Config, creds connector.Credentials) (*Client, error) {
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("browser: base URL %q must be an absolute http or https URL", cfg.BaseURL)
	}
	recipe, err := ParseRecipe(cfg.Recipe)
	if err != nil {
		return nil, fmt.Errorf("browser: %w", err)
	}
	c := &Client{
		base:    base,
		recipe:  recipe,
		timeout: cfg.Timeout,
		log:     logger(cfg.Logger),
		visible: cfg.Visible,
		shared:  cfg.Browser,
		creds:   creds,
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.shared == nil {
		// Learn now, not at the first job, that there is no browser.
		if c.execPath, err = FindExecPath(cfg.ExecPath); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Close stops the browser the client started, if any. A shared Browser is
// its owner's to close.
func (c *Client) Close() error {
	c.mu.Lock()
	own := c.own
	c.own, c.closed = nil, true
	c.mu.Unlock()
	if own != nil {
		return own.Close()
	}
	return nil
}

// browser returns the browser to run in, starting the client's own on
// first use or after the last one died.
func (c *Client) browser(ctx context.Context) (*Browser, error) {
	if c.shared != nil {
		return c.shared, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("browser: the client is closed")
	}
	if c.own != nil && c.own.alive() {
		return c.own, nil
	}
	b, err := NewBrowser(ctx, BrowserOptions{ExecPath: c.execPath, Visible: c.visible})
	if err != nil {
		return nil, err
	}
	c.own = b
	return b, nil
}

// resolve turns a recipe path into a URL under the base URL, refusing
// anything that would leave the application's origin.
func (c *Client) resolve(p string) (string, error) {
	u, err := url.Parse(strings.TrimRight(c.base.String(), "/") + "/" + strings.TrimLeft(p, "/"))
	if err != nil {
		return "", err
	}
	if u.Scheme != c.base.Scheme || u.Host != c.base.Host {
		return "", fmt.Errorf("%q leaves the application's origin", p)
	}
	return u.String(), nil
}

// operation is what one call asks for beyond the stored credentials.
type operation struct {
	proc        string
	plain       map[string]string // email, firstName, lastName, entitlement
	password    string            // overrides the stored one (change_password signs in with the current)
	newPassword string
}

// operate signs in and runs the operation's procedure in a new tab. It
// returns the run for the rows a listing collected.
func (c *Client) operate(ctx context.Context, op operation) (*run, error) {
	if !c.recipe.Has(op.proc) {
		return nil, connector.Errorf(latchkey.JobErrInternal, "the recipe has no %s procedure", op.proc)
	}
	c.mu.Lock()
	creds := c.creds
	c.mu.Unlock()
	if op.password != "" {
		creds.Password = op.password
	}
	if err := c.checkCredentials(creds); err != nil {
		return nil, err
	}

	b, err := c.browser(ctx)
	if err != nil {
		return nil, &connector.Error{Type: latchkey.JobErrInternal, Message: "the browser would not start", Temporary: true, Err: err}
	}
	tab, closeTab, err := b.newTab(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, connector.Unavailable(err, "the operation ran out of time before the browser opened a tab")
		}
		return nil, &connector.Error{Type: latchkey.JobErrInternal, Message: "the browser would not open a tab", Temporary: true, Err: err}
	}
	defer closeTab()

	r := &run{c: c, op: ctx, tab: tab, red: &redactor{}, hasTOTP: creds.TOTP != nil}
	r.red.add(creds.Password)
	r.red.add(op.newPassword)
	plain := map[string]string{phUsername: creds.Username}
	for k, v := range op.plain {
		plain[k] = v
	}
	r.vals = values{plain: plain, secrets: map[string]func() (string, error){
		phPassword:    func() (string, error) { return creds.Password, nil },
		phNewPassword: func() (string, error) { return op.newPassword, nil },
		phTOTP: func() (string, error) {
			if creds.TOTP == nil {
				return "", errors.New("the credentials have no TOTP seed")
			}
			code, err := creds.TOTP()
			r.red.add(code)
			return code, err
		},
	}}

	if err := r.procedure(procLogin); err != nil {
		return nil, err
	}
	if err := r.procedure(op.proc); err != nil {
		return nil, err
	}
	return r, nil
}

// checkCredentials fails early, with the type a person can act on, when
// the recipe needs a secret the credentials lack.
func (c *Client) checkCredentials(creds connector.Credentials) error {
	login := c.recipe.procs[procLogin]
	if uses(login, phPassword) && creds.Password == "" {
		return &connector.Error{Type: latchkey.JobErrEmptyPassword, Message: "the account has no password to sign in with", UserRequired: true}
	}
	if uses(login, phUsername) && creds.Username == "" {
		return connector.BadCredentials("the account has no username to sign in with")
	}
	// A {{totp}} step not marked "when": "totp" means the application
	// always asks for a code.
	for _, s := range login {
		if s.When == "" && mentions(s.Value, phTOTP) && creds.TOTP == nil {
			return &connector.Error{Type: latchkey.JobErrMFANotManaged, Message: "the application asks for a TOTP code and the account has no TOTP seed", UserRequired: true}
		}
	}
	return nil
}
