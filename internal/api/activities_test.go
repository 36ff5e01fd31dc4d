package api_test

import (
	"strings"
	"testing"

	"github.com/latchkeyhq/latchkey/internal/server/servertest"
)

func TestActivities(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		owner := servertest.Bearer(f.ownerToken)
		key := servertest.Key(f.ownerKey)
		id := f.createAccount(t, owner, map[string]any{"application": "twitter", "label": "x", "password": "pw-activity-1", "totp": testSeed})
		must(t, f.do(t, key, "GET", "/api/v1/accounts/"+id+"/secrets?filter[secretType]=password", nil), 200)
		must(t, f.do(t, key, "GET", "/api/v1/accounts/"+id+"/totp", nil), 200)
		sec := f.createSecret(t, key, "note", "secret-note-body")
		must(t, f.do(t, key, "GET", "/api/v1/secrets/"+sec, nil), 200)
		f.createAccount(t, servertest.Bearer(f.memberToken), map[string]any{"application": "canva", "label": "members own"})

		doc := must(t, f.do(t, key, "GET", "/api/v1/activities?filter[resource]="+id, nil), 200)
		var actions []string
		for _, a := range dig(t, doc, "data").([]any) {
			actions = append(actions, dig(t, a, "attributes", "action").(string))
		}
		// Newest first.
		if got := strings.Join(actions, ","); got != "account.totp.read,account.password.read,account.created" {
			t.Errorf("actions on the account: %s", got)
		}
		read := dig(t, doc, "data", 1, "attributes").(map[string]any)
		if read["credentialType"] != "api_key" || read["actorId"] != f.owner || read["clientAddress"] != "127.0.0.1" {
			t.Errorf("password read record: %v", read)
		}

		doc = must(t, f.do(t, key, "GET", "/api/v1/activities?filter[action]=secret.body.read,secret.created", nil), 200)
		if dig(t, doc, "meta", "page", "total") != 2.0 {
			t.Errorf("secret events: %v", doc)
		}

		// A member sees only what they did.
		doc = must(t, f.do(t, servertest.Bearer(f.memberToken), "GET", "/api/v1/activities", nil), 200)
		for _, a := range dig(t, doc, "data").([]any) {
			if dig(t, a, "attributes", "actorId") != f.member {
				t.Errorf("member sees someone else's event: %v", a)
			}
		}
		if dig(t, doc, "meta", "page", "total") != 1.0 {
			t.Errorf("member's events: %v", doc)
		}

		r := f.do(t, key, "GET", "/api/v1/activities?filter[since]=yesterday", nil)
		if r.Status != 400 || locOf(t, errorOf(t, r)) != "filter[since]" {
			t.Errorf("bad since: %d %s", r.Status, r.Body)
		}
	})
}
