package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// The hot answers — an account, a page of them, a password — are written by
// hand: encoding/json spends most of its time on reflection and on
// re-checking what custom marshalers return. A fuzz test holds this code
// byte-for-byte to encoding/json's output.

// appender is a value that writes its own JSON.
type appender interface {
	appendJSON(b []byte) []byte
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string exactly as encoding/json does with
// HTML escaping off: invalid UTF-8 becomes U+FFFD, and U+2028 and U+2029
// are escaped so the output stays valid JavaScript.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendNullString writes null for "".
func appendNullString(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s)
}

// appendOptional writes null for "", the form optional strings take.
func appendOptional(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendString(b, s)
}

func appendTimeValue(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = appendTimeText(b, t)
	return append(b, '"')
}

func appendTime(b []byte, t *timestamp) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = appendTimeText(b, time.Time(*t))
	return append(b, '"')
}

// appendTimeText is formatTime without allocating, digit by digit: a page
// of accounts holds a hundred times, and the layout interpreter behind
// AppendFormat was a visible share of a page's cost.
func appendTimeText(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return append(b, formatTime(t)...)
	}
	hour, min, sec := t.Clock()
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, min, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	if us := t.Nanosecond() / 1000; us != 0 {
		b = append(b, '.')
		b = appendDigits(b, us, 6)
	}
	return append(b, "+00:00"...)
}

// appendDigits appends v, which is not negative, in exactly n digits.
func appendDigits(b []byte, v, n int) []byte {
	start := len(b)
	for range n {
		b = append(b, '0')
	}
	for i := len(b) - 1; i >= start && v > 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return b
}

func appendBool(b []byte, v bool) []byte { return strconv.AppendBool(b, v) }

// appendAny falls back to encoding/json for values without a hand-written
// form, with the same settings as writeJSON.
func appendAny(b []byte, v any) []byte {
	if a, ok := v.(appender); ok {
		return a.appendJSON(b)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // our own types always encode; writeJSON recovers
	}
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

func (r resource) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, r.ID)
	b = append(b, `,"type":`...)
	b = appendString(b, r.Type)
	b = append(b, `,"attributes":`...)
	b = appendAny(b, r.Attributes)
	if r.Meta != nil {
		b = append(b, `,"meta":`...)
		b = appendAny(b, r.Meta)
	}
	return append(b, '}')
}

func (s single) appendJSON(b []byte) []byte {
	b = append(b, `{"data":`...)
	b = appendAny(b, s.Data)
	return append(b, '}')
}

func (l list) appendJSON(b []byte) []byte {
	b = append(b, `{"data":[`...)
	for i, r := range l.Data {
		if i > 0 {
			b = append(b, ',')
		}
		b = r.appendJSON(b)
	}
	b = append(b, `],"links":{"next":`...)
	b = appendNullString(b, l.Links.Next)
	b = append(b, `,"previous":`...)
	b = appendNullString(b, l.Links.Previous)
	b = append(b, `,"self":`...)
	b = appendString(b, l.Links.Self)
	b = append(b, `},"meta":{"page":{"maxSize":`...)
	b = strconv.AppendInt(b, int64(l.Meta.Page.MaxSize), 10)
	b = append(b, `,"total":`...)
	b = strconv.AppendInt(b, int64(l.Meta.Page.Total), 10)
	return append(b, "}}}"...)
}

func (x accountAttributes) MarshalJSON() ([]byte, error) { return x.appendJSON(nil), nil }

