package browser

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// placeholder matches {{name}}, spaces allowed inside the braces.
var placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z]+)\s*\}\}`)

// Placeholder names.
const (
	phUsername    = "username"
	phPassword    = "password"
	phTOTP        = "totp"
	phEmail       = "email"
	phFirstName   = "firstName"
	phLastName    = "lastName"
	phEntitlement = "entitlement"
	phNewPassword = "newPassword"
)

// secretPlaceholders may only be typed into a field (a fill value).
var secretPlaceholders = []string{phPassword, phTOTP, phNewPassword}

// placeholdersOf lists what each procedure may use beyond the login's
// username, password and totp, which every procedure may use since login
// runs first in the same page.
var placeholdersOf = map[string][]string{
	procLogin:            nil,
	procListUsers:        nil,
	procListEntitlements: nil,
	procInvite:           {phEmail, phFirstName, phLastName, phEntitlement},
	procSetEntitlements:  {phEmail, phEntitlement},
	procRemove:           {phEmail},
	procChangePassword:   {phNewPassword},
}

// checkPlaceholders validates the placeholders of one field of a step.
func checkPlaceholders(proc, field, s string, secretsAllowed bool) error {
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		name := m[1]
		known := slices.Contains([]string{phUsername, phPassword, phTOTP}, name) || slices.Contains(placeholdersOf[proc], name)
		if !known {
			return fmt.Errorf("{{%s}} is not available in %s (it has %s)", name, proc, strings.Join(availableIn(proc), ", "))
		}
		if slices.Contains(secretPlaceholders, name) && !secretsAllowed {
			return fmt.Errorf("{{%s}} is a secret and may only be the value of a fill step, not the %s", name, field)
		}
	}
	// A lone "{{" is almost always a typo of a placeholder.
	if strings.Count(s, "{{") != len(placeholder.FindAllString(s, -1)) {
		return fmt.Errorf("the %s %q has a malformed placeholder", field, s)
	}
	return nil
}

func availableIn(proc string) []string {
	names := []string{phUsername, phPassword, phTOTP}
	for _, n := range placeholdersOf[proc] {
		names = append(names, "{{"+n+"}}")
	}
	for i := range 3 {
		names[i] = "{{" + names[i] + "}}"
	}
	return names
}

// uses reports whether any step of the procedure uses the placeholder.
func uses(steps []recipeStep, name string) bool {
	for _, s := range steps {
		for _, f := range []string{s.URL, s.Selector, s.Value, s.Text} {
			if mentions(f, name) {
				return true
			}
		}
	}
	return false
}

// mentions reports whether the text has the placeholder.
func mentions(text, name string) bool {
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		if m[1] == name {
			return true
		}
	}
	return false
}

// values are what placeholders expand to in one operation. The secrets are
// fetched lazily: a TOTP code is computed when a step types it, so it is as
// fresh as it can be.
type values struct {
	plain   map[string]string
	secrets map[string]func() (string, error)
}

// expand fills the placeholders of s, escaping each value with esc for the
// context it lands in. Secrets are expanded only by expandSecret.
func (v values) expand(s string, esc func(string) string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		name := placeholder.FindStringSubmatch(m)[1]
		return esc(v.plain[name])
	})
}

// expandValue fills a fill step's value, secrets included.
func (v values) expandValue(s string) (string, error) {
	var firstErr error
	out := placeholder.ReplaceAllStringFunc(s, func(m string) string {
		name := placeholder.FindStringSubmatch(m)[1]
		if get, ok := v.secrets[name]; ok {
			val, err := get()
			if err != nil && firstErr == nil {
				firstErr = err
			}
			return val
		}
		return v.plain[name]
	})
	return out, firstErr
}

func raw(s string) string { return s }

// cssString escapes a value for a double-quoted CSS string, the only place
// a value may go in a selector: tr[data-email="{{email}}"].
func cssString(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\%x ", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// urlPath escapes a value for a URL path segment or query.
func urlPath(s string) string { return url.PathEscape(s) }

// redactor hides secrets in text bound for an error or a log: page text
// can echo what was typed, and browser errors can quote it.
type redactor struct{ secrets []string }

func (r *redactor) add(s string) {
	if s != "" && !slices.Contains(r.secrets, s) {
		r.secrets = append(r.secrets, s)
	}
}

func (r *redactor) redact(s string) string {
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, "[redacted]")
	}
	return s
}
