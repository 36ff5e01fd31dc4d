package api_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/latchkeyhq/latchkey/internal/server/servertest"
)

func TestLegacyReadAPI(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		owner := servertest.Bearer(f.ownerToken)
		key := servertest.Key(f.ownerKey)
		var ids []string
		for i, label := range []string{"Charlie", "alpha", "Bravo"} {
			ids = append(ids, f.createAccount(t, owner, map[string]any{"application": []string{"twitter", "instagram", "twitter"}[i], "label": label, "username": "user" + label}))
		}

		for _, prefix := range []string{"/api/v1", "/v1"} {
			t.Run(prefix+"/admin/users", func(t *testing.T) {
				doc := must(t, f.do(t, key, "GET", prefix+"/admin/users?count=2&startIndex=2", nil), 200)
				if doc["totalResults"] != 5.0 || doc["itemsPerPage"] != 2.0 || doc["startIndex"] != 2.0 {
					t.Errorf("envelope: %v", doc)
				}
				first := doc["resources"].([]any)[0].(map[string]any)
				for _, k := range []string{"id", "firstName", "lastName", "email", "status", "role", "isGuest", "createdAt", "updatedAt", "lastActivity", "meta"} {
					if _, ok := first[k]; !ok {
						t.Errorf("member lacks %s", k)
					}
				}
				doc = must(t, f.do(t, key, "GET", prefix+"/admin/users?search=gus&isGuest=true&status=live", nil), 200)
				if doc["totalResults"] != 1.0 {
					t.Errorf("search: %v", doc)
				}
				if r := f.do(t, servertest.Bearer(f.memberToken), "GET", prefix+"/admin/users", nil); r.Status != 403 {
					t.Errorf("a member: %d", r.Status)
				}
			})
			t.Run(prefix+"/users/{id}/accounts", func(t *testing.T) {
				r := f.do(t, key, "GET", prefix+"/users/"+f.owner+"/accounts", nil)
				var arr []map[string]any
				if r.Status != 200 || json.Unmarshal(r.Body, &arr) != nil || len(arr) != 3 {
					t.Fatalf("%d %s", r.Status, r.Body)
				}
				if arr[0]["name"] != "Charlie" || arr[0]["provider"] != "twitter" || arr[0]["role"] != "owner" || arr[0]["type"] != "identity" {
					t.Errorf("legacy account: %v", arr[0])
				}
				if r := f.do(t, servertest.Bearer(f.memberToken), "GET", prefix+"/users/"+f.owner+"/accounts", nil); r.Status != 403 {
					t.Errorf("a member reading the owner's accounts: %d", r.Status)
				}
				r = f.do(t, servertest.Bearer(f.memberToken), "GET", prefix+"/users/"+f.member+"/accounts", nil)
				if r.Status != 200 || string(r.Body) != "[]\n" {
					t.Errorf("a member's own, empty: %d %q", r.Status, r.Body)
				}
			})
		}

		t.Run("/v1/accounts", func(t *testing.T) {
			doc := must(t, f.do(t, key, "GET", "/v1/accounts?limit=2&startIndex=1&sortBy=sorting_query_by_alpha_asc", nil), 200)
			if doc["limit"] != 2.0 || doc["startIndex"] != 1.0 || doc["totalResults"] != 3.0 {
				t.Errorf("envelope: %v", doc)
			}
			accounts := doc["accounts"].([]any)
			if len(accounts) != 2 || dig(t, accounts, 0, "name") != "alpha" || dig(t, accounts, 1, "name") != "Bravo" {
				t.Errorf("alphabetical: %v", accounts)
			}
			doc = must(t, f.do(t, key, "GET", "/v1/accounts?app=twitter&search=CHAR", nil), 200)
			if doc["totalResults"] != 1.0 {
				t.Errorf("app + search: %v", doc)
			}
			doc = must(t, f.do(t, key, "GET", "/v1/accounts?status=pending", nil), 200)
			if doc["totalResults"] != 0.0 {
				t.Errorf("a status accounts never have: %v", doc)
			}
			doc = must(t, f.do(t, key, "GET", "/v1/accounts?sortBy=newest&ids="+ids[0]+","+ids[2], nil), 200)
			if dig(t, doc, "accounts", 0, "id") != ids[2] || doc["totalResults"] != 2.0 {
				t.Errorf("newest of two: %v", doc)
			}
			one := must(t, f.do(t, key, "GET", "/v1/accounts/"+ids[1], nil), 200)
			if one["name"] != "alpha" || one["id"] != ids[1] {
				t.Errorf("one: %v", one)
			}
			if r := f.do(t, key, "GET", "/v1/accounts?sortBy=randomly", nil); r.Status != 400 {
				t.Errorf("unknown sort: %d", r.Status)
			}
		})

		t.Run("web API", func(t *testing.T) {
			hdr := []string{"Cerby-Workspace", "acme"}
			r := f.do(t, owner, "POST", "/v1/accounts/share", map[string]any{"accountId": ids[0], "userIds": []string{f.member, f.admin}, "role": "account_collaborator"}, hdr...)
			if r.Status != 200 {
				t.Fatalf("share: %d %s", r.Status, r.Body)
			}
			must(t, f.do(t, servertest.Bearer(f.memberToken), "GET", "/api/v1/accounts/"+ids[0], nil), 200)
			r = f.do(t, owner, "POST", "/v1/accounts/share", map[string]any{"accountId": ids[0], "userIds": []string{f.member, "01a20000-0000-7000-8000-000000000000"}, "role": "collaborator"}, hdr...)
			if r.Status != 400 || locOf(t, errorOf(t, r)) != "userIds" {
				t.Errorf("one unknown user: %d %s", r.Status, r.Body)
			}
			if r := f.do(t, owner, "POST", "/v1/accounts/share", map[string]any{"accountId": ids[0], "userIds": []string{f.member}, "role": "owner"}, "Cerby-Workspace", "globex"); r.Status != 401 {
				t.Errorf("another workspace named: %d", r.Status)
			}
			must(t, f.do(t, owner, "DELETE", "/v1/accounts/"+ids[0]+"?password=&reason=other&turnOffMfa=false", nil, hdr...), 204)
			if r := f.do(t, owner, "DELETE", "/v1/accounts/"+ids[0], nil, hdr...); r.Status != 404 {
				t.Errorf("deleting again: %d", r.Status)
			}
		})
	})
}

