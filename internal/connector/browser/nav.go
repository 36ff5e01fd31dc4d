package browser

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// settleGrace is how long a click is given to start a navigation. Form
// submissions start one at once; a click that starts none within this is
// taken as one that changes the page in place, and later steps wait for
// what they need.
const settleGrace = 400 * time.Millisecond

// loadFailure is a page that did not load: the application is down, slow,
// or answered with a server error. It becomes ApplicationUnavailable.
type loadFailure struct {
	status int64  // HTTP status, when one came back
	text   string // the browser's error text, such as net::ERR_CONNECTION_REFUSED
	cause  error
}

func (e *loadFailure) Error() string {
	switch {
	case e.status != 0:
		return fmt.Sprintf("the application answered HTTP %d", e.status)
	case e.text != "":
		return "the page did not load: " + e.text
	}
	return fmt.Sprintf("the page did not load: %v", e.cause)
}

func (e *loadFailure) Unwrap() error { return e.cause }

// navigate opens url and waits for it to load.
func navigate(ctx context.Context, url string) error {
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		var le *chromedp.LoadError
		if errors.As(err, &le) {
			return &loadFailure{text: le.ErrorText, cause: err}
		}
		return &loadFailure{cause: err}
	}
	if resp != nil && resp.Status >= 500 {
		return &loadFailure{status: resp.Status}
	}
	return nil
}

// navWatch follows the main frame around a click: whether a navigation
// started, whether it finished, and how the document's response went.
type navWatch struct {
	started chan struct{}
	stopped chan struct{}

	mu     sync.Mutex
	status int64
	failed string
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// watchNavigation starts listening before the action that may navigate.
// The listener runs in chromedp's read loop, so it only records.
func watchNavigation(ctx context.Context) (*navWatch, error) {
	tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		return nil, err
	}
	main := tree.FrameTree.Frame.ID
	w := &navWatch{started: make(chan struct{}, 1), stopped: make(chan struct{}, 1)}
	err = chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *page.EventFrameRequestedNavigation:
			if ev.FrameID == main {
				signal(w.started)
			}
		case *page.EventFrameStartedLoading:
			if ev.FrameID == main {
				signal(w.started)
			}
		case *page.EventFrameStoppedLoading:
			if ev.FrameID == main {
				signal(w.stopped)
			}
		case *network.EventResponseReceived:
			if ev.Type == network.ResourceTypeDocument && ev.FrameID == main && ev.Response != nil {
				w.mu.Lock()
				w.status = ev.Response.Status
				w.mu.Unlock()
			}
		case *network.EventLoadingFailed:
			if ev.Type == network.ResourceTypeDocument && !ev.Canceled {
				w.mu.Lock()
				w.failed = ev.ErrorText
				w.mu.Unlock()
			}
		}
	})
	return w, err
}

// settle waits for the navigation the action started, if any, to finish,
// and reports a failed load.
func (w *navWatch) settle(ctx context.Context) error {
	grace := time.NewTimer(settleGrace)
	defer grace.Stop()
	select {
	case <-w.started:
	case <-w.stopped: // a very fast load may report its end first
	case <-grace.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-w.stopped:
	case <-ctx.Done():
		return &loadFailure{cause: ctx.Err()}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.status >= 500:
		return &loadFailure{status: w.status}
	case w.failed != "":
		return &loadFailure{text: w.failed}
	}
	return nil
}
