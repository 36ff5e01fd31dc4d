package store

import "strings"

// sprintf2 fills the two %s of a query template. Only constant SQL goes in:
// values always travel as parameters.
func sprintf2(template, a, b string) string {
	template = strings.Replace(template, "%s", a, 1)
	return strings.Replace(template, "%s", b, 1)
}
