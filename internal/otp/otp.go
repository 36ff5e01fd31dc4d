// Package otp turns user-supplied TOTP (RFC 6238) seeds into a validated,
// canonical [Seed] and produces the current code for it.
//
// Seeds arrive either as a bare base32 secret, typed or pasted by a person
// ("jbsw y3dp ehpk 3pxp"), or as an otpauth://totp/ URI decoded from an
// authenticator QR code. Both forms are normalised so that two spellings of
// the same key compare equal and store identically.
//
// Bounds enforced by [Parse] (and re-checked by every method, because Seed's
// fields are exported and may be filled in by hand):
//
//   - secret: 10 to 128 bytes once decoded (16 to 205 base32 characters);
//   - algorithm: SHA1, SHA256 or SHA512;
//   - digits: 6 or 8;
//   - period: 15 to 300 seconds;
//   - issuer and account: at most 256 bytes each, valid UTF-8, no control
//     characters, and the issuer may not contain a colon;
//   - the whole input: at most 4096 bytes.
//
// Every rejection of user input satisfies errors.Is(err, ErrInvalid) and has a
// message meant to be shown to the user. Messages are fixed strings: they
// never quote any part of the input, since the input is a credential.
package otp

import (
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Algorithm names the HMAC hash, spelled as in otpauth URIs.
type Algorithm string

// The algorithms an otpauth URI may name. pquerna/otp also knows MD5, which
// no mainstream authenticator offers, so it is deliberately absent.
const (
	SHA1   Algorithm = "SHA1"
	SHA256 Algorithm = "SHA256"
	SHA512 Algorithm = "SHA512"
)

// Defaults applied by Parse when a URI leaves a parameter out (and always for
// bare secrets). They are what Google Authenticator assumes.
const (
	DefaultAlgorithm = SHA1
	DefaultDigits    = 6
	DefaultPeriod    = 30
)

// Bounds on a Seed; the comment on each says why it was chosen.
const (
	// RFC 4226 (R6) actually asks for at least 128 bits, but many services
	// still issue 80-bit secrets (16 base32 characters) and refusing them
	// would leave those accounts unusable. 80 bits is the floor below which
	// a secret is almost certainly truncated or mistyped.
	MinSecretBytes = 10
	// Far beyond any real issuer (SHA-512 keys top out at 64 bytes); the
	// cap only stops absurd input from reaching the HMAC and the store.
	MaxSecretBytes = 128
	// Periods shorter than 15 s leave no time to type a code; longer than
	// 5 min and a code is no longer meaningfully one-time.
	MinPeriod = 15
	MaxPeriod = 300
	// Issuer and account are display labels; the cap keeps the stored form
	// and the exported URI bounded (URI() output must itself fit in
	// maxInputLen so that it always parses back).
	MaxLabelBytes = 256

	maxInputLen = 4096
)

// Code only serves instants from the Unix epoch through the end of year 9999.
// pquerna/otp computes the counter as uint64(floor(float64(unix)/period)),
// and converting a negative float to uint64 is implementation-defined in Go,
// so earlier instants must never reach it. The upper limit keeps Unix seconds
// far below 2^53, where that float division is still exact.
var (
	minCodeTime = time.Unix(0, 0)
	maxCodeTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// ErrInvalid is matched (with errors.Is) by every error caused by a bad seed,
// whether from Parse, from a hand-built Seed, or from stored data that no
// longer meets the bounds. The error's own message explains the problem in
// terms suitable for the end user.
var ErrInvalid = errors.New("invalid TOTP seed")

// inputError keeps each message a constant so that no code path can ever
// splice user input (the secret) into what is shown or logged.
type inputError struct{ msg string }

func (e *inputError) Error() string        { return e.msg }
func (e *inputError) Is(target error) bool { return target == ErrInvalid }

func invalid(msg string) error { return &inputError{msg: msg} }

var (
	errEmpty           = invalid("TOTP seed: nothing was entered")
	errTooLong         = invalid("TOTP seed: input is too long")
	errBase32          = invalid("TOTP seed: secret is not valid base32 (only letters A-Z and digits 2-7 are allowed)")
	errBase32Digit     = invalid("TOTP seed: secret is not valid base32; the digits 0, 1, 8 and 9 never appear in base32 (perhaps the letter O, I or B was meant)")
	errBase32Length    = invalid("TOTP seed: secret is not valid base32; its length is impossible, so a character is probably missing or extra")
	errSecretMissing   = invalid("TOTP seed: the URI has no secret parameter")
	errSecretEmpty     = invalid("TOTP seed: secret is empty")
	errSecretShort     = invalid("TOTP seed: secret is too short; it must be at least 80 bits (16 base32 characters)")
	errSecretLong      = invalid("TOTP seed: secret is too long; it may be at most 128 bytes (205 base32 characters)")
	errSecretNotCanon  = invalid("TOTP seed: secret is not in canonical form (upper-case base32 without padding or spaces)")
	errScheme          = invalid("TOTP seed: expected a base32 secret or a URI starting with otpauth://totp/")
	errHOTP            = invalid("TOTP seed: counter-based (HOTP) codes are not supported, only time-based (TOTP)")
	errType            = invalid("TOTP seed: the URI must start with otpauth://totp/")
	errMalformedURI    = invalid("TOTP seed: the otpauth URI is malformed")
	errDuplicate       = invalid("TOTP seed: the otpauth URI repeats a parameter")
	errAlgorithm       = invalid("TOTP seed: algorithm must be SHA1, SHA256 or SHA512")
	errDigits          = invalid("TOTP seed: digits must be 6 or 8")
	errPeriod          = invalid("TOTP seed: period must be a whole number of seconds from 15 to 300")
	errEncoder         = invalid("TOTP seed: non-standard code formats (such as Steam Guard) are not supported")
	errIssuerColon     = invalid("TOTP seed: issuer must not contain a colon")
	errIssuerInvalid   = invalid("TOTP seed: issuer contains invalid or control characters")
	errIssuerTooLong   = invalid("TOTP seed: issuer is too long; it may be at most 256 bytes")
	errAccountInvalid  = invalid("TOTP seed: account name contains invalid or control characters")
	errAccountTooLong  = invalid("TOTP seed: account name is too long; it may be at most 256 bytes")
	errUnsetAlgorithm  = invalid("TOTP seed: algorithm is not set")
	errUnsetDigits     = invalid("TOTP seed: digits is not set")
	errUnsetPeriod     = invalid("TOTP seed: period is not set")
	errSecretUnset     = invalid("TOTP seed: secret is not set")
	errTimeOutOfRange  = errors.New("otp: codes are only produced for times from 1970 through 9999")
	errCorruptEncoding = errors.New("otp: stored seed is corrupt")
)

// inputErrors lists every user-facing error so tests can prove that Parse
// only ever returns one of these fixed values.
var inputErrors = []error{
	errEmpty, errTooLong, errBase32, errBase32Digit, errBase32Length,
	errSecretMissing, errSecretEmpty, errSecretShort, errSecretLong, errSecretNotCanon,
	errScheme, errHOTP, errType, errMalformedURI, errDuplicate, errAlgorithm,
	errDigits, errPeriod, errEncoder, errIssuerColon, errIssuerInvalid,
	errIssuerTooLong, errAccountInvalid, errAccountTooLong, errUnsetAlgorithm,
	errUnsetDigits, errUnsetPeriod, errSecretUnset,
}

// Seed is everything needed to produce codes. Its zero value is invalid.
//
// Parse always fills in every field (applying defaults), so a Seed built by
// hand must do the same: an empty Algorithm or zero Digits/Period is
// rejected rather than defaulted, so that two Seeds producing the same codes
// are also equal as values.
//
// String and GoString redact Secret so a Seed can be logged or %v-printed
// without leaking it.
type Seed struct {
	Secret    string    // canonical base32: upper case, no padding, no spaces
	Algorithm Algorithm // SHA1 (the default), SHA256 or SHA512
	Digits    int       // 6 (the default) or 8
	Period    int       // seconds, 15..300, default 30
	Issuer    string    // optional, from the URI's issuer parameter or label prefix
	Account   string    // optional, from the URI label
}

// b32 is the encoding of Seed.Secret. Padding is dropped because users
// never type it and authenticator apps never show it.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Parse accepts a bare base32 secret or an otpauth://totp/ URI.
//
// Bare secrets may use either case and contain spaces, tabs, newlines,
// hyphens and trailing '=' padding, since that is how sites display them.
// URIs follow Google's Key Uri Format; unknown parameters are ignored
// because some apps add their own (image, color, ...).
func Parse(s string) (Seed, error) {
	if len(s) > maxInputLen {
		return Seed{}, errTooLong
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return Seed{}, errEmpty
	}
	// ':' can never occur in base32, so its presence reliably means the user
	// meant a URI, and we can report URI problems instead of "not base32".
	if strings.Contains(s, ":") {
		return parseURI(s)
	}
	secret, err := normalizeSecret(s)
	if err != nil {
		return Seed{}, err
	}
	return Seed{
		Secret:    secret,
		Algorithm: DefaultAlgorithm,
		Digits:    DefaultDigits,
		Period:    DefaultPeriod,
	}, nil
}

// normalizeSecret strips the decoration people add to secrets and returns
// the canonical encoding of the decoded bytes. Re-encoding (rather than
// returning the cleaned input) also clears non-zero trailing bits, which Go's
// base32 decoder silently ignores, so equal keys always get equal strings.
func normalizeSecret(s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '-':
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		b.WriteByte(c)
	}
	clean := strings.TrimRight(b.String(), "=")
	if clean == "" {
		return "", errSecretEmpty
	}
	for i := 0; i < len(clean); i++ {
		c := clean[i]
		switch {
		case 'A' <= c && c <= 'Z', '2' <= c && c <= '7':
		case c == '0' || c == '1' || c == '8' || c == '9':
			return "", errBase32Digit
		default:
			return "", errBase32
		}
	}
	// Check the length before decoding so a huge secret is refused cheaply
	// and with the more useful message.
	if b32.DecodedLen(len(clean)) > MaxSecretBytes {
		return "", errSecretLong
	}
	// A base32 group of 8 characters can only end after 2, 4, 5 or 7 of
	// them. Go's unpadded decoder does not check this: it silently drops
	// the dangling characters, which would hide a mistyped secret.
	switch len(clean) % 8 {
	case 1, 3, 6:
		return "", errBase32Length
	}
	raw, err := b32.DecodeString(clean)
	if err != nil {
		// Unreachable: the alphabet and length were checked above.
		return "", errBase32
	}
	if len(raw) < MinSecretBytes {
		return "", errSecretShort
	}
	return b32.EncodeToString(raw), nil
}

func parseAlgorithm(v string) (Algorithm, bool) {
	switch strings.ToUpper(v) {
	case "SHA1":
		return SHA1, true
	case "SHA256":
		return SHA256, true
	case "SHA512":
		return SHA512, true
	}
	return "", false
}

// checkLabels enforces the issuer/account rules. Control characters are
// refused because these strings are displayed in the UI and terminals.
func checkLabels(issuer, account string) error {
	if len(issuer) > MaxLabelBytes {
		return errIssuerTooLong
	}
	if !printable(issuer) {
		return errIssuerInvalid
	}
	// A colon would make the exported label "issuer:account" ambiguous.
	if strings.Contains(issuer, ":") {
		return errIssuerColon
	}
	if len(account) > MaxLabelBytes {
		return errAccountTooLong
	}
	if !printable(account) {
		return errAccountInvalid
	}
	return nil
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// validate re-checks a Seed that may not have come from Parse (built by hand
// or decoded from storage written under older bounds).
func (s Seed) validate() error {
	if s.Secret == "" {
		return errSecretUnset
	}
	canon, err := normalizeSecret(s.Secret)
	if err != nil {
		return err
	}
	if canon != s.Secret {
		return errSecretNotCanon
	}
	switch s.Algorithm {
	case SHA1, SHA256, SHA512:
	case "":
		return errUnsetAlgorithm
	default:
		return errAlgorithm
	}
	switch s.Digits {
	case 6, 8:
	case 0:
		return errUnsetDigits
	default:
		return errDigits
	}
	switch {
	case s.Period == 0:
		return errUnsetPeriod
	case s.Period < MinPeriod || s.Period > MaxPeriod:
		return errPeriod
	}
	return checkLabels(s.Issuer, s.Account)
}

func (a Algorithm) lib() otp.Algorithm {
	switch a {
	case SHA256:
		return otp.AlgorithmSHA256
	case SHA512:
		return otp.AlgorithmSHA512
	}
	return otp.AlgorithmSHA1
}

// Code returns the code valid at t and the instant it stops being valid.
//
// expiresAt is in t's location. Instants before 1970 or after 9999 are
// refused (with an error that does not match ErrInvalid, since the seed is
// fine).
func (s Seed) Code(t time.Time) (code string, expiresAt time.Time, err error) {
	if err := s.validate(); err != nil {
		return "", time.Time{}, err
	}
	if t.Before(minCodeTime) || t.After(maxCodeTime) {
		return "", time.Time{}, errTimeOutOfRange
	}
	period := int64(s.Period)
	counter := t.Unix() / period
	start := counter * period
	// Hand the library the start of the time step rather than t itself:
	// its float division then lands exactly on counter, so the code and
	// expiresAt are guaranteed to describe the same step.
	code, err = totp.GenerateCodeCustom(s.Secret, time.Unix(start, 0), totp.ValidateOpts{
		Period:    uint(s.Period),
		Digits:    otp.Digits(s.Digits),
		Algorithm: s.Algorithm.lib(),
	})
	if err != nil {
		// Unreachable after validate; the library's errors never contain
		// the secret, but keep ours anyway for a consistent message.
		return "", time.Time{}, fmt.Errorf("otp: generating code: %w", err)
	}
	return code, time.Unix(start+period, 0).In(t.Location()), nil
}

// String redacts the secret so that logging a Seed is safe.
func (s Seed) String() string {
	return fmt.Sprintf("otp.Seed{Issuer: %q, Account: %q, Algorithm: %s, Digits: %d, Period: %d, Secret: [redacted]}",
		s.Issuer, s.Account, s.Algorithm, s.Digits, s.Period)
}

// GoString redacts the secret for %#v as well.
func (s Seed) GoString() string { return s.String() }
