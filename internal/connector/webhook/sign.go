package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names of the protocol.
const (
	HeaderTimestamp      = "Latchkey-Timestamp"
	HeaderSignature      = "Latchkey-Signature"
	HeaderIdempotencyKey = "Idempotency-Key"
)

const (
	// MinSecretLen is the shortest signing secret New and Verify accept:
	// HMAC is only as strong as its key, and a short one can be guessed
	// offline from a single captured request.
	MinSecretLen = 16
	// DefaultMaxSkew is the replay window Verify applies when given none.
	DefaultMaxSkew = 5 * time.Minute
	// MaxBodyBytes bounds what Verify reads: it reads before it can know
	// whether the sender holds the secret, so an unauthenticated peer must
	// not be able to make it buffer without limit.
	MaxBodyBytes = 1 << 20

	// signatureScheme versions the signature so that a future scheme can
	// be sent alongside this one while receivers upgrade.
	signatureScheme = "v1"
)

// Errors Verify returns, wrapped with detail; match them with errors.Is.
// None of them ever carries the secret.
var (
	ErrWeakSecret    = errors.New("webhook: the signing secret is shorter than 16 bytes")
	ErrMissingHeader = errors.New("webhook: the request is not signed")
	ErrBadTimestamp  = errors.New("webhook: the request timestamp is malformed or outside the allowed window")
	ErrBadSignature  = errors.New("webhook: the request signature does not match")
	ErrBodyTooLarge  = errors.New("webhook: the request body is too large")
)

// Sign returns the Latchkey-Signature header value for a body sent at ts:
// "v1=" followed by the lowercase hex HMAC-SHA256, keyed with secret, of
// the decimal Unix seconds of ts, a dot, and the body.
func Sign(secret []byte, ts time.Time, body []byte) string {
	return signatureScheme + "=" + hex.EncodeToString(mac(secret, ts.Unix(), body))
}

// mac signs the timestamp together with the body so that an attacker can
// neither replay an old body under a fresh timestamp nor the reverse.
func mac(secret []byte, unix int64, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write(strconv.AppendInt(nil, unix, 10))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks that r was signed by Latchkey with secret less than
// maxSkew ago (or ahead: clocks drift both ways), and returns its body.
// maxSkew ≤ 0 means DefaultMaxSkew. It reads at most MaxBodyBytes and
// leaves r.Body readable again, so it can sit in front of a handler that
// decodes the body itself. The signature is compared in constant time.
//
// The window bounds how long a captured request can be replayed; an
// application that must refuse even that remembers the ids it has seen
// for maxSkew.
func Verify(secret []byte, r *http.Request, maxSkew time.Duration) ([]byte, error) {
	if len(secret) < MinSecretLen {
		return nil, ErrWeakSecret
	}
	if maxSkew <= 0 {
		maxSkew = DefaultMaxSkew
	}
	tsValue := r.Header.Get(HeaderTimestamp)
	if tsValue == "" {
		return nil, fmt.Errorf("%w: no %s header", ErrMissingHeader, HeaderTimestamp)
	}
	sigValue := r.Header.Get(HeaderSignature)
	if sigValue == "" {
		return nil, fmt.Errorf("%w: no %s header", ErrMissingHeader, HeaderSignature)
	}
	unix, ok := parseUnix(tsValue)
	if !ok {
		return nil, fmt.Errorf("%w: %s is not Unix seconds", ErrBadTimestamp, HeaderTimestamp)
	}
	// Time.Sub saturates instead of overflowing, so an absurd timestamp
	// yields an absurd skew rather than a small one.
	skew := time.Since(time.Unix(unix, 0))
	if skew > maxSkew || skew < -maxSkew {
		return nil, fmt.Errorf("%w: %s is %s from this server's clock, more than the %s allowed",
			ErrBadTimestamp, HeaderTimestamp, skew.Round(time.Second), maxSkew)
	}

	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	if !signatureMatches(sigValue, mac(secret, unix, body)) {
		return nil, ErrBadSignature
	}
	return body, nil
}

// parseUnix accepts plain decimal digits only: ParseInt would also take a
// sign, and twelve digits reach past the year 30000 already.
func parseUnix(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 12 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("webhook: reading the request body: %w", err)
	}
	if len(body) > MaxBodyBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, MaxBodyBytes)
	}
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

// signatureMatches accepts a header listing several comma-separated
// signatures, any of which may match, and ignores schemes it does not
// know. That lets a sender sign with two secrets while they are rotated,
// or with a future scheme next to v1, without breaking receivers.
func signatureMatches(header string, want []byte) bool {
	for part := range strings.SplitSeq(header, ",") {
		scheme, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || scheme != signatureScheme {
			continue
		}
		got, err := hex.DecodeString(value)
		if err != nil {
			continue
		}
		if hmac.Equal(got, want) {
			return true
		}
	}
	return false
}
