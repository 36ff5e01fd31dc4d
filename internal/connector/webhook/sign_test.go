package webhook_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey/internal/connector/webhook"
)

// The worked example in docs/connectors/webhook.md; if this fails, the
// page is wrong and application developers will be told so by their tests.
func TestSignDocumentedExample(t *testing.T) {
	secret := []byte("lk-example-secret-do-not-use")
	ts := time.Unix(1767225600, 0)
	body := []byte(`{"operation":"users.remove","id":"4F7QJ2MZ6XKWN3RB5TDYHPLCEA","data":{"email":"ada@example.com"}}`)
	const want = "v1=49dcdd0733855d377ebdcf9c6e799f8b89278355d46d5bdbffe21fb2837538c0"
	if got := webhook.Sign(secret, ts, body); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestSignDependsOnEveryInput(t *testing.T) {
	ts := time.Unix(1767225600, 0)
	body := []byte(`{"a":1}`)
	base := webhook.Sign(testSecret, ts, body)
	for name, got := range map[string]string{
		"secret":    webhook.Sign([]byte("another-secret-of-16+"), ts, body),
		"timestamp": webhook.Sign(testSecret, ts.Add(time.Second), body),
		"body":      webhook.Sign(testSecret, ts, []byte(`{"a":2}`)),
	} {
		if got == base {
			t.Errorf("changing the %s leaves the signature unchanged", name)
		}
	}
	// Sub-second precision is not on the wire, so it must not be signed.
	if got := webhook.Sign(testSecret, ts.Add(500*time.Millisecond), body); got != base {
		t.Errorf("a fraction of a second changed the signature")
	}
}

// signed builds a request as Latchkey sends it, signed at ts.
func signed(secret []byte, ts time.Time, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body))
	r.Header.Set(webhook.HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	r.Header.Set(webhook.HeaderSignature, webhook.Sign(secret, ts, []byte(body)))
	return r
}

func TestVerify(t *testing.T) {
	const body = `{"operation":"users.list","id":"abc","data":{}}`
	const maxSkew = 5 * time.Minute
	now := time.Now()

	tests := []struct {
		name    string
		secret  []byte // what the application holds; testSecret when nil
		request func() *http.Request
		want    error // nil: accepted
	}{
		{"valid", nil, func() *http.Request { return signed(testSecret, now, body) }, nil},
		{"within skew, behind", nil, func() *http.Request { return signed(testSecret, now.Add(-4*time.Minute), body) }, nil},
		{"within skew, ahead", nil, func() *http.Request { return signed(testSecret, now.Add(4*time.Minute), body) }, nil},
		{"too old", nil, func() *http.Request { return signed(testSecret, now.Add(-6*time.Minute), body) }, webhook.ErrBadTimestamp},
		{"too far ahead", nil, func() *http.Request { return signed(testSecret, now.Add(6*time.Minute), body) }, webhook.ErrBadTimestamp},
		{"absurd timestamp", nil, func() *http.Request {
			r := signed(testSecret, now, body)
			r.Header.Set(webhook.HeaderTimestamp, "999999999999")
			return r
		}, webhook.ErrBadTimestamp},
		{"tampered body", nil, func() *http.Request {
			r := signed(testSecret, now, body)
			r.Body = io.NopCloser(strings.NewReader(strings.Replace(body, "abc", "abd", 1)))
			return r
		}, webhook.ErrBadSignature},
		{"fresh timestamp on an old signature", nil, func() *http.Request {
			r := signed(testSecret, now.Add(-time.Hour), body)
			r.Header.Set(webhook.HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
			return r
		}, webhook.ErrBadSignature},
		{"wrong secret", []byte("the-application-has-another"), func() *http.Request { return signed(testSecret, now, body) }, webhook.ErrBadSignature},
		{"no timestamp header", nil, func() *http.Request {
			r := signed(testSecret, now, body)
			r.Header.Del(webhook.HeaderTimestamp)
			return r
		}, webhook.ErrMissingHeader},
		{"no signature header", nil, func() *http.Request {
			r := signed(testSecret, now, body)
			r.Header.Del(webhook.HeaderSignature)
			return r
		}, webhook.ErrMissingHeader},
		{"timestamp with a sign", nil, func() *http.Request {
			r := signed(testSecret, now, body)
			r.Header.Set(webhook.HeaderTimestamp, "+"+strconv.FormatInt(now.Unix(), 10))
			return r
		}, webhook.ErrBadTimestamp},
		{"timestamp in milliseconds", nil, func() *http.Request {
			r := signed(testSecret, now, body)
			r.Header.Set(webhook.HeaderTimestamp, strconv.FormatInt(now.UnixMilli(), 10))
			return r
		}, webhook.ErrBadTimestamp},
		{"signature not hex", nil, func() *http.Request {
			r := signed(testSecret, now, body)
			r.Header.Set(webhook.HeaderSignature, "v1=not-hex")
			return r
		}, webhook.ErrBadSignature},
		{"only an unknown scheme", nil, func() *http.Request {
			r := signed(testSecret, now, body)
			r.Header.Set(webhook.HeaderSignature, strings.Replace(r.Header.Get(webhook.HeaderSignature), "v1=", "v9=", 1))
			return r
		}, webhook.ErrBadSignature},
		{"second of several signatures matches", nil, func() *http.Request {
			r := signed(testSecret, now, body)
			r.Header.Set(webhook.HeaderSignature, "v2=abcd, v1=00ff, "+r.Header.Get(webhook.HeaderSignature))
			return r
		}, nil},
		{"secret too short", []byte("tiny"), func() *http.Request { return signed([]byte("tiny"), now, body) }, webhook.ErrWeakSecret},
		{"body too large", nil, func() *http.Request {
			return signed(testSecret, now, `{"x":"`+strings.Repeat("a", webhook.MaxBodyBytes)+`"}`)
		}, webhook.ErrBodyTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret := tt.secret
			if secret == nil {
				secret = testSecret
			}
			r := tt.request()
			got, err := webhook.Verify(secret, r, maxSkew)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if string(got) != body {
					t.Fatalf("Verify returned body %q, want %q", got, body)
				}
				// The handler behind Verify must still be able to read it.
				again, _ := io.ReadAll(r.Body)
				if string(again) != body {
					t.Fatalf("r.Body after Verify = %q, want %q", again, body)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify error = %v, want %v", err, tt.want)
			}
			if got != nil {
				t.Fatalf("Verify returned a body with an error")
			}
			if strings.Contains(err.Error(), string(secret)) {
				t.Fatalf("the error %q contains the secret", err)
			}
		})
	}
}

func TestVerifyDefaultSkew(t *testing.T) {
	const body = `{}`
	for _, tt := range []struct {
		age time.Duration
		ok  bool
	}{
		{webhook.DefaultMaxSkew - time.Minute, true},
		{webhook.DefaultMaxSkew + time.Minute, false},
		{-webhook.DefaultMaxSkew - time.Minute, false},
	} {
		t.Run(tt.age.String(), func(t *testing.T) {
			_, err := webhook.Verify(testSecret, signed(testSecret, time.Now().Add(-tt.age), body), 0)
			if (err == nil) != tt.ok {
				t.Fatalf("Verify with maxSkew 0 of a request %s old: %v, want ok=%v", tt.age, err, tt.ok)
			}
		})
	}
}
