package webhook

import (
	"context"
	"crypto/rand"
	"strconv"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector"
)

// maxKeyLen leaves room under the 255 characters applications commonly
// accept for the ".N" suffix of later users.list pages.
const maxKeyLen = 200

// WithIdempotencyKey returns a context whose calls carry key as their
// request id and Idempotency-Key header: connector.WithOperationKey, which
// the job engine sets to a key stable across a job's attempts, so the
// application sees a retried operation as the repeat it is. Without one,
// each operation gets a random id. The key must be 1 to 200 printable
// ASCII characters without spaces; an empty key is the same as none.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return connector.WithOperationKey(ctx, key)
}

// requestID is the id of an operation's first call; see pageID for the
// rest.
func requestID(ctx context.Context) (string, error) {
	key := connector.OperationKey(ctx)
	if key == "" {
		return rand.Text(), nil
	}
	if !validKey(key) {
		// The key comes from Latchkey's own engine, so a bad one is our bug,
		// not the application's; the key itself is not repeated in case it
		// holds something odd.
		return "", connector.Errorf(latchkey.JobErrInternal,
			"the idempotency key is not 1 to %d printable ASCII characters without spaces", maxKeyLen)
	}
	return key, nil
}

// pageID derives the id of page n (from 1) of a list. Each page is a
// different request, so it needs its own id, and a derived one keeps a
// retried walk's ids the same as the first walk's.
func pageID(base string, n int) string {
	if n <= 1 {
		return base
	}
	return base + "." + strconv.Itoa(n)
}

func validKey(key string) bool {
	if len(key) > maxKeyLen {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] <= ' ' || key[i] > '~' {
			return false
		}
	}
	return true
}
