package cli

import "runtime/debug"

// The server's live heap is small (tens of megabytes) and its garbage
// comes in small, short-lived pieces, one request's worth at a time. At
// Go's default the collector ran every few megabytes and took a tenth of
// the CPU under load; at 400 it costs a few percent, and the soft memory
// limit keeps a growing heap from taking that factor along with it.
const (
	serveGCPercent   = 400
	serveMemoryLimit = 128 << 20
)

// tuneGC applies the server's collector settings unless the operator set
// Go's own variables, which always win.
func tuneGC(getenv env) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemoryLimit)
	}
}
