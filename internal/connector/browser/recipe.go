package browser

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// The procedures a recipe may hold. Only login is required: an operation
// whose procedure is missing fails when it is called.
const (
	procLogin            = "login"
	procListUsers        = "list_users"
	procListEntitlements = "list_entitlements"
	procInvite           = "invite"
	procSetEntitlements  = "set_entitlements"
	procRemove           = "remove"
	procChangePassword   = "change_password"
)

var procedures = []string{procLogin, procListUsers, procListEntitlements, procInvite, procSetEntitlements, procRemove, procChangePassword}

// The step kinds.
const (
	stepNavigate  = "navigate"
	stepFill      = "fill"
	stepClick     = "click"
	stepSelect    = "select"
	stepWaitFor   = "wait_for"
	stepAssert    = "assert"
	stepFailIf    = "fail_if"
	stepReadTable = "read_table"
)

// stepFields says which fields each kind takes: required first, then a
// "|" and the optional ones. Every kind also takes "step", "timeout" and
// "when". A field a kind does not take is an error, so a typo in a recipe
// fails when it is loaded, not half-way through a job.
var stepFields = map[string]string{
	stepNavigate:  "url|",
	stepFill:      "selector value|",
	stepClick:     "selector|",
	stepSelect:    "selector value|",
	stepWaitFor:   "selector|text",
	stepAssert:    "selector text|",
	stepFailIf:    "selector errorType|text absent",
	stepReadTable: "selector columns|rows",
}

// Recipe is a parsed, validated recipe: a list of steps for each
// procedure it has.
type Recipe struct {
	Name        string
	Description string
	procs       map[string][]recipeStep
}

// recipeStep is one step of a procedure. Which fields mean something
// depends on Kind; see the package documentation.
type recipeStep struct {
	Kind      string            `json:"step"`
	URL       string            `json:"url,omitempty"`
	Selector  string            `json:"selector,omitempty"`
	Value     string            `json:"value,omitempty"`
	Text      string            `json:"text,omitempty"`
	ErrorType string            `json:"errorType,omitempty"`
	Absent    bool              `json:"absent,omitempty"`
	Rows      string            `json:"rows,omitempty"`
	Columns   map[string]string `json:"columns,omitempty"`
	Timeout   time.Duration     `json:"-"`
	When      string            `json:"when,omitempty"`

	// name is "invite[3] wait_for #flash": how errors and logs point at
	// the step. It is built from the recipe text, never from a value.
	name string
}

// errorTypes are the failure types a fail_if step may name.
var errorTypes = []string{
	latchkey.JobErrBadCredentials,
	latchkey.JobErrNotEnoughSeats,
	latchkey.JobErrUnderpermissionedAccount,
	latchkey.JobErrSubscriptionDeactivated,
	latchkey.JobErrInvalidEmail,
	latchkey.JobErrEmptyPassword,
	latchkey.JobErrUserAlreadyExists,
	latchkey.JobErrUserNotFound,
	latchkey.JobErrUnknownEntitlement,
	latchkey.JobErrApplicationUnavailable,
}

// ParseRecipe reads and validates a recipe. Errors name the procedure and
// the step index ("recipe: invite[2] (fill): selector is required").
func ParseRecipe(data []byte) (*Recipe, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("recipe: not a JSON object: %w", err)
	}
	r := &Recipe{procs: map[string][]recipeStep{}}
	for key, msg := range raw {
		switch {
		case key == "name":
			if err := json.Unmarshal(msg, &r.Name); err != nil {
				return nil, fmt.Errorf("recipe: name must be a string")
			}
		case key == "description":
			if err := json.Unmarshal(msg, &r.Description); err != nil {
				return nil, fmt.Errorf("recipe: description must be a string")
			}
		case slices.Contains(procedures, key):
			steps, err := parseProcedure(key, msg)
			if err != nil {
				return nil, err
			}
			r.procs[key] = steps
		default:
			return nil, fmt.Errorf("recipe: unknown key %q (procedures are %s)", key, strings.Join(procedures, ", "))
		}
	}
	if len(r.procs[procLogin]) == 0 {
		return nil, errors.New("recipe: the login procedure is required and must have steps")
	}
	return r, nil
}

// Has reports whether the recipe has the procedure.
func (r *Recipe) Has(proc string) bool { return len(r.procs[proc]) > 0 }

func parseProcedure(proc string, msg json.RawMessage) ([]recipeStep, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(msg, &raws); err != nil {
		return nil, fmt.Errorf("recipe: %s must be a list of steps", proc)
	}
	steps := make([]recipeStep, 0, len(raws))
	for i, m := range raws {
		s, err := parseStep(proc, i, m)
		if err != nil {
			return nil, fmt.Errorf("recipe: %s[%d]%s", proc, i, err)
		}
		steps = append(steps, s)
	}
	return steps, nil
}