// Walking links.next while another client writes sees every account once:
// the set of ids seen is the set that exists at the end.
func TestWalkWhileWriting(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		owner := servertest.Bearer(f.ownerToken)
		key := servertest.Key(f.ownerKey)
		for i := 0; i < 40; i++ {
			f.createAccount(t, owner, map[string]any{"application": "twitter", "label": fmt.Sprintf("before %d", i)})
		}
		var (
			stop    atomic.Bool
			wg      sync.WaitGroup
			written atomic.Int64
		)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load() && i < 200; i++ {
				// New accounts, and changes to existing ones.
				id := f.createAccount(t, owner, map[string]any{"application": "twitter", "label": fmt.Sprintf("during %d", i)})
				f.do(t, owner, "PATCH", "/api/v1/accounts/"+id, map[string]any{"data": map[string]any{"attributes": map[string]any{"label": "changed"}}})
				written.Add(1)
			}
		}()
		seen := map[string]int{}
		next, pages, last := "/api/v1/accounts?page[size]=7", 0, ""
		for {
			doc := must(t, f.do(t, key, "GET", next, nil), 200)
			for _, d := range dig(t, doc, "data").([]any) {
				last = dig(t, d, "id").(string)
				seen[last]++
			}
			next, _ = dig(t, doc, "links", "next").(string)
			pages++
			if pages > 1000 {
				t.Fatal("the walk does not end")
			}
			if next != "" {
				continue
			}
			if stop.Load() {
				break
			}
			// At the end: once the writer is done, what it added since is
			// after the last id seen, where the walk resumes.
			stop.Store(true)
			wg.Wait()
			next = "/api/v1/accounts?page[size]=7&page[after]=" + last
		}
		if written.Load() == 0 {
			t.Fatal("nothing was written during the walk; the test proves nothing")
		}
		// Everything that exists now, fetched in one quiet pass.
		exists := map[string]bool{}
		next = "/api/v1/accounts?page[size]=100"
		for next != "" {
			doc := must(t, f.do(t, key, "GET", next, nil), 200)
			for _, d := range dig(t, doc, "data").([]any) {
				exists[dig(t, d, "id").(string)] = true
			}
			next, _ = dig(t, doc, "links", "next").(string)
		}
		for id, n := range seen {
			if n > 1 {
				t.Errorf("%s seen %d times", id, n)
			}
			if !exists[id] {
				t.Errorf("%s seen but does not exist", id)
			}
		}
		missed := 0
		for id := range exists {
			if seen[id] == 0 {
				missed++
			}
		}
		if missed > 0 {
			t.Errorf("%d of %d accounts were never seen (walked %d pages while %d were written)", missed, len(exists), pages, written.Load())
		}
	})
}
