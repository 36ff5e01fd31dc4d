package webhook

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// DefaultTimeout bounds one call when Config.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// ErrInvalidConfig is wrapped by every error New returns.
var ErrInvalidConfig = errors.New("webhook: invalid configuration")

// Config says where the application's webhook endpoint is and how to sign
// calls to it.
type Config struct {
	// URL is the one endpoint every operation is POSTed to: absolute,
	// http or https, without user:password (the signature is the
	// credential). https is strongly advised: the signature protects the
	// body from tampering, not from being read, and bodies carry emails.
	URL string
	// Secret is the HMAC key shared with the application, used as raw
	// bytes; at least MinSecretLen of them. It is copied by New and never
	// appears in an error, a log line or fmt output of Config or Client.
	Secret []byte
	// HTTPClient sends the calls; nil means a client on
	// http.DefaultTransport. Its CheckRedirect is replaced either way:
	// redirects are never followed (see Client).
	HTTPClient *http.Client
	// Timeout bounds each call, including reading the answer; each page
	// of users.list is a call of its own. Zero means DefaultTimeout.
	Timeout time.Duration
}

// String keeps the secret out of logs that print a Config with %v or %+v.
func (c Config) String() string {
	return fmt.Sprintf("webhook.Config{URL: %q, Secret: [redacted], Timeout: %s}", c.URL, c.Timeout)
}

// GoString does the same for %#v.
func (c Config) GoString() string { return c.String() }

// ConfigFrom takes what a webhook integration stores: its URL, signing
// secret (used as its UTF-8 bytes, the way an application developer pastes
// it) and timeout. The HTTP client is left to New's default.
func ConfigFrom(cc latchkey.ConnectorConfig) Config {
	return Config{URL: cc.URL, Secret: []byte(cc.SigningSecret), Timeout: cc.Timeout}
}

// New checks cfg and returns a client for it. The returned error wraps
// ErrInvalidConfig and says which field is wrong.
func New(cfg Config) (*Client, error) {
	u, err := checkURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if len(cfg.Secret) < MinSecretLen {
		return nil, fmt.Errorf("%w: the signing secret must be at least %d bytes", ErrInvalidConfig, MinSecretLen)
	}
	timeout := cfg.Timeout
	switch {
	case timeout < 0:
		return nil, fmt.Errorf("%w: the timeout %s is negative", ErrInvalidConfig, timeout)
	case timeout == 0:
		timeout = DefaultTimeout
	}

	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		copied := *cfg.HTTPClient // shallow: the transport and its connections stay shared
		hc = &copied
	}
	// A redirect either turns the POST into a GET (301, 302, 303) or sends
	// the signed body on to wherever the Location points (307, 308).
	// Neither is what the configured URL promised, so the redirect comes
	// back as an answer and is reported.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	return &Client{
		url:     u.String(),
		host:    u.Host,
		secret:  append([]byte(nil), cfg.Secret...),
		http:    hc,
		timeout: timeout,
	}, nil
}

func checkURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("%w: the URL is required", ErrInvalidConfig)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the whole URL, user:password included when
		// someone put one there; the cause alone is enough.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%w: the URL does not parse: %v", ErrInvalidConfig, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: the URL must be absolute and start with https:// or http://", ErrInvalidConfig)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%w: the URL has no host", ErrInvalidConfig)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: the URL must not carry a user or password; calls are authenticated by their signature", ErrInvalidConfig)
	}
	return u, nil
}
