package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/connector"
)

// maxAnswerBytes bounds an answer held in memory; users.list pages so
// that no answer needs to come near it.
const maxAnswerBytes = 16 << 20

const userAgent = "Latchkey-Webhook/1"

// answer is a 2xx reply.
type answer struct {
	status int
	body   []byte
}

// call makes one signed call and returns the 2xx answer, or the failure
// in the connector's terms. It does not retry: the engine does, with
// backoff and the same idempotency key.
func (c *Client) call(ctx context.Context, op, id string, data any) (answer, error) {
	body, err := json.Marshal(request{Operation: op, ID: id, Data: data})
	if err != nil {
		return answer{}, connector.Errorf(latchkey.JobErrInternal, "encoding the %s call: %v", op, err)
	}

	callCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(callCtx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return answer{}, connector.Errorf(latchkey.JobErrInternal, "building the %s call: %v", op, err)
	}
	now := time.Now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderSignature, Sign(c.secret, now, body))
	req.Header.Set(HeaderIdempotencyKey, id)

	resp, err := c.http.Do(req)
	if err != nil {
		return answer{}, c.unreachable(ctx, op, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return answer{}, c.unreachable(ctx, op, err)
	}
	if len(got) > maxAnswerBytes {
		return answer{}, c.badAnswer(op, resp.StatusCode, "the answer is larger than %d bytes", maxAnswerBytes)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return answer{}, c.failure(op, resp, got)
	}
	return answer{status: resp.StatusCode, body: got}, nil
}

// unreachable explains a call that got no complete answer. All of these
// are worth retrying, but the message says which it was, because "down"
// and "slow" send a person to different places.
func (c *Client) unreachable(parent context.Context, op string, err error) error {
	var ne net.Error
	switch {
	case parent.Err() != nil:
		return connector.Unavailable(err, "the %s call was abandoned before the application at %s answered", op, c.host)
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return connector.Unavailable(err, "the application at %s did not answer %s within %s", c.host, op, c.timeout)
	default:
		return connector.Unavailable(err, "could not reach the application at %s", c.host)
	}
}

// decode reads a 2xx answer into v.
func (c *Client) decode(op string, a answer, v any) error {
	if len(bytes.TrimSpace(a.body)) == 0 {
		return c.badAnswer(op, a.status, "the answer is empty")
	}
	if err := json.Unmarshal(a.body, v); err != nil {
		return c.badAnswer(op, a.status, "the answer is not the expected JSON (%v): %s", err, c.snippet(a.body))
	}
	return nil
}
