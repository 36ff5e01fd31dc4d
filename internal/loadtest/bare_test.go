package loadtest

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestBareBodyIsAbout5KBOfJSON(t *testing.T) {
	if n := len(BareBody); n < 5<<10 || n > 6<<10 {
		t.Errorf("BareBody is %d bytes, want about 5 KB", n)
	}
	if !json.Valid(BareBody) {
		t.Error("BareBody is not valid JSON")
	}
}

func TestBareHandlerAnswersEveryPath(t *testing.T) {
	for _, path := range []string{"/", "/api/v1/accounts/x", "/anything?q=1"} {
		t.Run(path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			BareHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != http.StatusOK || rec.Body.String() != string(BareBody) {
				t.Errorf("got %d and %d bytes, want 200 and BareBody", rec.Code, rec.Body.Len())
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

func TestServeBareStopsWhenStdinCloses(t *testing.T) {
	stdinR, stdinW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- ServeBare(context.Background(), "127.0.0.1:0", stdinR, outW) }()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	base, ok := strings.CutPrefix(strings.TrimSpace(line), BareListening)
	if !ok {
		t.Fatalf("first line %q, want %q…", line, BareListening)
	}
	resp, err := http.Get(base + "/x")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(body) != len(BareBody) {
		t.Errorf("got %d bytes, want %d", len(body), len(BareBody))
	}
	stdinW.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ServeBare: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ServeBare ran on after stdin closed")
	}
}
