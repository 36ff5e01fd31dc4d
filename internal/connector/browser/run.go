package browser

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector"
)

// run is one operation: a tab, the values its placeholders expand to, and
// the rows its read_table steps have collected.
type run struct {
	c       *Client
	op      context.Context // the caller's: its end ends the run
	tab     context.Context // the chromedp tab
	vals    values
	red     *redactor
	hasTOTP bool
	rows    []map[string]string
}

// procedure runs the steps of one procedure in order, stopping at the
// first failure.
func (r *run) procedure(name string) error {
	for _, s := range r.c.recipe.procs[name] {
		if s.When == whenTOTP && !r.hasTOTP {
			continue
		}
		start := time.Now()
		err := r.step(s)
		r.c.log.Debug("browser connector step", "step", s.name, "took", time.Since(start).Round(time.Millisecond), "ok", err == nil)
		if err != nil {
			return err
		}
	}
	return nil
}

// step runs one step within its timeout. A failure because the caller's
// context ended says so, whatever the step was doing.
func (r *run) step(s recipeStep) error {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = r.c.timeout
	}
	ctx, cancel := context.WithTimeout(r.tab, timeout)
	defer cancel()
	err := r.do(ctx, s, timeout)
	if err != nil && r.op.Err() != nil {
		e := connector.Unavailable(r.op.Err(), "the operation ran out of time at step %s", s.name)
		e.Step = s.name
		return e
	}
	return err
}

func (r *run) do(ctx context.Context, s recipeStep, timeout time.Duration) error {
	switch s.Kind {
	case stepNavigate:
		return r.navigate(ctx, s)
	case stepFill:
		el, err := r.wait(ctx, s, timeout, false)
		if err != nil {
			return err
		}
		v, err := r.vals.expandValue(s.Value)
		if err != nil {
			return &connector.Error{Type: latchkey.JobErrBadCredentials, Message: "could not compute the TOTP code", UserRequired: true, Step: s.name, Err: r.sanitize(err)}
		}
		if err := el.fill(ctx, v); err != nil {
			return r.stepFailed(s, err, "could not type into %s", s.Selector)
		}
		return nil
	case stepClick:
		return r.click(ctx, s, timeout)
	case stepSelect:
		return r.choose(ctx, s, timeout)
	case stepWaitFor:
		_, err := r.waitText(ctx, s, timeout)
		return err
	case stepAssert:
		return r.assert(ctx, s)
	case stepFailIf:
		return r.failIf(ctx, s)
	case stepReadTable:
		return r.readTable(ctx, s, timeout)
	}
	return fmt.Errorf("browser: step kind %q has no implementation", s.Kind) // ParseRecipe lets none through
}

func (r *run) navigate(ctx context.Context, s recipeStep) error {
	u, err := r.c.resolve(r.vals.expand(s.URL, urlPath))
	if err != nil {
		return r.stepFailed(s, err, "the url is not valid")
	}
	if err := navigate(ctx, u); err != nil {
		return r.unavailable(s, err)
	}
	return nil
}

// wait finds the step's element, waiting for it up to the timeout.
func (r *run) wait(ctx context.Context, s recipeStep, timeout time.Duration, anyMatch bool) (*element, error) {
	sel := r.vals.expand(s.Selector, cssString)
	el, _, err := waitFind(ctx, sel, "", anyMatch)
	if err != nil {
		return nil, r.findFailed(s, timeout, err, "")
	}
	return el, nil
}

// waitText is wait_for: the element, and its text when the step has one.
func (r *run) waitText(ctx context.Context, s recipeStep, timeout time.Duration) (*element, error) {
	sel := r.vals.expand(s.Selector, cssString)
	text := r.vals.expand(s.Text, raw)
	el, last, err := waitFind(ctx, sel, text, false)
	if err != nil {
		return nil, r.findFailed(s, timeout, err, last)
	}
	return el, nil
}

func (r *run) findFailed(s recipeStep, timeout time.Duration, err error, lastText string) error {
	switch {
	case errors.Is(err, errBadSelector):
		return r.stepFailed(s, nil, "the selector %s is not valid CSS", s.Selector)
	case errors.Is(err, context.DeadlineExceeded) && lastText != "":
		return r.stepFailed(s, err, "%s never contained %q within %v; it says %q", s.Selector, s.Text, timeout, clip(lastText))
	case errors.Is(err, context.DeadlineExceeded):
		return r.stepFailed(s, err, "nothing matched %s within %v", s.Selector, timeout)
	}
	return r.stepFailed(s, err, "looking for %s failed", s.Selector)
}