func (x accountAttributes) appendJSON(b []byte) []byte {
	a := x.a
	b = append(b, `{"application":`...)
	b = appendString(b, a.Application)
	b = append(b, `,"autofillMfa":`...)
	b = appendBool(b, a.AutofillMFA)
	b = append(b, `,"avatarUrl":`...)
	b = appendOptional(b, a.AvatarURL)
	b = append(b, `,"businessId":`...)
	b = appendOptional(b, a.BusinessID)
	b = append(b, `,"cerbyManagedEmail":`...)
	b = appendBool(b, a.CerbyManagedEmail)
	b = append(b, `,"cerbyManagedPhone":`...)
	b = appendBool(b, a.CerbyManagedPhone)
	b = append(b, `,"createdAt":`...)
	b = appendTimeValue(b, a.CreatedAt)
	b = append(b, `,"createdBy":`...)
	b = appendOptional(b, a.CreatedBy)
	b = append(b, `,"createdByEmail":`...)
	b = appendOptional(b, a.CreatedByEmail)
	b = append(b, `,"domain":`...)
	b = appendOptional(b, a.Domain)
	b = append(b, `,"email":`...)
	b = appendOptional(b, a.Email)
	b = append(b, `,"hasBackupCode":`...)
	b = appendBool(b, a.HasBackupCode)
	b = append(b, `,"hasPasskey":`...)
	b = appendBool(b, a.HasPasskey)
	b = append(b, `,"hasTotp":`...)
	b = appendBool(b, a.HasTOTP)
	b = append(b, `,"label":`...)
	b = appendString(b, a.Label)
	b = append(b, `,"lastLoginBy":`...)
	b = appendOptional(b, a.LastLoginBy)
	b = append(b, `,"lastLoginDate":`...)
	b = appendTime(b, (*timestamp)(a.LastLoginAt))
	b = append(b, `,"lastPasswordChange":`...)
	b = appendTime(b, (*timestamp)(a.LastPasswordChange))
	b = append(b, `,"meta":`...)
	if len(a.Meta) == 0 {
		b = append(b, "{}"...)
	} else {
		b = appendAny(b, a.Meta)
	}
	b = append(b, `,"mfaEnabled":`...)
	b = appendBool(b, a.MFAEnabled())
	b = append(b, `,"mfaTypes":[`...)
	for i, t := range a.MFATypes {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, t)
	}
	b = append(b, `],"passwordSet":`...)
	b = appendBool(b, a.HasPassword)
	b = append(b, `,"passwordVisible":`...)
	b = appendBool(b, a.PasswordVisible)
	b = append(b, `,"phone":`...)
	b = appendOptional(b, a.Phone)
	b = append(b, `,"rotatedAt":`...)
	b = appendTime(b, (*timestamp)(a.RotatedAt))
	b = append(b, `,"rotatedBy":`...)
	b = appendOptional(b, a.RotatedBy)
	b = append(b, `,"rotatedById":`...)
	b = appendOptional(b, a.RotatedByID)
	b = append(b, `,"status":`...)
	b = appendString(b, string(a.Status))
	b = append(b, `,"syncedAt":`...)
	b = appendTime(b, (*timestamp)(a.SyncedAt))
	b = append(b, `,"updatedAt":`...)
	b = appendTimeValue(b, a.UpdatedAt)
	b = append(b, `,"url":`...)
	b = appendOptional(b, a.URL)
	b = append(b, `,"username":`...)
	b = appendOptional(b, a.Username)
	b = append(b, `,"vaultId":`...)
	b = appendString(b, a.VaultID)
	b = append(b, `,"workspace":`...)
	b = appendString(b, a.WorkspaceName)
	return append(b, '}')
}

func (a accountSecretAttributes) appendJSON(b []byte) []byte {
	b = append(b, `{"body":{"type":`...)
	b = appendString(b, a.Body.Type)
	b = append(b, `,"value":`...)
	b = appendString(b, a.Body.Value)
	b = append(b, `},"createdAt":`...)
	b = appendTime(b, a.CreatedAt)
	b = append(b, `,"secretType":`...)
	b = appendString(b, a.SecretType)
	b = append(b, `,"updatedAt":`...)
	b = appendTime(b, a.UpdatedAt)
	b = append(b, `,"vaultId":`...)
	b = appendString(b, a.VaultID)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(a.Version), 10)
	return append(b, '}')
}
