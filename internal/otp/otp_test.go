package otp

import (
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	libotp "github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// rfcSeed builds the RFC 6238 Appendix B keys: the ASCII digits
// "1234567890" repeated to the hash's natural key length.
func rfcSeed(alg Algorithm, n int) Seed {
	key := strings.Repeat("1234567890", 7)[:n]
	return Seed{
		Secret:    base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte(key)),
		Algorithm: alg,
		Digits:    8,
		Period:    30,
	}
}

func TestCodeRFC6238Vectors(t *testing.T) {
	seeds := map[Algorithm]Seed{
		SHA1:   rfcSeed(SHA1, 20),
		SHA256: rfcSeed(SHA256, 32),
		SHA512: rfcSeed(SHA512, 64),
	}
	tests := []struct {
		unix int64
		alg  Algorithm
		want string
	}{
		{59, SHA1, "94287082"},
		{59, SHA256, "46119246"},
		{59, SHA512, "90693936"},
		{1111111109, SHA1, "07081804"},
		{1111111109, SHA256, "68084774"},
		{1111111109, SHA512, "25091201"},
		{1111111111, SHA1, "14050471"},
		{1111111111, SHA256, "67062674"},
		{1111111111, SHA512, "99943326"},
		{1234567890, SHA1, "89005924"},
		{1234567890, SHA256, "91819424"},
		{1234567890, SHA512, "93441116"},
		{2000000000, SHA1, "69279037"},
		{2000000000, SHA256, "90698825"},
		{2000000000, SHA512, "38618901"},
		{20000000000, SHA1, "65353130"},
		{20000000000, SHA256, "77737706"},
		{20000000000, SHA512, "47863826"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.alg, tt.unix), func(t *testing.T) {
			seed := seeds[tt.alg]
			// The RFC keys must also survive the user-facing path.
			parsed, err := Parse(seed.URI())
			if err != nil {
				t.Fatalf("Parse(URI()): %v", err)
			}
			if parsed != seed {
				t.Fatalf("Parse(URI()) = %v, want %v", parsed, seed)
			}
			got, _, err := seed.Code(time.Unix(tt.unix, 0).UTC())
			if err != nil {
				t.Fatalf("Code: %v", err)
			}
			if got != tt.want {
				t.Errorf("Code = %s, want %s", got, tt.want)
			}
		})
	}
}

func mustParse(t testing.TB, s string) Seed {
	t.Helper()
	seed, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return seed
}

func TestCodeExpiry(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	tests := []struct {
		name   string
		period int
		at     time.Time
		expiry time.Time
	}{
		{"first second of a step", 30, time.Unix(60, 0), time.Unix(90, 0)},
		{"last nanosecond of a step", 30, time.Unix(89, 999999999), time.Unix(90, 0)},
		{"exact boundary starts next step", 30, time.Unix(90, 0), time.Unix(120, 0)},
		{"epoch", 30, time.Unix(0, 0), time.Unix(30, 0)},
		{"period 60", 60, time.Unix(1_700_000_039, 0), time.Unix(1_700_000_040, 0)},
		{"period 15", 15, time.Unix(1_700_000_039, 5), time.Unix(1_700_000_040, 0)},
		{"period 300", 300, time.Unix(1_700_000_200, 0), time.Unix(1_700_000_400, 0)},
		{"location preserved", 30, time.Unix(100, 0).In(berlin), time.Unix(120, 0).In(berlin)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seed := mustParse(t, "JBSWY3DPEHPK3PXP")
			seed.Period = tt.period
			code, exp, err := seed.Code(tt.at)
			if err != nil {
				t.Fatalf("Code: %v", err)
			}
			if !exp.Equal(tt.expiry) {
				t.Errorf("expiresAt = %v, want %v", exp, tt.expiry)
			}
			if exp.Location() != tt.at.Location() {
				t.Errorf("expiresAt location = %v, want %v", exp.Location(), tt.at.Location())
			}
			// The code must be the same right up to expiry and belong to the
			// step that expiry ends.
			last, lastExp, err := seed.Code(exp.Add(-time.Nanosecond))
			if err != nil || last != code || !lastExp.Equal(exp) {
				t.Errorf("just before expiry: (%s, %v, %v), want (%s, %v, nil)", last, lastExp, err, code, exp)
			}
			_, nextExp, err := seed.Code(exp)
			if err != nil || !nextExp.Equal(exp.Add(time.Duration(tt.period)*time.Second)) {
				t.Errorf("at expiry: expiresAt %v, err %v; want the following step", nextExp, err)
			}
			// Cross-check against the library fed the caller's own instant,
			// i.e. without the step-start adjustment Code makes.
			want, err := totp.GenerateCodeCustom(seed.Secret, tt.at, totp.ValidateOpts{
				Period: uint(tt.period), Digits: libotp.DigitsSix, Algorithm: libotp.AlgorithmSHA1,
			})
			if err != nil || want != code {
				t.Errorf("library gives %q (%v), Code gave %q", want, err, code)
			}
		})
	}
}

