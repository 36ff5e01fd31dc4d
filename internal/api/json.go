package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// writeJSON encodes v into a pooled buffer first, so an encoding failure
// becomes a clean 500 instead of half a body. Envelopes write themselves
// (appendjson.go); anything else goes through encoding/json.
func writeJSON(w http.ResponseWriter, status int, v any) {
	bp := buffers.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= 1<<20 { // do not keep a huge buffer alive
			buffers.Put(bp)
		}
	}()
	b, err := encode((*bp)[:0], v)
	*bp = b
	if err != nil {
		http.Error(w, `{"errors":[{"code":"internal_error","title":"internal_error","detail":"The response could not be encoded.","status":500,"meta":null}]}`, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func encode(b []byte, v any) (out []byte, err error) {
	if a, ok := v.(appender); ok {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("encode: %v", p)
			}
		}()
		return append(a.appendJSON(b), '\n'), nil
	}
	buf := bytes.NewBuffer(b)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	err = enc.Encode(v)
	return buf.Bytes(), err
}

// timestamp writes times the vendor's way: RFC 3339 in UTC with +00:00,
// and microseconds only when there are any.
type timestamp time.Time

func (t timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + formatTime(time.Time(t)) + `"`), nil
}

func formatTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02T15:04:05") + "+00:00"
	}
	return t.Format("2006-01-02T15:04:05.000000") + "+00:00"
}

// ts and tsPtr make optional times null when absent.
func ts(t time.Time) *timestamp { return (*timestamp)(&t) }

func tsPtr(t *time.Time) *timestamp {
	if t == nil {
		return nil
	}
	return ts(*t)
}

// str makes an empty string null: the vendor leaves unknown values null
// rather than empty.
func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
