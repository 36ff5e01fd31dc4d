package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey/internal/otp"
	"github.com/latchkeyhq/latchkey/internal/server/servertest"
)

// A seed from RFC 6238's test vectors, so the expected code is computable.
const testSeed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

func TestAccountLifecycle(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		owner := servertest.Bearer(f.ownerToken)
		key := servertest.Key(f.ownerKey)
		id := f.createAccount(t, owner, map[string]any{
			"application": "twitter", "label": "Acme on X", "username": "acme", "url": "https://x.com/login",
			"password": "first-Pa55word", "totp": "otpauth://totp/X:acme?secret=" + testSeed + "&issuer=X",
			"meta": map[string]any{"region": "emea"},
		})

		t.Run("get", func(t *testing.T) {
			doc := must(t, f.do(t, key, "GET", "/api/v1/accounts/"+id, nil), 200)
			a := dig(t, doc, "data", "attributes").(map[string]any)
			for k, want := range map[string]any{"application": "twitter", "label": "Acme on X", "username": "acme",
				"workspace": "acme", "hasTotp": true, "mfaEnabled": true, "passwordSet": true, "status": "enabled", "createdBy": f.owner} {
				if a[k] != want {
					t.Errorf("attributes.%s = %v, want %v", k, a[k], want)
				}
			}
			if dig(t, doc, "data", "type") != "account" {
				t.Errorf("type = %v", dig(t, doc, "data", "type"))
			}
			if _, ok := doc["links"]; ok {
				t.Errorf("a single resource carries links: %v", doc)
			}
		})

		t.Run("password", func(t *testing.T) {
			doc := must(t, f.do(t, key, "GET", "/api/v1/accounts/"+id+"/secrets?filter[secretType]=password", nil), 200)
			if got := dig(t, doc, "data", 0, "attributes", "body", "value"); got != "first-Pa55word" {
				t.Errorf("password = %v", got)
			}
			for k, want := range map[string]any{"secretType": "password"} {
				if got := dig(t, doc, "data", 0, "attributes", k); got != want {
					t.Errorf("%s = %v, want %v", k, got, want)
				}
			}
			if got := dig(t, doc, "data", 0, "attributes", "body", "type"); got != "plaintext" {
				t.Errorf("body.type = %v", got)
			}
			if got := dig(t, doc, "meta", "page", "total"); got != 1.0 {
				t.Errorf("total = %v", got)
			}
			// The draft's spelling and an encoded key work the same.
			for _, q := range []string{"filter[type]=password", "filter%5BsecretType%5D=password"} {
				doc := must(t, f.do(t, key, "GET", "/api/v1/accounts/"+id+"/secrets?"+q, nil), 200)
				if got := dig(t, doc, "data", 0, "attributes", "body", "value"); got != "first-Pa55word" {
					t.Errorf("%s: password = %v", q, got)
				}
			}
			// The read counts as the account's last login.
			acc := must(t, f.do(t, key, "GET", "/api/v1/accounts/"+id, nil), 200)
			if got := dig(t, acc, "data", "attributes", "lastLoginBy"); got != "olivia Test" {
				t.Errorf("lastLoginBy = %v", got)
			}
		})

		t.Run("totp", func(t *testing.T) {
			before := time.Now()
			doc := must(t, f.do(t, key, "GET", "/api/v1/accounts/"+id+"/totp", nil), 200)
			after := time.Now()
			seed, err := otp.Parse(testSeed)
			if err != nil {
				t.Fatal(err)
			}
			got := dig(t, doc, "data", "attributes", "code").(string)
			want1, _, _ := seed.Code(before)
			want2, _, _ := seed.Code(after)
			if got != want1 && got != want2 {
				t.Errorf("code %s, want %s (or %s at a period boundary)", got, want1, want2)
			}
			if in := dig(t, doc, "data", "attributes", "expiresIn").(float64); in < 0 || in > 30 {
				t.Errorf("expiresIn = %v", in)
			}
		})

		t.Run("patch makes a new password version", func(t *testing.T) {
			body := map[string]any{"data": map[string]any{"type": "account", "id": id, "attributes": map[string]any{
				"label": "Acme on X (main)", "password": "second-Pa55word", "status": "disabled"}}}
			doc := must(t, f.do(t, owner, "PATCH", "/api/v1/accounts/"+id, body), 200)
			if got := dig(t, doc, "data", "attributes", "label"); got != "Acme on X (main)" {
				t.Errorf("label = %v", got)
			}
			pw := must(t, f.do(t, key, "GET", "/api/v1/accounts/"+id+"/secrets?filter[secretType]=password", nil), 200)
			if got := dig(t, pw, "data", 0, "attributes", "body", "value"); got != "second-Pa55word" {
				t.Errorf("password after patch = %v", got)
			}
			if got := dig(t, pw, "data", 0, "attributes", "version"); got != 2.0 {
				t.Errorf("version = %v", got)
			}
		})

		t.Run("clearing the seed", func(t *testing.T) {
			body := map[string]any{"data": map[string]any{"attributes": map[string]any{"totp": nil}}}
			doc := must(t, f.do(t, owner, "PATCH", "/api/v1/accounts/"+id, body), 200)
			if dig(t, doc, "data", "attributes", "hasTotp") != false || len(dig(t, doc, "data", "attributes", "mfaTypes").([]any)) != 0 {
				t.Errorf("after clearing: %v", dig(t, doc, "data", "attributes"))
			}
			r := f.do(t, key, "GET", "/api/v1/accounts/"+id+"/totp", nil)
			if r.Status != 404 {
				t.Errorf("totp of an account without a seed: %d %s", r.Status, r.Body)
			}
		})

		t.Run("delete", func(t *testing.T) {
			must(t, f.do(t, owner, "DELETE", "/api/v1/accounts/"+id, nil), 204)
			for _, p := range []string{"", "/secrets?filter[secretType]=password", "/totp"} {
				if r := f.do(t, key, "GET", "/api/v1/accounts/"+id+p, nil); r.Status != 404 {
					t.Errorf("GET %s after delete: %d", p, r.Status)
				}
			}
			if r := f.do(t, owner, "DELETE", "/api/v1/accounts/"+id, nil); r.Status != 404 {
				t.Errorf("second delete: %d", r.Status)
			}
		})
	})
}

