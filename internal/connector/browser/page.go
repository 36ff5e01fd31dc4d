package browser

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The page helpers find elements and act on them with small JavaScript
// functions. Values (a typed password, an option to pick) travel as call
// arguments, never spliced into the code, so they cannot break out of a
// string nor show up in an exception's source text.

// pollInterval is how often a wait looks at the page again. Fast enough
// that a recipe does not feel slow, slow enough to leave the page alone.
const pollInterval = 100 * time.Millisecond

// errBadSelector is a selector the browser cannot parse: a recipe bug,
// reported at once rather than after the timeout.
var errBadSelector = errors.New("not a valid CSS selector")

// visibleJS is shared by the finders: an element counts when it takes up
// space and is not hidden, which keeps the hidden templates and error
// containers many pages carry from matching.
const visibleJS = `const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length) && getComputedStyle(el).visibility !== 'hidden';`

// element is a handle to a DOM element in the page.
type element struct{ obj *runtime.RemoteObject }

// find returns the first visible element matching sel, or the first at all
// when anyMatch is set, or nil when there is none yet.
func find(ctx context.Context, sel string, anyMatch bool) (*element, error) {
	selJSON, err := json.Marshal(sel)
	if err != nil {
		return nil, err
	}
	anyJSON := "false"
	if anyMatch {
		anyJSON = "true"
	}
	expr := `(() => { ` + visibleJS + `
		const all = document.querySelectorAll(` + string(selJSON) + `);
		for (const el of all) if (visible(el)) return el;
		return ` + anyJSON + ` && all.length ? all[0] : null;
	})()`
	obj, err := chromedp.Run(ctx, chromedp.Evaluate[*runtime.RemoteObject](expr))
	if err != nil {
		var ex *chromedp.ExceptionError
		if errors.As(err, &ex) && strings.Contains(ex.Error(), "not a valid selector") {
			return nil, errBadSelector
		}
		return nil, err
	}
	if obj == nil || obj.ObjectID == "" {
		return nil, nil
	}
	return &element{obj: obj}, nil
}

