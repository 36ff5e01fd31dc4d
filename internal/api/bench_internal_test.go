package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// discard is a ResponseWriter that keeps nothing.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkAccountListEncoding is the cost of turning a page of 25 accounts
// into the response body: resources, links and the JSON encoding.
func BenchmarkAccountListEncoding(b *testing.B) {
	now := time.Now()
	accounts := make([]*latchkey.Account, 25)
	for i := range accounts {
		accounts[i] = &latchkey.Account{ID: "01a208da-4cb6-7cf3-9db7-151b2aacbdfc", WorkspaceName: "acme", VaultID: "01a208da-4cb6-78cf-87e8-98b8303ef3ef",
			Application: "twitter", Label: "Acme on X", Username: "acme", URL: "https://x.com/login", Status: latchkey.AccountEnabled,
			HasPassword: true, HasTOTP: true, MFATypes: []string{"otp"}, CreatedAt: now, UpdatedAt: now, CreatedBy: "01a208da-4cb6-78cf-87e8-98b8303ef3ee",
			LastPasswordChange: &now}
	}
	r := httptest.NewRequest("GET", "/api/v1/accounts?page[size]=25&filter[application]=twitter", nil)
	r, _ = withQuery(r)
	page := latchkey.Page{Number: 2, Size: 25}
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		data := make([]resource, len(accounts))
		for j, a := range accounts {
			data[j] = accountResource(a)
		}
		writeJSON(w, http.StatusOK, newList(r, page, 1000, data))
	}
}
