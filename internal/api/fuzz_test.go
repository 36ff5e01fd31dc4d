package api

import (
	"errors"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkeyhq/latchkey"
	apispec "github.com/latchkeyhq/latchkey/api"
)

// FuzzQuery feeds arbitrary query strings through what every list reads:
// parsing, paging, comma lists and the links built from them. Nothing may
// panic; a page that parses is in range; every link parses back to the same
// filters.
func FuzzQuery(f *testing.F) {
	for _, q := range []string{
		"", "page[number]=2&page[size]=3", "page%5Bnumber%5D=2&page%5Bsize%5D=3",
		"filter[application]=instagram,unmanaged&filter[status]=enabled", "filter%5Bstatus%5D=enabled,disabled",
		"page[size]=0", "page[size]=101", "page[number]=-1", "page[number]=99999999999999999999", "page[size]=1e3",
		"filter[secretType]=password&filter[type]=password", "a=%zz", "a=1;b=2", "&&&=&", "filter[application]=,,,",
		"filter[application]=%E2%9C%93&x=%00", "page[number]=%2B2",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := httptest.NewRequest("GET", "/api/v1/accounts", nil)
		r.URL.RawQuery = raw
		r, err := withQuery(r)
		if err != nil {
			if latchkey.ErrorCodeOf(err) != latchkey.EInvalid {
				t.Fatalf("query error is not a validation error: %v", err)
			}
			return
		}
		for _, v := range commaList(r, "filter[application]") {
			if v == "" || strings.Contains(v, ",") {
				t.Fatalf("comma list item %q", v)
			}
		}
		p, err := page(r, 25)
		if err != nil {
			if latchkey.ErrorCodeOf(err) != latchkey.EInvalid {
				t.Fatalf("page error is not a validation error: %v", err)
			}
			return
		}
		if p.Number < 1 || p.Size < 1 || p.Size > latchkey.MaxPageSize {
			t.Fatalf("page out of range: %+v", p)
		}
		l := newList(r, p, 1000, nil)
		for _, link := range []*string{&l.Links.Self, l.Links.Next, l.Links.Previous} {
			if link == nil {
				continue
			}
			if !strings.HasPrefix(*link, "/api/v1/accounts?page%5Bnumber%5D=") {
				t.Fatalf("link %q", *link)
			}
			u, err := url.Parse(*link)
			if err != nil {
				t.Fatalf("link %q does not parse: %v", *link, err)
			}
			got := u.Query()
			for k, vs := range query(r) {
				if k == "page[number]" || k == "page[size]" {
					continue
				}
				if strings.Join(got[k], "\x00") != strings.Join(vs, "\x00") {
					t.Fatalf("link %q lost %q=%q (got %q)", *link, k, vs, got[k])
				}
			}
		}
	})
}

// FuzzBody feeds arbitrary bodies to POST /accounts and POST /secrets
// through the validator and the decoder. Nothing may panic, every refusal
// is a validation error with a location (or a size error), and a body both
// accept yields attributes.
func FuzzBody(f *testing.F) {
	v, err := newValidator(apispec.Document)
	if err != nil {
		f.Fatal(err)
	}
	for _, b := range []string{
		`{"data":{"type":"account","attributes":{"application":"twitter","label":"x","password":"p","totp":"JBSWY3DPEHPK3PXP"}}}`,
		`{"data":{"attributes":{"vaultId":"01a208da-4cb6-78cf-87e8-98b8303ef3ef","title":"t","requiresIdentityChallenge":false,"category":"text","body":{"type":"plaintext","value":"v"}}}}`,
		`{"data":{"attributes":{"application":"a","label":"b","meta":{"k":[1,{"x":null}]}}}}`,
		`{"data":{"attributes":{"application":"a","label":"b","colour":"red"}}}`,
		`{"data":{"attributes":{"label":42}}}`, `{"data":null}`, `{"data":[]}`, `[]`, `null`, `"x"`, `{`, ``, `{}{}`,
		`{"data":{"attributes":{"application":"a","label":"b","password":null,"totp":null}}}`,
		`{"data":{"attributes":{"application":"\u0000","label":"\ud800"}}}`,
		`{"data":{"attributes":{"expiresAt":"not a time","vaultId":1}}}`,
	} {
		f.Add("/accounts", b)
		f.Add("/secrets", b)
	}
	f.Fuzz(func(t *testing.T, path, body string) {
		if path != "/accounts" && path != "/secrets" {
			path = "/accounts"
		}
		rt, ok := v.route("POST", Prefix+path)
		if !ok {
			t.Fatal("no route")
		}
		r := httptest.NewRequest("POST", "/api/v1"+path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r, _ = withQuery(r)
		if err := v.validate(r, rt); err != nil {
			checkRefusal(t, err)
			return
		}
		r.Body = httptest.NewRequest("POST", "/", strings.NewReader(body)).Body
		var err error
		if path == "/accounts" {
			var in in[accountInput]
			if err = decode(r, &in); err == nil {
				var a *accountInput
				if a, err = attributes(in, []string{"account"}, ""); err == nil {
					_ = a.core()
				}
			}
		} else {
			var in in[secretInput]
			if err = decode(r, &in); err == nil {
				var a *secretInput
				if a, err = attributes(in, []string{"secret"}, ""); err == nil {
					_ = a.checkBody()
					_ = a.core()
				}
			}
		}
		if err != nil {
			checkRefusal(t, err)
		}
	})
}

func checkRefusal(t *testing.T, err error) {
	t.Helper()
	var le *latchkey.Error
	if !errors.As(err, &le) {
		t.Fatalf("refusal is not a latchkey error: %T %v", err, err)
	}
	if le.Code != latchkey.EInvalid {
		t.Fatalf("refusal code %s: %v", le.Code, err)
	}
	if le.Meta == nil || len(le.Meta.Loc) == 0 || le.Meta.Type == "" || le.Meta.Msg == "" {
		t.Fatalf("refusal without a location: %+v", le.Meta)
	}
}
