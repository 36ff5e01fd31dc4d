package api

import (
	"net/http"

	"github.com/latchkeyhq/latchkey"
)

// write serves a write with a body: it decodes {"data": {…}} with
// attributes A, checks the envelope (the types it may name, the path's id),
// calls do, and answers status with the resource do returns. Validation
// errors from core are placed inside the body's attributes.
func write[A any](h *handler, w http.ResponseWriter, r *http.Request, types []string, pathID string, status int, do func(*A) (resource, error)) {
	var body in[A]
	if err := decode(r, &body); err != nil {
		h.writeError(w, r, err)
		return
	}
	attrs, err := attributes(body, types, pathID)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	res, err := do(attrs)
	if err != nil {
		h.writeError(w, r, inBody(err))
		return
	}
	writeJSON(w, status, single{Data: res})
}

// listing serves a paged list: it reads the page (defaultSize when the
// request names none), calls fetch, and encodes each item with enc.
func listing[T any](h *handler, w http.ResponseWriter, r *http.Request, defaultSize int,
	fetch func(latchkey.Page) ([]T, int, error), enc func(T) resource) {
	pg, err := page(r, defaultSize)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	items, total, err := fetch(pg)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	data := make([]resource, len(items))
	for i, it := range items {
		data[i] = enc(it)
	}
	writeJSON(w, http.StatusOK, newList(r, pg, total, data))
}

// one answers a single resource, or the error.
func one[T any](h *handler, w http.ResponseWriter, r *http.Request, v T, err error, enc func(T) resource) {
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, single{Data: enc(v)})
}

// done answers a delete: 204, or the error.
func done(h *handler, w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// wrapResource encodes a core result for write, passing its error on.
func wrapResource[T any](v T, err error, enc func(T) resource) (resource, error) {
	if err != nil {
		return resource{}, err
	}
	return enc(v), nil
}
