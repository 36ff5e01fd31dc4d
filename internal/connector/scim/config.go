package scim

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector"
)

const (
	// DefaultTimeout bounds one HTTP request when Config.Timeout is zero.
	DefaultTimeout = 15 * time.Second
	// DefaultPageSize is the count asked for on each list request when
	// Config.PageSize is zero. Service providers may return fewer; paging
	// follows what they return, not what was asked.
	DefaultPageSize = 100
)

// Config says where the SCIM service provider is and how to sign in to it.
type Config struct {
	// BaseURL is the service provider's SCIM base, e.g.
	// https://app.example.com/scim/v2; /Users and /Groups are relative to it.
	BaseURL string
	// Token is the bearer token. It is a secret: it goes in the
	// Authorization header and nowhere else.
	Token string
	// HTTPClient sends the requests; nil means a client of the package's
	// own. Its Timeout, if any, applies on top of Timeout below.
	HTTPClient *http.Client
	// Timeout bounds each request (not a whole operation, which may page
	// through many). Zero means DefaultTimeout.
	Timeout time.Duration
	// PageSize is the count asked for per list request. Zero means
	// DefaultPageSize.
	PageSize int
}

// ConfigFrom takes the SCIM settings out of an integration's connector
// configuration.
func ConfigFrom(cc latchkey.ConnectorConfig) Config {
	return Config{BaseURL: cc.URL, Token: cc.Token, Timeout: cc.Timeout}
}

// Client is a connector.Connector for one SCIM service provider. It is safe
// for concurrent use.
type Client struct {
	base     string // BaseURL without its trailing slash
	token    string
	http     *http.Client
	timeout  time.Duration
	pageSize int

	// noPatch remembers that the provider answered PATCH with 501 or 405,
	// so that later membership changes go straight to GET+PUT instead of
	// paying a refused request each time.
	noPatch atomic.Bool
}

var _ connector.Connector = (*Client)(nil)

// New checks cfg and returns a Client. It makes no request: a provider
// that is down or refuses the token is reported by the first operation.
func New(cfg Config) (*Client, error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Token == "" {
		return nil, errors.New("scim: the bearer token is empty")
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("scim: the timeout %v is negative", cfg.Timeout)
	}
	if cfg.PageSize < 0 {
		return nil, fmt.Errorf("scim: the page size %d is negative", cfg.PageSize)
	}
	c := &Client{
		base:     base,
		token:    cfg.Token,
		http:     cfg.HTTPClient,
		timeout:  cfg.Timeout,
		pageSize: cfg.PageSize,
	}
	if c.http == nil {
		// Not http.DefaultClient: its settings are global and anyone may
		// change them. Timeouts come from the per-request context.
		c.http = &http.Client{}
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.pageSize == 0 {
		c.pageSize = DefaultPageSize
	}
	return c, nil
}

// parseBaseURL accepts an absolute http or https URL and returns it without
// a trailing slash. Credentials, a query or a fragment in it are refused:
// the first would put a secret where errors and logs show URLs, and the
// others cannot survive appending /Users to the path.
func parseBaseURL(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", errors.New("scim: the base URL is empty; want an absolute http or https URL such as https://app.example.com/scim/v2")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("scim: the base URL is not a URL; want an absolute http or https URL such as https://app.example.com/scim/v2")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("scim: the base URL must start with http:// or https://, not %q", u.Scheme+":")
	case u.Host == "":
		return "", errors.New("scim: the base URL has no host; want an absolute URL such as https://app.example.com/scim/v2")
	case u.User != nil:
		return "", errors.New("scim: the base URL must not hold credentials; put the bearer token in Token")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", errors.New("scim: the base URL must not have a query or a fragment")
	}
	return strings.TrimRight(u.String(), "/"), nil
}