// parseStep decodes one step and checks it. Its errors start with the kind
// in brackets so the caller can prefix the position.
func parseStep(proc string, i int, m json.RawMessage) (recipeStep, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(m, &fields); err != nil {
		return recipeStep{}, errors.New(": a step must be a JSON object")
	}
	// Timeout is a duration string on the wire ("5s"), so it is read
	// beside the Step, which ignores its own.
	var wire struct {
		recipeStep
		Timeout string `json:"timeout"`
	}
	if err := json.Unmarshal(m, &wire); err != nil {
		return recipeStep{}, fmt.Errorf(": %v", err)
	}
	s := wire.recipeStep
	spec, ok := stepFields[s.Kind]
	if !ok {
		return recipeStep{}, fmt.Errorf(`: "step" must be one of %s, got %q`, strings.Join(sortedKinds(), ", "), s.Kind)
	}
	where := fmt.Sprintf(" (%s)", s.Kind)
	required, optional, _ := strings.Cut(spec, "|")
	allowed := append(strings.Fields(required), strings.Fields(optional)...)
	allowed = append(allowed, "step", "timeout", "when")
	for f := range fields {
		if !slices.Contains(allowed, f) {
			return recipeStep{}, fmt.Errorf("%s: field %q does not apply to %s", where, f, s.Kind)
		}
	}
	for _, f := range strings.Fields(required) {
		if _, ok := fields[f]; !ok {
			return recipeStep{}, fmt.Errorf("%s: %s is required", where, f)
		}
	}
	if wire.Timeout != "" {
		d, err := time.ParseDuration(wire.Timeout)
		if err != nil || d <= 0 {
			return recipeStep{}, fmt.Errorf("%s: timeout %q is not a positive duration such as \"5s\"", where, wire.Timeout)
		}
		s.Timeout = d
	}
	if s.When != "" && s.When != whenTOTP {
		return recipeStep{}, fmt.Errorf("%s: when must be %q or absent, got %q", where, whenTOTP, s.When)
	}
	if err := checkStep(proc, &s); err != nil {
		return recipeStep{}, fmt.Errorf("%s: %v", where, err)
	}
	target := s.Selector
	if s.Kind == stepNavigate {
		target = s.URL
	}
	s.name = fmt.Sprintf("%s[%d] %s %s", proc, i, s.Kind, target)
	return s, nil
}

// whenTOTP marks a step that runs only when the credentials have a TOTP
// seed, so one login procedure serves accounts with and without one.
const whenTOTP = "totp"

// checkStep validates what the JSON shape cannot: non-empty selectors, the
// placeholders each field may use, the error types, the table columns.
func checkStep(proc string, s *recipeStep) error {
	if s.Kind != stepNavigate && strings.TrimSpace(s.Selector) == "" {
		return errors.New("selector must not be empty")
	}
	// Secrets may only be typed into a field: anything else could end up
	// in a step name, an error or a URL in the server's logs.
	if err := checkPlaceholders(proc, "selector", s.Selector, false); err != nil {
		return err
	}
	if err := checkPlaceholders(proc, "text", s.Text, false); err != nil {
		return err
	}
	if err := checkPlaceholders(proc, "url", s.URL, false); err != nil {
		return err
	}
	if err := checkPlaceholders(proc, "value", s.Value, s.Kind == stepFill); err != nil {
		return err
	}
	switch s.Kind {
	case stepNavigate:
		if strings.TrimSpace(s.URL) == "" {
			return errors.New("url must not be empty")
		}
		if u, err := url.Parse(s.URL); err != nil || u.Host != "" || u.Scheme != "" {
			return fmt.Errorf("url %q must be a path relative to the base URL", s.URL)
		}
	case stepAssert:
		if s.Text == "" {
			return errors.New("text must not be empty")
		}
	case stepFailIf:
		if !slices.Contains(errorTypes, s.ErrorType) {
			return fmt.Errorf("errorType must be one of %s, got %q", strings.Join(errorTypes, ", "), s.ErrorType)
		}
		if s.Absent && s.Text != "" {
			return errors.New("absent and text do not go together: an absent element has no text")
		}
	case stepReadTable:
		return checkColumns(proc, s)
	}
	return nil
}

// checkColumns makes sure a table yields what its procedure returns.
func checkColumns(proc string, s *recipeStep) error {
	var key string
	switch proc {
	case procListUsers:
		key = "email"
	case procListEntitlements:
		key = "key"
	default:
		return fmt.Errorf("read_table belongs in %s or %s, not %s", procListUsers, procListEntitlements, proc)
	}
	if _, ok := s.Columns[key]; !ok {
		return fmt.Errorf("columns must include %q", key)
	}
	for name, sel := range s.Columns {
		if strings.TrimSpace(sel) == "" {
			return fmt.Errorf("column %q has an empty selector", name)
		}
		if err := checkPlaceholders(proc, "columns", sel, false); err != nil {
			return err
		}
	}
	if s.Rows == "" {
		s.Rows = "tbody tr"
	}
	return nil
}

func sortedKinds() []string {
	ks := make([]string, 0, len(stepFields))
	for k := range stepFields {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