func TestAccountListPagingAndFilters(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		owner := servertest.Bearer(f.ownerToken)
		key := servertest.Key(f.ownerKey)
		var ids []string
		for i := 0; i < 7; i++ {
			app := "mailchimp"
			if i%2 == 0 {
				app = "instagram"
			}
			ids = append(ids, f.createAccount(t, owner, map[string]any{"application": app, "label": fmt.Sprintf("account %d", i)}))
		}
		// Someone else's account never shows in the owner's key's list.
		f.createAccount(t, servertest.Bearer(f.adminToken), map[string]any{"application": "instagram", "label": "not yours"})

		t.Run("walk", func(t *testing.T) {
			var seen []string
			next := "/api/v1/accounts?page[size]=3"
			pages := 0
			for next != "" {
				doc := must(t, f.do(t, key, "GET", next, nil), 200)
				pages++
				if got := dig(t, doc, "meta", "page", "total"); got != 7.0 {
					t.Errorf("total = %v", got)
				}
				if got := dig(t, doc, "meta", "page", "maxSize"); got != 100.0 {
					t.Errorf("maxSize = %v", got)
				}
				for _, d := range dig(t, doc, "data").([]any) {
					seen = append(seen, dig(t, d, "id").(string))
				}
				links := dig(t, doc, "links").(map[string]any)
				for _, k := range []string{"self", "next", "previous"} {
					if _, ok := links[k]; !ok {
						t.Errorf("links.%s missing", k)
					}
				}
				self := links["self"].(string)
				if !strings.HasPrefix(self, "/api/v1/accounts?page%5Bnumber%5D=") {
					t.Errorf("self link %q is not a host-relative, encoded path", self)
				}
				next = ""
				if n, ok := links["next"].(string); ok {
					next = n
				}
			}
			if pages != 3 || strings.Join(seen, ",") != strings.Join(ids, ",") {
				t.Errorf("walked %d pages, saw %v; want 3 pages of %v", pages, seen, ids)
			}
		})

		t.Run("filters are kept in links", func(t *testing.T) {
			for _, q := range []string{"filter[application]=instagram&page[size]=2", "filter%5Bapplication%5D=instagram&page%5Bsize%5D=2"} {
				doc := must(t, f.do(t, key, "GET", "/api/v1/accounts?"+q, nil), 200)
				if got := dig(t, doc, "meta", "page", "total"); got != 4.0 {
					t.Errorf("%s: total = %v, want 4", q, got)
				}
				want := "/api/v1/accounts?page%5Bnumber%5D=2&page%5Bsize%5D=2&page%5Bafter%5D=" + dig(t, doc, "data", 1, "id").(string) + "&filter%5Bapplication%5D=instagram"
				if got := dig(t, doc, "links", "next"); got != want {
					t.Errorf("%s: next = %v, want %s", q, got, want)
				}
				if got := dig(t, doc, "links", "previous"); got != nil {
					t.Errorf("previous on page 1 = %v", got)
				}
			}
			doc := must(t, f.do(t, key, "GET", "/api/v1/accounts?filter[application]=instagram,mailchimp&filter[status]=enabled", nil), 200)
			if got := dig(t, doc, "meta", "page", "total"); got != 7.0 {
				t.Errorf("two applications: total = %v, want 7", got)
			}
			doc = must(t, f.do(t, key, "GET", "/api/v1/accounts?filter[status]=disabled", nil), 200)
			if got := dig(t, doc, "meta", "page", "total"); got != 0.0 {
				t.Errorf("disabled: total = %v, want 0", got)
			}
		})

		t.Run("past the end", func(t *testing.T) {
			doc := must(t, f.do(t, key, "GET", "/api/v1/accounts?page[number]=9&page[size]=3", nil), 200)
			if n := len(dig(t, doc, "data").([]any)); n != 0 {
				t.Errorf("%d items past the end", n)
			}
			if got := dig(t, doc, "links", "next"); got != nil {
				t.Errorf("next past the end = %v", got)
			}
			want := "/api/v1/accounts?page%5Bnumber%5D=3&page%5Bsize%5D=3"
			if got := dig(t, doc, "links", "previous"); got != want {
				t.Errorf("previous past the end = %v, want the last page %s", got, want)
			}
		})
	})
}

// The base URL may end in a slash and be joined with relative paths, as
// the vendor's clients do; and the id may arrive URI-encoded.
func TestRelativeJoin(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		id := f.createAccount(t, servertest.Bearer(f.ownerToken), map[string]any{"application": "twitter", "label": "x"})
		base, _ := url.Parse(f.s.URL + "/api/v1/")
		ref, _ := url.Parse("accounts/" + url.PathEscape(id))
		u := base.ResolveReference(ref)
		must(t, f.do(t, servertest.Key(f.ownerKey), "GET", u.RequestURI(), nil), 200)
	})
}
