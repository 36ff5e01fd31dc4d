package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector"
	"github.com/latchkeyhq/latchkey/internal/connector/webhook"
)

// verified wraps a handler so that it only sees calls that pass Verify,
// as a real application's would.
func verified(t *testing.T, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := webhook.Verify(testSecret, r, time.Minute); err != nil {
			t.Errorf("the connector sent a call that does not verify: %v", err)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		h(w, r)
	}
}

func respond(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

func TestUnavailable(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	tests := []struct {
		name    string
		handler http.HandlerFunc // nil: use closedURL
		wantErr error            // also matched with errors.Is, when set
	}{
		{name: "application down"},
		{
			name: "slower than the timeout",
			handler: func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
			},
			wantErr: context.DeadlineExceeded,
		},
		{name: "500", handler: respond(http.StatusInternalServerError, "text/plain", "boom")},
		{name: "502 from a proxy", handler: respond(http.StatusBadGateway, "text/html", "<html><h1>Bad Gateway</h1></html>")},
		{name: "503 with an error", handler: respond(http.StatusServiceUnavailable, "application/json", `{"error":{"type":"Maintenance","message":"back at 10:00"}}`)},
		{name: "500 calling itself InternalError", handler: respond(http.StatusInternalServerError, "application/json", `{"error":{"type":"InternalError","message":"nil pointer"}}`)},
		{name: "429", handler: respond(http.StatusTooManyRequests, "", "")},
		{name: "ApplicationUnavailable type", handler: respond(http.StatusBadRequest, "application/json", `{"error":{"type":"ApplicationUnavailable","message":"database migrating"}}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := closedURL
			if tt.handler != nil {
				srv := httptest.NewServer(verified(t, tt.handler))
				t.Cleanup(srv.Close)
				url = srv.URL
			}
			c := newClient(t, url, testSecret, 200*time.Millisecond)

			start := time.Now()
			_, err := c.Invite(testCtx(t), invite("ada@example.com", "MEMBER"))
			if elapsed := time.Since(start); elapsed > 3*time.Second {
				t.Fatalf("Invite took %s with a 200ms timeout", elapsed)
			}
			ce := connErr(t, err)
			if ce.Type != latchkey.JobErrApplicationUnavailable || !ce.Temporary || ce.UserRequired {
				t.Fatalf("error = %+v, want ApplicationUnavailable, Temporary", ce)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v is not %v", err, tt.wantErr)
			}
		})
	}
}

// TestAnswers covers how answers the test application above never gives
// are read: statuses without a body, bodies that are not the protocol's,
// and the application's own error types.
func TestAnswers(t *testing.T) {
	remove := func(ctx context.Context, c *webhook.Client) error { return c.Remove(ctx, "ada@example.com") }
	set := func(ctx context.Context, c *webhook.Client) error {
		return c.SetEntitlements(ctx, "ada@example.com", []string{"MEMBER"})
	}
	inv := func(ctx context.Context, c *webhook.Client) error {
		_, err := c.Invite(ctx, invite("ada@example.com", "MEMBER"))
		return err
	}
	list := func(ctx context.Context, c *webhook.Client) error { _, err := c.Users(ctx); return err }
	ents := func(ctx context.Context, c *webhook.Client) error { _, err := c.Entitlements(ctx); return err }

	// want describes the error expected; a zero want means success.
	type want struct {
		typ          string
		is           error
		userRequired bool
		contains     string
	}
	longMessage := strings.Repeat("é", 1000)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		op      func(context.Context, *webhook.Client) error
		want    want
	}{
		{"remove: bare 404", respond(http.StatusNotFound, "", ""), remove, want{}},
		{"remove: 404 from a web server, not the application", respond(http.StatusNotFound, "text/html", "<h1>404 Not Found</h1>"), remove,
			want{typ: latchkey.JobErrApplicationUnavailable, userRequired: true, contains: "HTTP 404"}},
		{"set: bare 404", respond(http.StatusNotFound, "", ""), set, want{typ: latchkey.JobErrUserNotFound, is: connector.ErrUserNotFound}},
		{"set: UserNotFound with 400", respond(http.StatusBadRequest, "application/json", `{"error":{"type":"UserNotFound"}}`), set,
			want{typ: latchkey.JobErrUserNotFound, is: connector.ErrUserNotFound}},
		{"invite: bare 409", respond(http.StatusConflict, "", ""), inv, want{typ: latchkey.JobErrUserAlreadyExists, is: connector.ErrUserExists}},
		{"remove: 409 is not a user that exists", respond(http.StatusConflict, "application/json", `{"error":{"type":"LastOwner","message":"cannot remove the last owner"}}`), remove,
			want{typ: "LastOwner", contains: "cannot remove the last owner"}},
		{"invite: 204 without the user", respond(http.StatusNoContent, "", ""), inv, want{}},
		{"set: 200 with any body", respond(http.StatusOK, "text/plain", "ok"), set, want{}},
		{"403 with a vocabulary type", respond(http.StatusForbidden, "application/json", `{"error":{"type":"UnderpermissionedAccount","message":"needs the admin scope"}}`), ents,
			want{typ: latchkey.JobErrUnderpermissionedAccount, userRequired: true, contains: "needs the admin scope"}},
		{"403 with a type of its own", respond(http.StatusForbidden, "application/json", `{"error":{"type":"Forbidden"}}`), ents,
			want{typ: latchkey.JobErrBadCredentials, userRequired: true, contains: "HTTP 403"}},
		{"unknown entitlement without a key", respond(http.StatusUnprocessableEntity, "application/json", `{"error":{"type":"UnknownEntitlement","message":"role GOD does not exist"}}`), set,
			want{typ: latchkey.JobErrUnknownEntitlement, contains: "role GOD does not exist"}},
		{"type of its own passes through, message truncated", respond(http.StatusUnprocessableEntity, "application/json", `{"error":{"type":"PlanLimitReached","message":"`+longMessage+`"}}`), inv,
			want{typ: "PlanLimitReached"}},
		{"type that is not an identifier is ignored", respond(http.StatusBadRequest, "application/json", `{"error":{"type":"bad type!","message":"nope"}}`), inv,
			want{typ: latchkey.JobErrApplicationUnavailable, userRequired: true, contains: "HTTP 400: nope"}},
		{"unparseable 400", respond(http.StatusBadRequest, "text/plain", "Bad Request"), inv,
			want{typ: latchkey.JobErrApplicationUnavailable, userRequired: true, contains: `HTTP 400 and a body that is not a webhook error (Content-Type "text/plain"): Bad Request`}},
		{"unparseable 200", respond(http.StatusOK, "text/html", "<html>Sign in</html>"), list,
			want{typ: latchkey.JobErrApplicationUnavailable, userRequired: true, contains: "HTTP 200"}},
		{"200 with another operation's answer", respond(http.StatusOK, "application/json", `{"users":[]}`), ents,
			want{typ: latchkey.JobErrApplicationUnavailable, userRequired: true, contains: `no "entitlements" array`}},
		{"users without an email", respond(http.StatusOK, "application/json", `{"users":[{"firstName":"Ada"}]}`), list,
			want{typ: latchkey.JobErrApplicationUnavailable, userRequired: true, contains: "no email"}},
		{"a cursor that loops", respond(http.StatusOK, "application/json", `{"users":[{"email":"a@example.com"}],"next":"same"}`), list,
			want{typ: latchkey.JobErrApplicationUnavailable, userRequired: true, contains: "cursor already followed"}},
		{"entitlement group unknown", respond(http.StatusOK, "application/json", `{"entitlements":[{"key":"A","group":"tertiary"}]}`), ents,
			want{typ: latchkey.JobErrApplicationUnavailable, userRequired: true, contains: `group "tertiary"`}},
		{"the application echoes the secret", respond(http.StatusBadRequest, "application/json", `{"error":{"type":"Misconfigured","message":"expected key `+string(testSecret)+`"}}`), inv,
			want{typ: "Misconfigured", contains: "expected key [redacted]"}},
		{"a redirect is not followed", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.example/hook", http.StatusTemporaryRedirect)
		}, remove, want{typ: latchkey.JobErrApplicationUnavailable, userRequired: true, contains: `HTTP 307, a redirect to "https://elsewhere.example/hook"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(verified(t, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				tt.handler(w, r)
			}))
			t.Cleanup(srv.Close)
			c := newClient(t, srv.URL, testSecret, 0)

			err := tt.op(testCtx(t), c)
			if tt.want == (want{}) {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			ce := connErr(t, err)
			if ce.Type != tt.want.typ || ce.UserRequired != tt.want.userRequired || ce.Temporary {
				t.Fatalf("error = %+v, want Type %q, UserRequired %v, not Temporary", ce, tt.want.typ, tt.want.userRequired)
			}
			if tt.want.is != nil && !errors.Is(err, tt.want.is) {
				t.Fatalf("error %v is not %v", err, tt.want.is)
			}
			if !strings.Contains(ce.Message, tt.want.contains) {
				t.Fatalf("Message %q does not contain %q", ce.Message, tt.want.contains)
			}
			if n := utf8.RuneCountInString(ce.Message); n > 300+200 { // 300 of the application's, the rest ours
				t.Fatalf("Message is %d characters long", n)
			}
			if ce.Type == "PlanLimitReached" && utf8.RuneCountInString(ce.Message) != 300 {
				t.Fatalf("the application's message was cut to %d characters, want 300", utf8.RuneCountInString(ce.Message))
			}
			if strings.Contains(err.Error(), string(testSecret)) {
				t.Fatalf("the error %q contains the secret", err)
			}
			if n := calls.Load(); n < 1 {
				t.Fatalf("the application saw %d calls", n)
			}
		})
	}
}
