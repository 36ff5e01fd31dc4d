package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
)

// ErrNoBrowser means no Chromium binary was found or it would not start.
var ErrNoBrowser = errors.New("browser: no Chromium or Chrome binary found")

// execNames are the binaries looked up on PATH, in order, when no path is
// configured.
var execNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless-shell"}

// FindExecPath returns the browser binary to run: path itself when it is
// set (it must exist), otherwise the first of chromium, chromium-browser,
// google-chrome… found on PATH.
func FindExecPath(path string) (string, error) {
	if path != "" {
		found, err := exec.LookPath(path)
		if err != nil {
			return "", fmt.Errorf("%w: %s: %v", ErrNoBrowser, path, err)
		}
		return found, nil
	}
	for _, name := range execNames {
		if found, err := exec.LookPath(name); err == nil {
			return found, nil
		}
	}
	return "", fmt.Errorf("%w on PATH (looked for %s); install Chromium (Debian: apt-get install chromium) or set the exec path",
		ErrNoBrowser, strings.Join(execNames, ", "))
}

// BrowserOptions start a Browser.
type BrowserOptions struct {
	ExecPath string // "" finds one on PATH
	// Visible shows a window instead of running headless; for writing a
	// recipe at a desktop, never for a server.
	Visible bool
	// StartTimeout bounds the start of the process; 0 means 30 s.
	StartTimeout time.Duration
}

// Browser is one running Chromium process. Clients share it: every
// operation opens its own browser context in it (a separate cookie jar, as
// an incognito window), so operations neither see each other's sessions
// nor pay for a process start. A client that owns its browser starts a
// new one when the last has died; a shared one is its owner's to replace.
type Browser struct {
	ctx    context.Context // the chromedp context that owns the process
	cancel context.CancelFunc
	once   sync.Once
}

// NewBrowser starts Chromium. ctx bounds the start only; Close stops the
// process.
func NewBrowser(ctx context.Context, o BrowserOptions) (*Browser, error) {
	path, err := FindExecPath(o.ExecPath)
	if err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.WindowSize(1280, 900),
	)
	// Chromium refuses to start its sandbox as root, which is how
	// containers and CI usually run it; elsewhere the sandbox stays on.
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	if o.Visible {
		opts = append(opts, chromedp.VisibleWindow)
	}
	// The process must outlive ctx, so it hangs off Background; ctx only
	// bounds the wait for it to answer.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	cancel := func() { cancelBrowser(); cancelAlloc() }

	timeout := o.StartTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(bctx) }() // the first Do starts the process
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err = <-started:
	case <-timer.C:
		err = fmt.Errorf("no answer within %v", timeout)
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		cancel()
		return nil, fmt.Errorf("%w: %s would not start: %v", ErrNoBrowser, path, err)
	}
	return &Browser{ctx: bctx, cancel: cancel}, nil
}

// Close stops the browser process and waits for it to exit.
func (b *Browser) Close() error {
	b.once.Do(b.cancel)
	return nil
}

// alive reports whether the process can still be used.
func (b *Browser) alive() bool { return b.ctx.Err() == nil }

// newTab opens a tab in a fresh browser context. The tab closes when ctx
// ends or when the returned func is called, whichever comes first.
func (b *Browser) newTab(ctx context.Context) (context.Context, context.CancelFunc, error) {
	tab, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	stop := context.AfterFunc(ctx, cancel)
	closeTab := func() { stop(); cancel() }
	if err := chromedp.Do(tab); err != nil {
		closeTab()
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, fmt.Errorf("opening a tab: %w", err)
	}
	return tab, closeTab, nil
}