func TestCodeErrors(t *testing.T) {
	valid := mustParse(t, "JBSWY3DPEHPK3PXP")
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name    string
		seed    func(Seed) Seed
		at      time.Time
		want    error
		invalid bool
	}{
		{"zero seed", func(Seed) Seed { return Seed{} }, now, errSecretUnset, true},
		{"lower-case secret", func(s Seed) Seed { s.Secret = strings.ToLower(s.Secret); return s }, now, errSecretNotCanon, true},
		{"padded secret", func(s Seed) Seed { s.Secret += "======"; return s }, now, errSecretNotCanon, true},
		{"spaced secret", func(s Seed) Seed { s.Secret = "JBSW Y3DP EHPK 3PXP"; return s }, now, errSecretNotCanon, true},
		{"short secret", func(s Seed) Seed { s.Secret = "JBSWY3DP"; return s }, now, errSecretShort, true},
		{"md5", func(s Seed) Seed { s.Algorithm = "MD5"; return s }, now, errAlgorithm, true},
		{"unset algorithm", func(s Seed) Seed { s.Algorithm = ""; return s }, now, errUnsetAlgorithm, true},
		{"seven digits", func(s Seed) Seed { s.Digits = 7; return s }, now, errDigits, true},
		{"unset digits", func(s Seed) Seed { s.Digits = 0; return s }, now, errUnsetDigits, true},
		{"period too short", func(s Seed) Seed { s.Period = 10; return s }, now, errPeriod, true},
		{"negative period", func(s Seed) Seed { s.Period = -30; return s }, now, errPeriod, true},
		{"unset period", func(s Seed) Seed { s.Period = 0; return s }, now, errUnsetPeriod, true},
		{"control char in account", func(s Seed) Seed { s.Account = "a\nb"; return s }, now, errAccountInvalid, true},
		{"before 1970", func(s Seed) Seed { return s }, time.Unix(-1, 0), errTimeOutOfRange, false},
		{"after 9999", func(s Seed) Seed { return s }, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), errTimeOutOfRange, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, exp, err := tt.seed(valid).Code(tt.at)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if errors.Is(err, ErrInvalid) != tt.invalid {
				t.Errorf("errors.Is(err, ErrInvalid) = %v, want %v", !tt.invalid, tt.invalid)
			}
			if code != "" || !exp.IsZero() {
				t.Errorf("got (%q, %v) alongside an error", code, exp)
			}
		})
	}
}

// canonical16 is a 16-byte key whose base32 form (26 characters) ends in a
// character with two unused low bits, which is what the trailing-bits case
// needs.
const canonical16 = "JBSWY3DPEHPK3PXPJBSWY3DPEE"

