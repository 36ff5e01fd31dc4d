package otp

import (
	"net/url"
	"strconv"
	"strings"
)

// parseURI handles the otpauth:// form. It parses the URI itself instead of
// using otp.NewKeyFromURL because that accepts anything url.Parse does and
// silently turns unknown algorithms, digits and periods into defaults, which
// would store a seed that produces wrong codes.
func parseURI(s string) (Seed, error) {
	u, err := url.Parse(s)
	if err != nil {
		// url.Parse's error quotes the whole input, secret included, so it
		// must not be wrapped or returned.
		return Seed{}, errMalformedURI
	}
	if u.Scheme != "otpauth" { // url.Parse has already lower-cased it
		return Seed{}, errScheme
	}
	if u.Opaque != "" || u.User != nil {
		return Seed{}, errMalformedURI
	}
	switch {
	case strings.EqualFold(u.Host, "hotp"):
		return Seed{}, errHOTP
	case !strings.EqualFold(u.Host, "totp"):
		return Seed{}, errType
	}

	// url.URL.Query drops malformed pairs silently; ParseQuery reports them,
	// and a half-read URI is worse than a refused one.
	raw, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Seed{}, errMalformedURI
	}
	// Parameter names are matched case-insensitively because some generators
	// capitalise them. A repeated known parameter is refused since there is
	// no way to know which value the issuer meant.
	q := make(map[string]string, len(raw))
	for k, vs := range raw {
		k = strings.ToLower(k)
		switch k {
		case "secret", "issuer", "algorithm", "digits", "period", "encoder":
		default:
			continue
		}
		if _, dup := q[k]; dup || len(vs) != 1 {
			return Seed{}, errDuplicate
		}
		q[k] = vs[0]
	}

	seed := Seed{Algorithm: DefaultAlgorithm, Digits: DefaultDigits, Period: DefaultPeriod}

	secret, ok := q["secret"]
	if !ok || strings.TrimSpace(secret) == "" {
		return Seed{}, errSecretMissing
	}
	if seed.Secret, err = normalizeSecret(secret); err != nil {
		return Seed{}, err
	}

	if v, ok := q["algorithm"]; ok {
		if seed.Algorithm, ok = parseAlgorithm(v); !ok {
			return Seed{}, errAlgorithm
		}
	}
	if v, ok := q["digits"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || (n != 6 && n != 8) {
			return Seed{}, errDigits
		}
		seed.Digits = n
	}
	if v, ok := q["period"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < MinPeriod || n > MaxPeriod {
			return Seed{}, errPeriod
		}
		seed.Period = n
	}
	// The library would happily produce Steam's alphabetic codes, but those
	// are not TOTP digits and nothing downstream expects them.
	if q["encoder"] != "" {
		return Seed{}, errEncoder
	}

	// The label is "issuer:account" or just "account"; the spec allows a
	// space after the colon. url.Parse has already percent-decoded Path, so
	// an encoded colon (%3A) separates too, as the spec requires.
	label := strings.TrimPrefix(u.Path, "/")
	prefix, account, found := strings.Cut(label, ":")
	if !found {
		prefix, account = "", label
	}
	// The issuer parameter is authoritative; the label prefix is the legacy
	// way of saying the same thing.
	seed.Issuer = strings.TrimSpace(q["issuer"])
	if seed.Issuer == "" {
		seed.Issuer = strings.TrimSpace(prefix)
	}
	seed.Account = strings.TrimSpace(account)
	if err := checkLabels(seed.Issuer, seed.Account); err != nil {
		return Seed{}, err
	}
	return seed, nil
}

// URI renders the seed as an otpauth URI (for export). Every parameter is
// written out, even defaults, so the result does not depend on what the
// importing app assumes. The URI of an invalid Seed will not Parse.
func (s Seed) URI() string {
	var b strings.Builder
	b.WriteString("otpauth://totp/")
	// An empty issuer prefix is still written when the account contains a
	// colon; otherwise Parse would split the account at that colon.
	if s.Issuer != "" || strings.Contains(s.Account, ":") {
		b.WriteString(url.PathEscape(s.Issuer))
		b.WriteByte(':')
	}
	b.WriteString(url.PathEscape(s.Account))
	b.WriteString("?secret=")
	b.WriteString(queryEscape(s.Secret))
	if s.Issuer != "" {
		b.WriteString("&issuer=")
		b.WriteString(queryEscape(s.Issuer))
	}
	b.WriteString("&algorithm=")
	b.WriteString(queryEscape(string(s.Algorithm)))
	b.WriteString("&digits=")
	b.WriteString(strconv.Itoa(s.Digits))
	b.WriteString("&period=")
	b.WriteString(strconv.Itoa(s.Period))
	return b.String()
}

// queryEscape writes spaces as %20 because Google Authenticator shows a '+'
// in an issuer literally. url.PathEscape (what pquerna/otp uses) is not an
// option: it leaves '&', '=' and '+' alone, which corrupts the query.
func queryEscape(v string) string {
	return strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
}
