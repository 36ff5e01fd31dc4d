package jobs

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector"
	"github.com/latchkeyhq/latchkey/internal/connector/browser"
	"github.com/latchkeyhq/latchkey/internal/connector/noop"
	"github.com/latchkeyhq/latchkey/internal/connector/scim"
	"github.com/latchkeyhq/latchkey/internal/connector/webhook"
)

// Connect returns the connector an integration's configuration names.
// creds is the integration's admin login, for connectors that sign in as
// a person. Browser connectors share one Chromium per process, started on
// first use and stopped with the queue.
func (q *Queue) Connect(cfg latchkey.ConnectorConfig, creds connector.Credentials) (connector.Connector, error) {
	switch cfg.Kind {
	case latchkey.ConnectorNoop:
		return noop.Connector{}, nil
	case latchkey.ConnectorSCIM:
		return scim.New(scim.ConfigFrom(cfg))
	case latchkey.ConnectorWebhook:
		return webhook.New(webhook.ConfigFrom(cfg))
	case latchkey.ConnectorBrowser:
		b, err := q.browsers.get()
		if err != nil {
			return nil, err
		}
		return browser.New(browser.Config{BaseURL: cfg.URL, Recipe: cfg.Recipe, Timeout: cfg.Timeout, Browser: b, Logger: q.cfg.Logger}, creds)
	default:
		return nil, fmt.Errorf("no connector of kind %q", cfg.Kind)
	}
}

// sharedBrowser is the process's Chromium: starting one costs about a
// second, a browser context per job a few milliseconds.
type sharedBrowser struct {
	mu sync.Mutex
	b  *browser.Browser
}

func (s *sharedBrowser) get() (*browser.Browser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b != nil {
		return s.b, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := browser.NewBrowser(ctx, browser.BrowserOptions{})
	if err != nil {
		return nil, fmt.Errorf("start Chromium for the browser connector: %w", err)
	}
	s.b = b
	return b, nil
}

func (s *sharedBrowser) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b == nil {
		return nil
	}
	err := s.b.Close()
	s.b = nil
	return err
}