func TestParseBareSecret(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"canonical", "JBSWY3DPEHPK3PXP", "JBSWY3DPEHPK3PXP"},
		{"lower case with spaces", "jbsw y3dp ehpk 3pxp", "JBSWY3DPEHPK3PXP"},
		{"mixed case", "JbSwY3dPeHpK3pXp", "JBSWY3DPEHPK3PXP"},
		{"surrounding whitespace", " \t jbswy3dpehpk3pxp \r\n", "JBSWY3DPEHPK3PXP"},
		{"hyphen groups", "JBSW-Y3DP-EHPK-3PXP", "JBSWY3DPEHPK3PXP"},
		{"line broken", "JBSWY3DP\nEHPK3PXP", "JBSWY3DPEHPK3PXP"},
		{"tabs", "JBSW\tY3DP\tEHPK\t3PXP", "JBSWY3DPEHPK3PXP"},
		{"needs padding, none given", strings.ToLower(canonical16), canonical16},
		{"explicit padding", canonical16 + "======", canonical16},
		{"spaces and padding", "jbsw y3dp ehpk 3pxp jbsw y3dp ee======", canonical16},
		{"non-zero trailing bits are cleared", canonical16[:25] + "H", canonical16},
		{"20-byte key", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"},
		{"128-byte key", strings.Repeat("A", 204) + "A", strings.Repeat("A", 205)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, tt.in)
			want := Seed{Secret: tt.want, Algorithm: SHA1, Digits: 6, Period: 30}
			if got != want {
				t.Errorf("Parse(%q) = %#v, want secret %s with defaults", tt.in, got, tt.want)
			}
			if got.Secret != tt.want { // %#v above redacts it
				t.Errorf("Secret = %s, want %s", got.Secret, tt.want)
			}
		})
	}
}

