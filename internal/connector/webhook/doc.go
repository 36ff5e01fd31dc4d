// Package webhook is the connector for applications that expose a small
// admin API of their own instead of SCIM. Latchkey makes signed JSON calls
// to one configured URL and the application answers in JSON; the protocol
// is ours and is written down for application developers in
// docs/connectors/webhook.md.
//
// In short: every call is a POST of {"operation", "id", "data"} with a
// Latchkey-Timestamp header, a Latchkey-Signature header holding
// "v1=" + hex(HMAC-SHA256(secret, timestamp + "." + body)), and an
// Idempotency-Key header equal to the body's id. The application answers
// 2xx with the operation's result, or an error status with
// {"error": {"type", "message"}}.
//
// The connector never retries by itself: the job engine does, with
// backoff, and passes the same idempotency key (WithIdempotencyKey) so the
// application can recognise the repeat. Sign and Verify are the two halves
// of the signature; Verify is what a Go application puts in front of its
// handler, and what this package's tests use to play the application.
package webhook
