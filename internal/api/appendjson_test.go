package api

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// accountOracle is the account's attributes as encoding/json would write
// them from tags: the reference the hand-written encoder must match.
type accountOracle struct {
	Application        string         `json:"application"`
	AutofillMFA        bool           `json:"autofillMfa"`
	AvatarURL          *string        `json:"avatarUrl"`
	BusinessID         *string        `json:"businessId"`
	CerbyManagedEmail  bool           `json:"cerbyManagedEmail"`
	CerbyManagedPhone  bool           `json:"cerbyManagedPhone"`
	CreatedAt          *timestamp     `json:"createdAt"`
	CreatedBy          *string        `json:"createdBy"`
	CreatedByEmail     *string        `json:"createdByEmail"`
	Domain             *string        `json:"domain"`
	Email              *string        `json:"email"`
	HasBackupCode      bool           `json:"hasBackupCode"`
	HasPasskey         bool           `json:"hasPasskey"`
	HasTOTP            bool           `json:"hasTotp"`
	Label              string         `json:"label"`
	LastLoginBy        *string        `json:"lastLoginBy"`
	LastLoginDate      *timestamp     `json:"lastLoginDate"`
	LastPasswordChange *timestamp     `json:"lastPasswordChange"`
	Meta               map[string]any `json:"meta"`
	MFAEnabled         bool           `json:"mfaEnabled"`
	MFATypes           []string       `json:"mfaTypes"`
	PasswordSet        bool           `json:"passwordSet"`
	PasswordVisible    bool           `json:"passwordVisible"`
	Phone              *string        `json:"phone"`
	RotatedAt          *timestamp     `json:"rotatedAt"`
	RotatedBy          *string        `json:"rotatedBy"`
	RotatedByID        *string        `json:"rotatedById"`
	Status             string         `json:"status"`
	SyncedAt           *timestamp     `json:"syncedAt"`
	UpdatedAt          *timestamp     `json:"updatedAt"`
	URL                *string        `json:"url"`
	Username           *string        `json:"username"`
	VaultID            string         `json:"vaultId"`
	Workspace          string         `json:"workspace"`
}

func oracleOf(a *latchkey.Account) accountOracle {
	meta := a.Meta
	if meta == nil {
		meta = map[string]any{}
	}
	mfa := a.MFATypes
	if mfa == nil {
		mfa = []string{}
	}
	return accountOracle{
		Application: a.Application, AutofillMFA: a.AutofillMFA, AvatarURL: str(a.AvatarURL), BusinessID: str(a.BusinessID),
		CerbyManagedEmail: a.CerbyManagedEmail, CerbyManagedPhone: a.CerbyManagedPhone,
		CreatedAt: ts(a.CreatedAt), CreatedBy: str(a.CreatedBy), CreatedByEmail: str(a.CreatedByEmail),
		Domain: str(a.Domain), Email: str(a.Email), HasBackupCode: a.HasBackupCode, HasPasskey: a.HasPasskey, HasTOTP: a.HasTOTP,
		Label: a.Label, LastLoginBy: str(a.LastLoginBy), LastLoginDate: tsPtr(a.LastLoginAt), LastPasswordChange: tsPtr(a.LastPasswordChange),
		Meta: meta, MFAEnabled: a.MFAEnabled(), MFATypes: mfa, PasswordSet: a.HasPassword, PasswordVisible: a.PasswordVisible,
		Phone: str(a.Phone), RotatedAt: tsPtr(a.RotatedAt), RotatedBy: str(a.RotatedBy), RotatedByID: str(a.RotatedByID),
		Status: string(a.Status), SyncedAt: tsPtr(a.SyncedAt), UpdatedAt: ts(a.UpdatedAt), URL: str(a.URL),
		Username: str(a.Username), VaultID: a.VaultID, Workspace: a.WorkspaceName,
	}
}

