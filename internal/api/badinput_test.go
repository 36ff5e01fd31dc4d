package api_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/latchkeyhq/latchkey/internal/server/servertest"
)

// Every kind of bad input gets a clear 4xx in the errors[] envelope, never a
// 500, and changes nothing.
func TestBadInput(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		owner := servertest.Bearer(f.ownerToken)
		key := servertest.Key(f.ownerKey)
		acc := f.createAccount(t, owner, map[string]any{"application": "twitter", "label": "keep me", "password": "unchanged-pw"})
		vault := f.defaultVault(t)
		big := strings.Repeat("x", 2<<20)

		cases := []struct {
			name, method, path string
			body               any
			status             int
			code, loc, typ     string
		}{
			{"malformed JSON", "POST", "/api/v1/accounts", `{"data": {`, 400, "validation_error", "body", "value_error.jsondecode"},
			{"not an object", "POST", "/api/v1/accounts", `[1,2]`, 400, "validation_error", "", ""},
			{"empty body", "POST", "/api/v1/accounts", "", 400, "validation_error", "body", "value_error.missing"},
			{"no data", "POST", "/api/v1/accounts", `{}`, 400, "validation_error", "data", "value_error.missing"},
			{"unknown field", "POST", "/api/v1/accounts", `{"data":{"attributes":{"application":"a","label":"b","colour":"red"}}}`, 400, "validation_error", "data.attributes.colour", "extra_forbidden"},
			{"unknown top-level field", "PATCH", "/api/v1/accounts/" + acc, `{"data":{"attributes":{}},"extra":1}`, 400, "validation_error", "extra", "extra_forbidden"},
			{"wrong type", "POST", "/api/v1/accounts", `{"data":{"attributes":{"application":"a","label":42}}}`, 400, "validation_error", "data.attributes.label", "type_error.str"},
			{"missing required", "POST", "/api/v1/accounts", `{"data":{"attributes":{"application":"a"}}}`, 400, "validation_error", "data.attributes.label", "value_error.missing"},
			{"bad application id", "POST", "/api/v1/accounts", `{"data":{"attributes":{"application":"Not Valid!","label":"b"}}}`, 400, "validation_error", "data.attributes.application", ""},
			{"bad TOTP seed", "POST", "/api/v1/accounts", `{"data":{"attributes":{"application":"a","label":"b","totp":"not-base32!!"}}}`, 400, "validation_error", "data.attributes.totp", ""},
			{"bad url", "POST", "/api/v1/accounts", `{"data":{"attributes":{"application":"a","label":"b","url":"javascript:alert(1)"}}}`, 400, "validation_error", "data.attributes.url", ""},
			{"wrong data.type", "POST", "/api/v1/accounts", `{"data":{"type":"secret","attributes":{"application":"a","label":"b"}}}`, 400, "validation_error", "data.type", ""},
			{"id mismatch", "PATCH", "/api/v1/accounts/" + acc, `{"data":{"id":"01a20000-0000-7000-8000-000000000000","attributes":{"label":"z"}}}`, 400, "validation_error", "data.id", ""},
			{"bad status value", "PATCH", "/api/v1/accounts/" + acc, `{"data":{"attributes":{"status":"archived"}}}`, 400, "validation_error", "data.attributes.status", "type_error.enum"},
			{"NUL in a label", "POST", "/api/v1/accounts", `{"data":{"attributes":{"application":"a","label":"a\u0000b"}}}`, 400, "validation_error", "data.attributes.label", ""},
			{"NUL in a username", "POST", "/api/v1/accounts", `{"data":{"attributes":{"application":"a","label":"b","username":"x\u0000"}}}`, 400, "validation_error", "data.attributes.username", ""},
			{"invalid UTF-8 in a filter", "GET", "/api/v1/accounts?filter[application]=%FF", nil, 400, "validation_error", "filter[application].0", ""},
			{"NUL in an activity filter", "GET", "/api/v1/activities?filter[actor]=%00", nil, 400, "validation_error", "filter[actor].0", ""},
			{"broken UTF-8 in a resource filter", "GET", "/api/v1/activities?filter[resource]=%C3%28", nil, 400, "validation_error", "filter[resource].0", ""},
			{"non-UUID id", "GET", "/api/v1/accounts/not-a-uuid", nil, 404, "not_found", "", ""},
			{"upper-case UUID", "GET", "/api/v1/accounts/" + strings.ToUpper(acc), nil, 404, "not_found", "", ""},
			{"unknown id", "GET", "/api/v1/accounts/01a20000-0000-7000-8000-000000000000", nil, 404, "not_found", "", ""},
			{"page size 0", "GET", "/api/v1/accounts?page[size]=0", nil, 400, "validation_error", "page[size]", ""},
			{"page size 101", "GET", "/api/v1/accounts?page[size]=101", nil, 400, "validation_error", "page[size]", ""},
			{"page number 0", "GET", "/api/v1/accounts?page[number]=0", nil, 400, "validation_error", "page[number]", ""},
			{"page number text", "GET", "/api/v1/accounts?page%5Bnumber%5D=two", nil, 400, "validation_error", "page[number]", ""},
			{"unknown filter value", "GET", "/api/v1/accounts?filter[status]=archived", nil, 400, "validation_error", "filter[status].0", "type_error.enum"},
			{"missing secret type", "GET", "/api/v1/accounts/" + acc + "/secrets", nil, 400, "validation_error", "filter[secretType]", "value_error.missing"},
			{"wrong secret type", "GET", "/api/v1/accounts/" + acc + "/secrets?filter[secretType]=totp", nil, 400, "validation_error", "filter[secretType]", ""},
			{"bad member type", "GET", "/api/v1/secrets/" + acc + "/members/groups", nil, 400, "validation_error", "memberType", ""},
			{"oversized body", "PATCH", "/api/v1/accounts/" + acc, `{"data":{"attributes":{"label":"` + big + `"}}}`, 413, "payload_too_large", "", ""},
			{"secret body type", "POST", "/api/v1/secrets", fmt.Sprintf(`{"data":{"attributes":{"vaultId":%q,"title":"t","requiresIdentityChallenge":false,"category":"text","body":{"type":"html","value":"v"}}}}`, vault), 400, "validation_error", "data.attributes.body.type", ""},
			{"secret vault not a uuid", "POST", "/api/v1/secrets", `{"data":{"attributes":{"vaultId":"nope","title":"t","requiresIdentityChallenge":false,"category":"text","body":{"type":"plaintext","value":"v"}}}}`, 400, "validation_error", "data.attributes.vaultId", ""},
			{"secret vault unknown", "POST", "/api/v1/secrets", `{"data":{"attributes":{"vaultId":"01a20000-0000-7000-8000-000000000000","title":"t","requiresIdentityChallenge":false,"category":"text","body":{"type":"plaintext","value":"v"}}}}`, 400, "validation_error", "data.attributes.vaultId", ""},
			{"secret body too long", "POST", "/api/v1/secrets", fmt.Sprintf(`{"data":{"attributes":{"vaultId":%q,"title":"t","requiresIdentityChallenge":false,"category":"text","body":{"type":"plaintext","value":%q}}}}`, vault, strings.Repeat("é", 45001)), 400, "validation_error", "data.attributes.body.value", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				cred := key
				if c.method != "GET" {
					cred = owner
				}
				r := f.do(t, cred, c.method, c.path, c.body)
				if r.Status != c.status {
					t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
				}
				e := errorOf(t, r)
				if e["code"] != c.code {
					t.Errorf("code %v, want %s", e["code"], c.code)
				}
				if c.code != "validation_error" {
					if e["meta"] != nil {
						t.Errorf("meta %v on a %s", e["meta"], c.code)
					}
					return
				}
				if c.loc != "" {
					if got := locOf(t, e); got != c.loc {
						t.Errorf("loc %s, want %s", got, c.loc)
					}
				}
				if c.typ != "" {
					if got := dig(t, e, "meta", "type"); got != c.typ {
						t.Errorf("type %v, want %s", got, c.typ)
					}
				}
				if d, _ := e["detail"].(string); d == "" {
					t.Error("no detail")
				}
			})
		}

		t.Run("nothing changed", func(t *testing.T) {
			doc := must(t, f.do(t, key, "GET", "/api/v1/accounts/"+acc, nil), 200)
			if dig(t, doc, "data", "attributes", "label") != "keep me" || dig(t, doc, "data", "attributes", "status") != "enabled" {
				t.Errorf("the account changed: %v", dig(t, doc, "data", "attributes"))
			}
			pw := must(t, f.do(t, key, "GET", "/api/v1/accounts/"+acc+"/secrets?filter[secretType]=password", nil), 200)
			if dig(t, pw, "data", 0, "attributes", "body", "value") != "unchanged-pw" {
				t.Error("the password changed")
			}
			list := must(t, f.do(t, key, "GET", "/api/v1/accounts", nil), 200)
			if dig(t, list, "meta", "page", "total") != 1.0 {
				t.Errorf("accounts were created: %v", list)
			}
			secrets := must(t, f.do(t, key, "GET", "/api/v1/secrets", nil), 200)
			if dig(t, secrets, "meta", "page", "total") != 0.0 {
				t.Errorf("secrets were created: %v", secrets)
			}
		})
	})
}