// waitFind polls until find succeeds and, when text is set, the element's
// text contains it. On timeout it returns ctx's error and the text last
// seen, for the message.
func waitFind(ctx context.Context, sel, text string, anyMatch bool) (el *element, lastText string, err error) {
	for {
		el, err = find(ctx, sel, anyMatch)
		switch {
		case errors.Is(err, errBadSelector):
			return nil, "", err
		case err == nil && el != nil && text == "":
			return el, "", nil
		case err == nil && el != nil:
			t, terr := el.text(ctx)
			if terr == nil {
				lastText = t
				if containsFold(t, text) {
					return el, t, nil
				}
			}
		}
		// Other errors are the page changing under us (a navigation
		// destroys the context the query ran in): look again.
		select {
		case <-ctx.Done():
			return nil, lastText, ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}

// boxed carries a string argument inside an object. cdproto tags a call
// argument's value omitempty, and encoding/json/v2 counts the JSON string
// "" as empty, so a bare empty string would reach the function as
// undefined (an empty last name typed as "undefined").
type boxed struct {
	V string `json:"v"`
}

// call runs the JavaScript function fn with the element as this.
func call[T any](ctx context.Context, el *element, fn string, args ...any) (T, error) {
	return chromedp.Run(ctx, chromedp.CallFunctionOn[T](fn, func(p *runtime.CallFunctionOnParams) {
		p.ObjectID = el.obj.ObjectID
	}, args...))
}

// text is the element's text as a person reads it, whitespace collapsed.
func (el *element) text(ctx context.Context) (string, error) {
	return call[string](ctx, el, `function() { return (this.innerText || this.textContent || '').replace(/\s+/g, ' ').trim(); }`)
}

// fill types a value into a field the way frameworks notice: through the
// native value setter (React tracks the property, not the attribute), then
// input and change events.
func (el *element) fill(ctx context.Context, value string) error {
	_, err := call[chromedp.Void](ctx, el, `function(arg) {
		const v = arg.v;
		this.focus();
		const proto = Object.getPrototypeOf(this);
		const desc = Object.getOwnPropertyDescriptor(proto, 'value');
		if (desc && desc.set) desc.set.call(this, v); else this.value = v;
		this.dispatchEvent(new Event('input', { bubbles: true }));
		this.dispatchEvent(new Event('change', { bubbles: true }));
	}`, boxed{value})
	return err
}

// selectResult says whether an option matched and which options exist.
type selectResult struct {
	OK      bool     `json:"ok"`
	Options []string `json:"options"`
}

// choose picks the option whose value is v, or failing that whose label
// is v ignoring case.
func (el *element) choose(ctx context.Context, v string) (selectResult, error) {
	return call[selectResult](ctx, el, `function(arg) {
		const v = arg.v;
		const opts = Array.from(this.options || []);
		const norm = s => s.replace(/\s+/g, ' ').trim().toLowerCase();
		const o = opts.find(o => o.value === v) || opts.find(o => norm(o.textContent) === norm(v));
		if (!o) return { ok: false, options: opts.map(o => o.value) };
		this.value = o.value;
		this.dispatchEvent(new Event('input', { bubbles: true }));
		this.dispatchEvent(new Event('change', { bubbles: true }));
		return { ok: true, options: [] };
	}`, boxed{v})
}

// clickPoint is where a click lands and whether the element is really
// what is there (not covered by an overlay).
type clickPoint struct {
	X   float64 `json:"x"`
	Y   float64 `json:"y"`
	Hit bool    `json:"hit"`
}

// click clicks the element with the mouse, as a person would, so pages
// that listen for mousedown work too. An element covered by something else
// is clicked through the DOM instead.
func (el *element) click(ctx context.Context) error {
	p, err := call[clickPoint](ctx, el, `function() {
		this.scrollIntoView({ block: 'center', inline: 'center' });
		const r = this.getBoundingClientRect();
		const x = r.left + r.width / 2, y = r.top + r.height / 2;
		const hit = document.elementFromPoint(x, y);
		return { x, y, hit: !!hit && (hit === this || this.contains(hit)) };
	}`)
	if err != nil {
		return err
	}
	if p.Hit {
		return chromedp.Do(ctx, chromedp.MouseClickXY(p.X, p.Y))
	}
	_, err = call[chromedp.Void](ctx, el, `function() { this.click(); }`)
	return err
}

// column is one column of a read_table step: a selector relative to the
// row ("" for the row itself) and an attribute to read ("" for the text).
type column struct {
	Name string `json:"name"`
	Sel  string `json:"sel"`
	Attr string `json:"attr"`
}

// parseColumn splits "td.email@title" into the selector and the attribute.
// Only a trailing @name counts, so selectors quoting an @ still work.
func parseColumn(name, spec string) column {
	if i := strings.LastIndexByte(spec, '@'); i >= 0 {
		attr := spec[i+1:]
		if attr != "" && strings.IndexFunc(attr, func(r rune) bool {
			return !(r == '-' || r == '_' || r == ':' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
		}) < 0 {
			return column{Name: name, Sel: strings.TrimSpace(spec[:i]), Attr: attr}
		}
	}
	return column{Name: name, Sel: strings.TrimSpace(spec)}
}

// readTable reads the visible rows of the table element into maps of
// column name to text (or attribute).
func (el *element) readTable(ctx context.Context, rowSel string, cols []column) ([]map[string]string, error) {
	return call[[]map[string]string](ctx, el, visibleFn(`function(rowSel, cols) {
		const cell = (row, c) => {
			const node = c.sel ? row.querySelector(c.sel) : row;
			if (!node) return '';
			const v = c.attr ? node.getAttribute(c.attr) : (node.innerText || node.textContent);
			return (v || '').replace(/\s+/g, ' ').trim();
		};
		return Array.from(this.querySelectorAll(rowSel)).filter(visible).map(row => {
			const out = {};
			for (const c of cols) out[c.name] = cell(row, c);
			return out;
		});
	}`), rowSel, cols)
}

// visibleFn puts the visible helper at the top of a function's body.
func visibleFn(fn string) string {
	i := strings.IndexByte(fn, '{')
	return fn[:i+1] + " " + visibleJS + fn[i+1:]
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
