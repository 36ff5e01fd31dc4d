package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// BareListening starts the line the bare server prints once it accepts
// connections, like the latchkey server's.
const BareListening = "bare listening on "

// bareBodySize is the size of PERFORMANCE.md's "fixed 5 KB JSON".
const bareBodySize = 5 << 10

// BareBody is the bare server's answer: a page of account-like objects,
// about 5 KB, encoded once, so the baseline costs only HTTP.
var BareBody = func() []byte {
	type attrs struct {
		Application string   `json:"application"`
		Label       string   `json:"label"`
		Username    string   `json:"username"`
		Status      string   `json:"status"`
		HasTOTP     bool     `json:"hasTotp"`
		MFATypes    []string `json:"mfaTypes"`
		VaultID     string   `json:"vaultId"`
		CreatedAt   string   `json:"createdAt"`
		UpdatedAt   string   `json:"updatedAt"`
		Workspace   string   `json:"workspace"`
	}
	type item struct {
		ID         string `json:"id"`
		Type       string `json:"type"`
		Attributes attrs  `json:"attributes"`
	}
	var page struct {
		Data []item `json:"data"`
		Meta struct {
			Page struct {
				MaxSize int `json:"maxSize"`
				Total   int `json:"total"`
			} `json:"page"`
		} `json:"meta"`
	}
	for i := 0; ; i++ {
		page.Data = append(page.Data, item{
			ID: fmt.Sprintf("01a2092d-52aa-7535-9d03-%012d", i), Type: "account",
			Attributes: attrs{Application: "twitter", Label: "twitter " + strconv.Itoa(i), Username: "acct" + strconv.Itoa(i),
				Status: "enabled", HasTOTP: true, MFATypes: []string{"otp"}, VaultID: "01a2092d-52a6-7837-a1ab-b963e301c244",
				CreatedAt: "2026-01-01T00:00:00+00:00", UpdatedAt: "2026-01-01T00:00:00+00:00", Workspace: "bench"},
		})
		page.Meta.Page.MaxSize, page.Meta.Page.Total = 100, len(page.Data)
		b, err := json.Marshal(page)
		if err != nil {
			panic(err)
		}
		if len(b) >= bareBodySize {
			return b
		}
	}
}()

// BareHandler answers every request with BareBody: PERFORMANCE.md's
// ceiling, "bare net/http, fixed 5 KB JSON, pre-encoded".
func BareHandler() http.Handler {
	length := strconv.Itoa(len(BareBody))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", length)
		_, _ = w.Write(BareBody)
	})
}

// ServeBare serves BareHandler on addr, prints BareListening and the base
// URL to stdout, and serves until ctx ends or stdin closes: the harness
// holds stdin open, so a harness that dies takes the bare server with it.
func ServeBare(ctx context.Context, addr string, stdin io.Reader, stdout io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if stdin != nil {
		go func() {
			_, _ = io.Copy(io.Discard, stdin)
			cancel()
		}()
	}
	srv := &http.Server{Handler: BareHandler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "%shttp://%s\n", BareListening, ln.Addr())
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	stop, cancelStop := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelStop()
	if err := srv.Shutdown(stop); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