func TestParseURI(t *testing.T) {
	const key = "JBSWY3DPEHPK3PXP"
	def := func(mod func(*Seed)) Seed {
		s := Seed{Secret: key, Algorithm: SHA1, Digits: 6, Period: 30}
		if mod != nil {
			mod(&s)
		}
		return s
	}
	tests := []struct {
		name string
		in   string
		want Seed
	}{
		{"secret only", "otpauth://totp/?secret=" + key, def(nil)},
		{"no path at all", "otpauth://totp?secret=" + key, def(nil)},
		{"account only", "otpauth://totp/alice@example.com?secret=" + key,
			def(func(s *Seed) { s.Account = "alice@example.com" })},
		{"issuer prefix and parameter", "otpauth://totp/ACME%20Co:alice@example.com?secret=" + key + "&issuer=ACME%20Co",
			def(func(s *Seed) { s.Issuer = "ACME Co"; s.Account = "alice@example.com" })},
		{"issuer from label prefix only", "otpauth://totp/ACME:alice?secret=" + key,
			def(func(s *Seed) { s.Issuer = "ACME"; s.Account = "alice" })},
		{"issuer parameter only", "otpauth://totp/alice?issuer=ACME&secret=" + key,
			def(func(s *Seed) { s.Issuer = "ACME"; s.Account = "alice" })},
		{"issuer parameter wins over prefix", "otpauth://totp/Old:alice?issuer=New&secret=" + key,
			def(func(s *Seed) { s.Issuer = "New"; s.Account = "alice" })},
		{"space after colon", "otpauth://totp/ACME:%20%20alice?secret=" + key,
			def(func(s *Seed) { s.Issuer = "ACME"; s.Account = "alice" })},
		{"encoded colon separates", "otpauth://totp/ACME%3Aalice?secret=" + key,
			def(func(s *Seed) { s.Issuer = "ACME"; s.Account = "alice" })},
		{"colon inside account", "otpauth://totp/ACME:ops:shared?secret=" + key,
			def(func(s *Seed) { s.Issuer = "ACME"; s.Account = "ops:shared" })},
		{"plus in issuer means space", "otpauth://totp/a?issuer=ACME+Co&secret=" + key,
			def(func(s *Seed) { s.Issuer = "ACME Co"; s.Account = "a" })},
		{"unicode labels", "otpauth://totp/%C3%9Cber:j%C3%BCrgen?secret=" + key,
			def(func(s *Seed) { s.Issuer = "Über"; s.Account = "jürgen" })},
		{"algorithm SHA1", "otpauth://totp/?secret=" + key + "&algorithm=SHA1", def(nil)},
		{"algorithm SHA256", "otpauth://totp/?secret=" + key + "&algorithm=SHA256",
			def(func(s *Seed) { s.Algorithm = SHA256 })},
		{"algorithm sha512 lower case", "otpauth://totp/?secret=" + key + "&algorithm=sha512",
			def(func(s *Seed) { s.Algorithm = SHA512 })},
		{"digits 6", "otpauth://totp/?secret=" + key + "&digits=6", def(nil)},
		{"digits 8", "otpauth://totp/?secret=" + key + "&digits=8",
			def(func(s *Seed) { s.Digits = 8 })},
		{"period 30", "otpauth://totp/?secret=" + key + "&period=30", def(nil)},
		{"period 60", "otpauth://totp/?secret=" + key + "&period=60",
			def(func(s *Seed) { s.Period = 60 })},
		{"period lower bound", "otpauth://totp/?secret=" + key + "&period=15",
			def(func(s *Seed) { s.Period = 15 })},
		{"period upper bound", "otpauth://totp/?secret=" + key + "&period=300",
			def(func(s *Seed) { s.Period = 300 })},
		{"everything", "otpauth://totp/GitHub:ops-bot?secret=" + key + "&issuer=GitHub&algorithm=SHA256&digits=8&period=60",
			def(func(s *Seed) {
				s.Issuer, s.Account, s.Algorithm, s.Digits, s.Period = "GitHub", "ops-bot", SHA256, 8, 60
			})},
		{"messy secret in URI", "otpauth://totp/?secret=jbsw%20y3dp+ehpk+3pxp%3D%3D%3D", def(nil)},
		{"upper-case scheme and type", "OTPAUTH://TOTP/x?secret=" + key,
			def(func(s *Seed) { s.Account = "x" })},
		{"capitalised parameter names", "otpauth://totp/?Secret=" + key + "&Digits=8",
			def(func(s *Seed) { s.Digits = 8 })},
		{"unknown parameters ignored", "otpauth://totp/?secret=" + key + "&image=https%3A%2F%2Fx%2Fa.png&image=again&counter=3",
			def(nil)},
		{"empty encoder is standard", "otpauth://totp/?secret=" + key + "&encoder=",
			def(nil)},
		{"surrounding whitespace", "\n  otpauth://totp/?secret=" + key + "  \n", def(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, tt.in)
			if got != tt.want {
				t.Errorf("Parse = %v, want %v", got, tt.want)
			}
			if got.Secret != tt.want.Secret {
				t.Errorf("Secret = %s, want %s", got.Secret, tt.want.Secret)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	// Each secret is distinctive so that finding it in a message can only
	// mean it was echoed.
	const (
		good = "MFRGGZDFMZTWQ2LKNNWG23TP" // 15 bytes
		bad0 = "MFRGGZDFMZTWQ2LKNNWG23T0"
	)
	uri := func(params string) string { return "otpauth://totp/ACME:alice?" + params }
	tests := []struct {
		name   string
		in     string
		secret string // must not appear in the message
		want   error
	}{
		{"empty", "", "", errEmpty},
		{"only whitespace", " \n\t ", "", errEmpty},
		{"only padding", "========", "", errSecretEmpty},
		{"too long", strings.Repeat(good, 200), good, errTooLong},
		{"punctuation", "MFRGGZDFMZTWQ2LK!NWG23TP", "MFRGGZDFMZTWQ2LK!NWG23TP", errBase32},
		{"unicode", "MFRGGZDFMZTWQ2LKNNWG23TPé", "MFRGGZDFMZTWQ2LKNNWG23TPé", errBase32},
		{"padding in the middle", "MFRGGZDF=MZTWQ2LKNNWG23TP", "MFRGGZDF=MZTWQ2LKNNWG23TP", errBase32},
		{"digit zero", bad0, bad0, errBase32Digit},
		{"digit one", "MFRGGZDFMZTWQ2LKNNWG23T1", "MFRGGZDFMZTWQ2LKNNWG23T1", errBase32Digit},
		{"impossible length 1 mod 8", good + "A", good + "A", errBase32Length},
		{"impossible length 3 mod 8", good + "AAA", good + "AAA", errBase32Length},
		{"impossible length 6 mod 8", good + "AAAAAA", good + "AAAAAA", errBase32Length},
		{"9 bytes is under 80 bits", "MFRGGZDFMZTWQ2L", "MFRGGZDFMZTWQ2L", errSecretShort},
		{"5 bytes", "MFRGGZDF", "MFRGGZDF", errSecretShort},
		{"129 bytes", strings.Repeat("M", 207), strings.Repeat("M", 207), errSecretLong},
		{"other scheme", "https://example.com/?secret=" + good, good, errScheme},
		{"colon in bare secret", "MFRG:GZDFMZTWQ2LKNNWG23TP", "GZDFMZTWQ2LKNNWG23TP", errScheme},
		{"hotp", "otpauth://hotp/ACME:alice?secret=" + good + "&counter=1", good, errHOTP},
		{"unknown type", "otpauth://motp/ACME:alice?secret=" + good, good, errType},
		{"empty type", "otpauth:///ACME:alice?secret=" + good, good, errType},
		{"opaque", "otpauth:totp/ACME:alice?secret=" + good, good, errMalformedURI},
		{"user info", "otpauth://bob@totp/ACME:alice?secret=" + good, good, errMalformedURI},
		{"bad escape in label", "otpauth://totp/ACME%zz:alice?secret=" + good, good, errMalformedURI},
		{"bad escape in query", uri("secret=" + good + "&issuer=%zz"), good, errMalformedURI},
		{"semicolon in query", uri("secret=" + good + ";issuer=x"), good, errMalformedURI},
		{"no secret", uri("issuer=ACME"), "", errSecretMissing},
		{"empty secret", uri("secret=&issuer=ACME"), "", errSecretMissing},
		{"blank secret", uri("secret=%20%20"), "", errSecretMissing},
		{"secret twice", uri("secret=" + good + "&secret=" + good), good, errDuplicate},
		{"secret twice, different case", uri("secret=" + good + "&SECRET=" + good), good, errDuplicate},
		{"digits twice", uri("secret=" + good + "&digits=6&digits=8"), good, errDuplicate},
		{"bad base32 in URI", uri("secret=" + bad0), bad0, errBase32Digit},
		{"short secret in URI", uri("secret=MFRGGZDF"), "MFRGGZDF", errSecretShort},
		{"md5", uri("secret=" + good + "&algorithm=MD5"), good, errAlgorithm},
		{"sha-256 spelling", uri("secret=" + good + "&algorithm=SHA-256"), good, errAlgorithm},
		{"empty algorithm", uri("secret=" + good + "&algorithm="), good, errAlgorithm},
		{"digits 7", uri("secret=" + good + "&digits=7"), good, errDigits},
		{"digits 10", uri("secret=" + good + "&digits=10"), good, errDigits},
		{"digits word", uri("secret=" + good + "&digits=six"), good, errDigits},
		{"empty digits", uri("secret=" + good + "&digits="), good, errDigits},
		{"period 0", uri("secret=" + good + "&period=0"), good, errPeriod},
		{"period 14", uri("secret=" + good + "&period=14"), good, errPeriod},
		{"period 301", uri("secret=" + good + "&period=301"), good, errPeriod},
		{"negative period", uri("secret=" + good + "&period=-30"), good, errPeriod},
		{"fractional period", uri("secret=" + good + "&period=30.5"), good, errPeriod},
		{"huge period", uri("secret=" + good + "&period=99999999999999999999"), good, errPeriod},
		{"steam", uri("secret=" + good + "&encoder=steam"), good, errEncoder},
		{"colon in issuer", "otpauth://totp/alice?issuer=A%3AB&secret=" + good, good, errIssuerColon},
		{"control char in issuer", "otpauth://totp/alice?issuer=A%07B&secret=" + good, good, errIssuerInvalid},
		{"invalid UTF-8 in issuer", "otpauth://totp/%FF:alice?secret=" + good, good, errIssuerInvalid},
		{"issuer too long", "otpauth://totp/alice?issuer=" + strings.Repeat("i", 257) + "&secret=" + good, good, errIssuerTooLong},
		{"NUL in account", "otpauth://totp/ACME:al%00ice?secret=" + good, good, errAccountInvalid},
		{"newline in account", "otpauth://totp/ACME:al%0Aice?secret=" + good, good, errAccountInvalid},
		{"account too long", "otpauth://totp/ACME:" + strings.Repeat("a", 257) + "?secret=" + good, good, errAccountTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seed, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse succeeded with %v", seed)
			}
			if err != tt.want {
				t.Errorf("err = %q, want %q", err, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(%q, ErrInvalid) = false", err)
			}
			if seed != (Seed{}) {
				t.Errorf("non-zero Seed returned with error")
			}
			assertNoSecret(t, err, tt.in, tt.secret)
		})
	}
}

// assertNoSecret checks the message against the secret in every spelling a
// careless implementation might echo: as typed, upper-cased, or normalised.
func assertNoSecret(t *testing.T, err error, input, secret string) {
	t.Helper()
	msg := strings.ToUpper(err.Error())
	if !strings.HasPrefix(err.Error(), "TOTP seed: ") {
		t.Errorf("message %q lacks the TOTP seed: prefix", err)
	}
	if secret != "" && strings.Contains(msg, strings.ToUpper(secret)) {
		t.Errorf("message %q contains the secret", err)
	}
	if strings.TrimSpace(input) != "" && strings.Contains(msg, strings.ToUpper(strings.TrimSpace(input))) {
		t.Errorf("message %q contains the input", err)
	}
}

// TestErrorsNeverEchoSecret covers the case most likely to regress: net/url
// quotes the entire URI, secret included, in its parse errors.
func TestErrorsNeverEchoSecret(t *testing.T) {
	const secret = "ORSXG5DTMVRXEZLUMVQXGZLDOJSXIZLT"
	inputs := []string{
		"otpauth://totp/%zz?secret=" + secret,
		"otpauth://totp/x?secret=" + secret + "&issuer=%zz",
		"otpauth://totp/x?secret=" + secret + "&algorithm=" + secret,
		"otpauth://totp/x?secret=" + secret + "&digits=" + secret,
		"otpauth://totp/x?secret=" + secret + "&period=" + secret,
		"otpauth://totp/" + secret + "\x7f?secret=" + secret,
		"otpauth://totp/" + secret + ":" + secret + "?secret=" + secret + "&encoder=" + secret,
		"otpauth://" + secret + "/x?secret=" + secret,
		secret + "://totp/x",
		"http://[" + secret,
		secret + "0",
		secret + "A",
		strings.ToLower(secret) + " !",
	}
	for i, in := range inputs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			_, err := Parse(in)
			if err == nil {
				t.Fatalf("Parse succeeded")
			}
			assertNoSecret(t, err, in, secret)
			assertConstantError(t, err)
		})
	}
}