// Concurrent writes to one row serialize: every write that answers 200 is
// applied, none is lost, and the rest answer 409.
func TestConcurrentWritesToOneAccount(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		owner := servertest.Bearer(f.ownerToken)
		id := f.createAccount(t, owner, map[string]any{"application": "twitter", "label": "race", "password": "v0"})
		const writers = 12
		statuses := make([]int, writers)
		var wg sync.WaitGroup
		for i := 0; i < writers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := map[string]any{"data": map[string]any{"attributes": map[string]any{"password": fmt.Sprintf("v%d", i+1)}}}
				statuses[i] = f.do(t, owner, "PATCH", "/api/v1/accounts/"+id, body).Status
			}()
		}
		wg.Wait()
		ok := 0
		for i, s := range statuses {
			switch s {
			case 200:
				ok++
			case 409:
			default:
				t.Errorf("writer %d: status %d", i, s)
			}
		}
		pw := must(t, f.do(t, servertest.Key(f.ownerKey), "GET", "/api/v1/accounts/"+id+"/secrets?filter[secretType]=password", nil), 200)
		if got := dig(t, pw, "data", 0, "attributes", "version"); got != float64(1+ok) {
			t.Errorf("%d writes succeeded but the password is at version %v", ok, got)
		}
		acts := must(t, f.do(t, owner, "GET", "/api/v1/activities?filter[action]=account.updated&filter[resource]="+id, nil), 200)
		if got := dig(t, acts, "meta", "page", "total"); got != float64(ok) {
			t.Errorf("%d writes succeeded but %v were recorded", ok, got)
		}
		if ok == 0 {
			t.Error("no write succeeded")
		}
	})
}
