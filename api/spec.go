// Package api embeds Latchkey's OpenAPI document, openapi.yaml, which the
// server validates requests against and serves at /api/v1/openapi.json.
package api

import _ "embed"

// Document is openapi.yaml as written.
//
//go:embed openapi.yaml
var Document []byte