func assertConstantError(t testing.TB, err error) {
	t.Helper()
	for _, known := range inputErrors {
		if err == known {
			return
		}
	}
	t.Errorf("Parse returned %q, which is not one of the package's fixed errors", err)
}

func TestURI(t *testing.T) {
	seed := Seed{
		Secret: "JBSWY3DPEHPK3PXP", Algorithm: SHA256, Digits: 8, Period: 60,
		Issuer: "ACME & Sons", Account: "ops+bot@example.com",
	}
	const want = "otpauth://totp/ACME%20&%20Sons:ops+bot@example.com?secret=JBSWY3DPEHPK3PXP" +
		"&issuer=ACME%20%26%20Sons&algorithm=SHA256&digits=8&period=60"
	if got := seed.URI(); got != want {
		t.Errorf("URI() =\n%s\nwant\n%s", got, want)
	}
}

func TestURIRoundTrip(t *testing.T) {
	base := Seed{Secret: "JBSWY3DPEHPK3PXP", Algorithm: SHA1, Digits: 6, Period: 30}
	with := func(mod func(*Seed)) Seed { s := base; mod(&s); return s }
	tests := []struct {
		name string
		seed Seed
	}{
		{"defaults, no labels", base},
		{"account only", with(func(s *Seed) { s.Account = "alice" })},
		{"issuer only", with(func(s *Seed) { s.Issuer = "ACME" })},
		{"both", with(func(s *Seed) { s.Issuer, s.Account = "ACME", "alice@example.com" })},
		{"query metacharacters", with(func(s *Seed) { s.Issuer, s.Account = "A&B=C+D %E?#", "x&secret=AAAA" })},
		{"path metacharacters", with(func(s *Seed) { s.Issuer, s.Account = "a/b;c,d", "/../%2F?#" })},
		{"colon in account, no issuer", with(func(s *Seed) { s.Account = "ops:shared" })},
		{"colon in account with issuer", with(func(s *Seed) { s.Issuer, s.Account = "ACME", ":ops:" })},
		{"unicode", with(func(s *Seed) { s.Issuer, s.Account = "Über GmbH", "jürgen 🦀" })},
		{"SHA512 8 digits 300 s", with(func(s *Seed) { s.Algorithm, s.Digits, s.Period = SHA512, 8, 300 })},
		{"largest seed", Seed{
			Secret: strings.Repeat("7", 204) + "Q", Algorithm: SHA512, Digits: 8, Period: 300,
			Issuer: strings.Repeat("€", MaxLabelBytes/3), Account: strings.Repeat("%", MaxLabelBytes),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.seed.validate(); err != nil {
				t.Fatalf("test seed is invalid: %v", err)
			}
			uri := tt.seed.URI()
			got, err := Parse(uri)
			if err != nil {
				t.Fatalf("Parse(%q): %v", uri, err)
			}
			if got != tt.seed {
				t.Errorf("Parse(%q) = %v, want %v", uri, got, tt.seed)
			}
		})
	}
}

