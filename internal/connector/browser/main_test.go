package browser

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"
)

// The Chromium tests share one browser process: each operation still gets
// a browser context of its own, so sharing changes nothing but the time.
var shared struct {
	once sync.Once
	b    *Browser
	err  error
}

// sharedBrowser starts the shared browser, or skips the test when the
// machine has no Chromium. CI greps for "Chromium test skipped".
func sharedBrowser(t *testing.T) *Browser {
	t.Helper()
	if _, err := FindExecPath(""); err != nil {
		t.Skipf("Chromium test skipped: %v", err)
	}
	shared.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		shared.b, shared.err = NewBrowser(ctx, BrowserOptions{})
	})
	if shared.err != nil {
		t.Fatalf("a Chromium binary is installed but would not start: %v", shared.err)
	}
	return shared.b
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.b != nil {
		shared.b.Close()
	}
	os.Exit(code)
}
