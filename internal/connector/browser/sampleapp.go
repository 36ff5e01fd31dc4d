package browser

import _ "embed"

// sampleAppRecipe is the recipe for internal/sampleapp.
//
//go:embed recipes/sampleapp.json
var sampleAppRecipe []byte

// SampleAppRecipe returns the recipe that drives internal/sampleapp, for
// the demo and the tests. Each call returns a fresh copy.
func SampleAppRecipe() []byte {
	return append([]byte(nil), sampleAppRecipe...)
}