func TestMarshalBinary(t *testing.T) {
	seed := Seed{
		Secret: "JBSWY3DPEHPK3PXP", Algorithm: SHA256, Digits: 8, Period: 60,
		Issuer: "ACME", Account: "alice",
	}
	// Pinned so that any change to the stored format is deliberate: stored
	// seeds written today must still decode after a refactor.
	const golden = "01020800" + "3c" + "0a" + "48656c6c6f21deadbeef" + "04" + "41434d45" + "05" + "616c696365"
	got, err := seed.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(got) != golden {
		t.Errorf("MarshalBinary = %x, want %s", got, golden)
	}

	roundTrip := []Seed{
		seed,
		{Secret: "JBSWY3DPEHPK3PXP", Algorithm: SHA1, Digits: 6, Period: 30},
		{Secret: canonical16, Algorithm: SHA512, Digits: 6, Period: 15, Account: "only account"},
		{Secret: strings.Repeat("7", 204) + "Q", Algorithm: SHA512, Digits: 8, Period: 300,
			Issuer: strings.Repeat("i", MaxLabelBytes), Account: strings.Repeat("ü", MaxLabelBytes/2)},
	}
	for i, want := range roundTrip {
		t.Run(fmt.Sprint("round trip ", i), func(t *testing.T) {
			data, err := want.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var got Seed
			if err := got.UnmarshalBinary(data); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestMarshalBinaryRejectsInvalid(t *testing.T) {
	if _, err := (Seed{}).MarshalBinary(); !errors.Is(err, ErrInvalid) {
		t.Errorf("MarshalBinary of zero Seed: err = %v, want ErrInvalid", err)
	}
}

func TestUnmarshalBinaryErrors(t *testing.T) {
	valid, err := Seed{Secret: "JBSWY3DPEHPK3PXP", Algorithm: SHA1, Digits: 6, Period: 30,
		Issuer: "ACME", Account: "alice"}.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	patch := func(i int, b byte) []byte {
		out := append([]byte(nil), valid...)
		out[i] = b
		return out
	}
	tests := []struct {
		name    string
		data    []byte
		invalid bool // a well-formed encoding of an out-of-bounds seed
	}{
		{"nil", nil, false},
		{"version 0", patch(0, 0), false},
		{"version 2", patch(0, 2), false},
		{"algorithm 0", patch(1, 0), false},
		{"algorithm 4", patch(1, 4), false},
		{"digits 7", patch(2, 7), true},
		{"period 10", patch(4, 10), true},
		{"empty secret", []byte{1, 1, 6, 0, 30, 0, 0, 0}, false},
		{"short secret", []byte{1, 1, 6, 0, 30, 2, 'h', 'i', 0, 0}, true},
		{"trailing byte", append(append([]byte(nil), valid...), 0), false},
		{"huge varint", append(append([]byte(nil), valid[:len(valid)-6]...), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), false},
		{"control char in account", patch(len(valid)-1, '\n'), true},
	}
	for n := 1; n < len(valid); n++ {
		tests = append(tests, struct {
			name    string
			data    []byte
			invalid bool
		}{fmt.Sprint("truncated to ", n), valid[:n], false})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := Seed{Secret: "UNTOUCHED", Issuer: "keep"}
			s := before
			err := s.UnmarshalBinary(tt.data)
			if err == nil {
				t.Fatalf("UnmarshalBinary succeeded: %v", s)
			}
			if got := errors.Is(err, ErrInvalid); got != tt.invalid {
				t.Errorf("errors.Is(%v, ErrInvalid) = %v, want %v", err, got, tt.invalid)
			}
			if !tt.invalid && !errors.Is(err, errCorruptEncoding) {
				t.Errorf("err = %v, want a corruption error", err)
			}
			if s != before {
				t.Errorf("receiver modified on error")
			}
		})
	}
}

func TestStringRedactsSecret(t *testing.T) {
	seed := mustParse(t, "otpauth://totp/ACME:alice?secret=JBSWY3DPEHPK3PXP")
	for _, out := range []string{
		seed.String(), fmt.Sprint(seed), fmt.Sprintf("%v %+v %#v %s", seed, seed, seed, seed),
		fmt.Sprintf("%v", &seed), fmt.Sprintf("%v", []Seed{seed}),
	} {
		if strings.Contains(out, seed.Secret) {
			t.Errorf("%q contains the secret", out)
		}
		if !strings.Contains(out, "alice") {
			t.Errorf("%q omits the account", out)
		}
	}
}

func BenchmarkCode(b *testing.B) {
	for _, alg := range []Algorithm{SHA1, SHA256, SHA512} {
		b.Run(string(alg), func(b *testing.B) {
			seed := mustParse(b, "otpauth://totp/?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=8&algorithm="+string(alg))
			now := time.Unix(1_700_000_000, 0)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := seed.Code(now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