func (r *run) click(ctx context.Context, s recipeStep, timeout time.Duration) error {
	el, err := r.wait(ctx, s, timeout, false)
	if err != nil {
		return err
	}
	// Listen before clicking, so the start of the navigation can't slip by.
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	w, err := watchNavigation(wctx)
	if err != nil {
		return r.stepFailed(s, err, "could not watch the page")
	}
	if err := el.click(ctx); err != nil {
		return r.stepFailed(s, err, "could not click %s", s.Selector)
	}
	if err := w.settle(ctx); err != nil {
		var lf *loadFailure
		if errors.As(err, &lf) {
			return r.unavailable(s, err)
		}
		return r.stepFailed(s, err, "the page did not settle after the click")
	}
	return nil
}

func (r *run) choose(ctx context.Context, s recipeStep, timeout time.Duration) error {
	// A styled select often hides the native element: any match will do.
	el, err := r.wait(ctx, s, timeout, true)
	if err != nil {
		return err
	}
	v := r.vals.expand(s.Value, raw)
	res, err := el.choose(ctx, v)
	if err != nil {
		return r.stepFailed(s, err, "could not choose in %s", s.Selector)
	}
	if res.OK {
		return nil
	}
	// The option list is the application's catalogue of roles: a missing
	// entitlement is the caller's mistake, not a broken recipe.
	if mentions(s.Value, phEntitlement) {
		e := connector.UnknownEntitlement(v)
		e.Step = s.name
		return e
	}
	return r.stepFailed(s, nil, "%s has no option %q (it has %s)", s.Selector, v, strings.Join(res.Options, ", "))
}

// assert checks the page as it is now: the element must be there and say
// the text.
func (r *run) assert(ctx context.Context, s recipeStep) error {
	sel := r.vals.expand(s.Selector, cssString)
	text := r.vals.expand(s.Text, raw)
	el, err := find(ctx, sel, false)
	if err != nil {
		return r.findFailed(s, 0, err, "")
	}
	if el == nil {
		return r.stepFailed(s, nil, "expected %s saying %q; there is none", s.Selector, text)
	}
	got, err := el.text(ctx)
	if err != nil {
		return r.stepFailed(s, err, "could not read %s", s.Selector)
	}
	if !containsFold(got, text) {
		return r.stepFailed(s, nil, "expected %s to say %q; it says %q", s.Selector, text, clip(got))
	}
	return nil
}

// failIf checks the page as it is now for a known failure.
func (r *run) failIf(ctx context.Context, s recipeStep) error {
	sel := r.vals.expand(s.Selector, cssString)
	el, err := find(ctx, sel, false)
	if err != nil {
		return r.findFailed(s, 0, err, "")
	}
	entitlement := r.vals.plain[phEntitlement]
	if s.Absent {
		if el != nil {
			return nil
		}
		e := failIfError(s.ErrorType, fmt.Sprintf("the page has no %s", s.Selector), entitlement)
		e.Step = s.name
		return e
	}
	if el == nil {
		return nil
	}
	got, err := el.text(ctx)
	if err != nil {
		return r.stepFailed(s, err, "could not read %s", s.Selector)
	}
	if !containsFold(got, r.vals.expand(s.Text, raw)) {
		return nil
	}
	e := failIfError(s.ErrorType, "the application says: "+r.red.redact(clip(got)), entitlement)
	e.Step = s.name
	return e
}

func (r *run) readTable(ctx context.Context, s recipeStep, timeout time.Duration) error {
	el, err := r.wait(ctx, s, timeout, false)
	if err != nil {
		return err
	}
	cols := make([]column, 0, len(s.Columns))
	for name, spec := range s.Columns {
		cols = append(cols, parseColumn(name, r.vals.expand(spec, cssString)))
	}
	rows, err := el.readTable(ctx, r.vals.expand(s.Rows, cssString), cols)
	if err != nil {
		return r.stepFailed(s, err, "could not read the table %s", s.Selector)
	}
	r.rows = append(r.rows, rows...)
	return nil
}

// screenshot captures the page for a failure report, with a short
// deadline of its own since the step's may be spent. It returns nil when
// the page cannot be captured.
func (r *run) screenshot() []byte {
	ctx, cancel := context.WithTimeout(r.tab, 5*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		r.c.log.Debug("browser connector: no screenshot", "err", r.red.redact(err.Error()))
		return nil
	}
	return png
}

// clip shortens page text quoted in a message.
func clip(s string) string {
	const max = 200
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

// logger is the client's logger, quiet unless one is configured.
func logger(l *slog.Logger) *slog.Logger {
	if l != nil {
		return l
	}
	return slog.New(slog.DiscardHandler)
}
