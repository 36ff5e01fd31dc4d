package webhook_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector/webhook"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name     string
		cfg      webhook.Config
		contains string // "" means New succeeds
	}{
		{"https", webhook.Config{URL: "https://app.example/latchkey", Secret: testSecret}, ""},
		{"http with a port and a query", webhook.Config{URL: "http://10.0.0.5:8080/hook?tenant=7", Secret: testSecret, Timeout: time.Second}, ""},
		{"own HTTP client", webhook.Config{URL: "https://app.example/hook", Secret: testSecret, HTTPClient: &http.Client{}}, ""},
		{"no URL", webhook.Config{Secret: testSecret}, "URL is required"},
		{"relative URL", webhook.Config{URL: "/latchkey", Secret: testSecret}, "absolute"},
		{"no scheme", webhook.Config{URL: "app.example/latchkey", Secret: testSecret}, "absolute"},
		{"other scheme", webhook.Config{URL: "ftp://app.example/latchkey", Secret: testSecret}, "https://"},
		{"no host", webhook.Config{URL: "https:///latchkey", Secret: testSecret}, "no host"},
		{"unparseable", webhook.Config{URL: "https://app.example/%zz", Secret: testSecret}, "does not parse"},
		{"credentials in the URL", webhook.Config{URL: "https://admin:hunter2@app.example/hook", Secret: testSecret}, "must not carry a user or password"},
		{"no secret", webhook.Config{URL: "https://app.example/hook"}, "at least 16 bytes"},
		{"short secret", webhook.Config{URL: "https://app.example/hook", Secret: []byte("fifteen-bytes!!")}, "at least 16 bytes"},
		{"negative timeout", webhook.Config{URL: "https://app.example/hook", Secret: testSecret, Timeout: -time.Second}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := webhook.New(tt.cfg)
			if tt.contains == "" {
				if err != nil || c == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("New succeeded")
			}
			if !errors.Is(err, webhook.ErrInvalidConfig) {
				t.Fatalf("error %v is not ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Fatalf("error %q does not say %q", err, tt.contains)
			}
			for _, s := range []string{"hunter2", string(tt.cfg.Secret)} {
				if s != "" && strings.Contains(err.Error(), s) {
					t.Fatalf("error %q repeats a secret", err)
				}
			}
		})
	}
}

func TestNewCopiesTheSecret(t *testing.T) {
	_, srv := newApp(t, 0, 0)
	secret := append([]byte(nil), testSecret...)
	c := newClient(t, srv.URL, secret, 0)
	secret[0] ^= 0xff // the caller reuses its buffer
	if _, err := c.Entitlements(testCtx(t)); err != nil {
		t.Fatalf("Entitlements after the caller changed its slice: %v", err)
	}
}

func TestSecretIsNeverPrinted(t *testing.T) {
	cfg := webhook.Config{URL: "https://app.example/hook", Secret: testSecret}
	c, err := webhook.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for name, v := range map[string]any{"Config": cfg, "*Config": &cfg, "Client": c} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, string(testSecret)) || strings.Contains(out, fmt.Sprint([]byte(testSecret))) {
				t.Errorf("fmt %s of %s prints the secret: %s", verb, name, out)
			}
		}
	}
}

func TestConfigFrom(t *testing.T) {
	cfg := webhook.ConfigFrom(latchkey.ConnectorConfig{
		Kind:          latchkey.ConnectorWebhook,
		URL:           "https://app.example/hook",
		SigningSecret: string(testSecret),
		Timeout:       3 * time.Second,
	})
	if cfg.URL != "https://app.example/hook" || string(cfg.Secret) != string(testSecret) || cfg.Timeout != 3*time.Second {
		t.Fatalf("ConfigFrom = %v", cfg)
	}
	if _, err := webhook.New(cfg); err != nil {
		t.Fatalf("New(ConfigFrom(…)): %v", err)
	}
}