func stdEncode(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// FuzzAccountJSON holds the hand-written encoder to encoding/json's bytes
// for any strings, flags and times an account may hold.
func FuzzAccountJSON(f *testing.F) {
	f.Add("twitter", "Acme on X", "acme", "", "https://x.com/<login>&", "\x00\x1f\"\\\u2028\u2029", "\xff\xfe invalid", true, false, int64(1700000000123456), "otp")
	f.Add("", "", "", "", "", "", "", false, true, int64(0), "")
	f.Add("a", "é 漢字 🎉", "\t\n\r\b\f", "x", "y", "z", "\u007f", true, true, int64(-62135596800000000), "rsa_secur_id_token")
	f.Fuzz(func(t *testing.T, app, label, user, email, url, phone, domain string, flag1, flag2 bool, us int64, mfa string) {
		when := time.UnixMicro(us)
		a := &latchkey.Account{ID: "id", WorkspaceName: "acme", VaultID: "v", Application: app, Label: label, Username: user,
			Email: email, URL: url, Phone: phone, Domain: domain, AvatarURL: domain, BusinessID: phone, Status: latchkey.AccountStatus(label),
			PasswordVisible: flag1, AutofillMFA: flag2, HasTOTP: flag1, HasPassword: flag2, CerbyManagedEmail: flag1,
			CreatedAt: when, UpdatedAt: when.Add(time.Second), CreatedBy: user, LastLoginBy: label, RotatedBy: app}
		if flag1 {
			a.LastLoginAt, a.RotatedAt = &when, &when
			a.Meta = map[string]any{label: app, "n": 1}
		}
		if mfa != "" {
			a.MFATypes = []string{mfa, app}
		}
		want := stdEncode(t, oracleOf(a))
		got := accountAttributes{a}.appendJSON(nil)
		if !bytes.Equal(got, want) {
			t.Fatalf("hand-written:\n%s\nencoding/json:\n%s", got, want)
		}
		// And the envelopes around it.
		r := httptest.NewRequest("GET", "/api/v1/accounts?filter[application]="+urlSafe(app), nil)
		r, _ = withQuery(r)
		l := newList(r, latchkey.Page{Number: 2, Size: 1}, 3, []resource{accountResource(a)})
		type plainList struct {
			Data []struct {
				ID         string        `json:"id"`
				Type       string        `json:"type"`
				Attributes accountOracle `json:"attributes"`
			} `json:"data"`
			Links links    `json:"links"`
			Meta  listMeta `json:"meta"`
		}
		var pl plainList
		pl.Data = append(pl.Data, struct {
			ID         string        `json:"id"`
			Type       string        `json:"type"`
			Attributes accountOracle `json:"attributes"`
		}{"id", "account", oracleOf(a)})
		pl.Links, pl.Meta = l.Links, l.Meta
		if got, want := l.appendJSON(nil), stdEncode(t, pl); !bytes.Equal(got, want) {
			t.Fatalf("list:\n%s\nencoding/json:\n%s", got, want)
		}
	})
}

func urlSafe(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b = append(b, c)
		}
	}
	return string(b)
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `"quoted" \ back`, "\x00\x01\x1f\x7f", "<html>&amp;", "\u2028\u2029", "\xff", "a\xc3", "🎉", "\xed\xa0\x80"} {
		if got, want := appendString(nil, s), stdEncode(t, s); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}

func TestAppendTimeMatchesFormat(t *testing.T) {
	times := []time.Time{
		{},
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 23, 9, 5, 7, 0, time.UTC),
		time.Date(2026, 11, 23, 9, 5, 7, 1000, time.UTC),
		time.Date(2026, 11, 23, 9, 5, 7, 999, time.UTC), // below a microsecond
		time.Date(2026, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(2026, 6, 1, 1, 30, 0, 500_000_000, time.FixedZone("east", 5*3600+1800)),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		times = append(times, time.UnixMicro(rng.Int64N(400*365*24*3600*1_000_000)-100*365*24*3600*1_000_000))
	}
	for _, tm := range times {
		if got, want := string(appendTimeText(nil, tm)), formatTime(tm); got != want {
			t.Errorf("appendTimeText(%v) = %s, want %s", tm, got, want)
		}
	}
}
