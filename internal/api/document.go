package api

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/latchkeyhq/latchkey"
)

// resource is a JSON:API-style resource object.
type resource struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Attributes any    `json:"attributes"`
	Meta       any    `json:"meta,omitempty"`
}

// single is the body of a one-resource answer.
type single struct {
	Data any `json:"data"`
}

type links struct {
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Self     string  `json:"self"`
}

type pageMeta struct {
	MaxSize int `json:"maxSize"`
	Total   int `json:"total"`
}

type listMeta struct {
	Page pageMeta `json:"page"`
}

// list is the body of a paged answer. data is always an array.
type list struct {
	Data  []resource `json:"data"`
	Links links      `json:"links"`
	Meta  listMeta   `json:"meta"`
}

// newList builds a paged answer with links that keep the request's filters.
// Links are host-relative, as the vendor's clients append them to their own
// base, and their brackets are percent-encoded. links.next also carries
// page[after], the last id of this page, so that following it resumes
// exactly there even if items were added or removed before it meanwhile.
func newList(r *http.Request, page latchkey.Page, total int, data []resource) list {
	if data == nil {
		data = []resource{}
	}
	last := max(1, (total+page.Size-1)/page.Size)
	l := list{Data: data, Meta: listMeta{Page: pageMeta{MaxSize: latchkey.MaxPageSize, Total: total}}}
	l.Links.Self = pageLink(r, page.Number, page.Size, page.After)
	if page.Number < last && len(data) > 0 {
		next := pageLink(r, page.Number+1, page.Size, data[len(data)-1].ID)
		l.Links.Next = &next
	}
	if page.Number > 1 {
		// Past the end, previous leads back to the last page that has items.
		prev := pageLink(r, min(page.Number-1, last), page.Size, "")
		l.Links.Previous = &prev
	}
	return l
}

func pageLink(r *http.Request, number, size int, after string) string {
	var b strings.Builder
	b.WriteString(r.URL.EscapedPath())
	b.WriteString("?page%5Bnumber%5D=")
	b.WriteString(strconv.Itoa(number))
	b.WriteString("&page%5Bsize%5D=")
	b.WriteString(strconv.Itoa(size))
	if after != "" {
		b.WriteString("&page%5Bafter%5D=")
		b.WriteString(after)
	}
	q := query(r)
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != "page[number]" && k != "page[size]" && k != "page[after]" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range q[k] {
			b.WriteByte('&')
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
		}
	}
	return b.String()
}
