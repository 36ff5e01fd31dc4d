// Package api serves /api/v1: the vendor-compatible REST API and our
// extensions. Handlers translate HTTP to calls on core.Service and back;
// they decide nothing. Routes live in routes.go, one line each.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/routers"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/latchkeyhq/latchkey"
	apispec "github.com/latchkeyhq/latchkey/api"
	"github.com/latchkeyhq/latchkey/internal/core"
	"github.com/latchkeyhq/latchkey/internal/ratelimit"
)

// Prefix is where the API lives.
const Prefix = "/api/v1"

// Options configure the API.
type Options struct {
	Service *core.Service
	// BaseDomain: a Host of {workspace}.{BaseDomain} names a workspace,
	// which must then be the credential's.
	BaseDomain string
	// RateLimit is requests per minute per credential, and per client
	// address for requests that fail to authenticate; 0 turns limits off.
	RateLimit int
	// MaxBodyBytes bounds request bodies; 0 means 1 MiB.
	MaxBodyBytes int64
	Logger       *slog.Logger
	Registerer   prometheus.Registerer
}

type handler struct {
	svc        *core.Service
	log        *slog.Logger
	baseDomain string
	maxBody    int64
	validator  *validator
	metrics    *metrics
	openapi    []byte // the document as JSON

	// Each credential has its own budget; a user's credentials share a
	// second, larger one so minting keys does not multiply it; addresses
	// that fail to authenticate have a third.
	perCredential, perUser, perAddress *ratelimit.Limiter
}

// New returns the API's handler for every path under Prefix.
func New(opts Options) (http.Handler, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	v, err := newValidator(apispec.Document)
	if err != nil {
		return nil, err
	}
	doc, err := v.doc.MarshalJSON()
	if err != nil {
		return nil, err
	}
	h := &handler{
		svc:           opts.Service,
		log:           opts.Logger,
		baseDomain:    strings.ToLower(strings.TrimPrefix(opts.BaseDomain, ".")),
		maxBody:       opts.MaxBodyBytes,
		validator:     v,
		metrics:       newMetrics(opts.Registerer),
		openapi:       doc,
		perCredential: ratelimit.New(opts.RateLimit, time.Minute),
		perUser:       ratelimit.New(2*opts.RateLimit, time.Minute),
		perAddress:    ratelimit.New(opts.RateLimit, time.Minute),
	}
	mux := http.NewServeMux()
	methods := map[string][]string{}
	for _, rt := range routes {
		spec, ok := v.route(rt.method, rt.fullPath())
		if !ok && !rt.undocumented {
			return nil, fmt.Errorf("route %s %s is not in the OpenAPI document", rt.method, rt.fullPath())
		}
		mux.Handle(rt.method+" "+rt.fullPath(), h.wrap(rt, spec))
		methods[rt.fullPath()] = append(methods[rt.fullPath()], rt.method)
	}
	// ServeMux answers unknown paths and methods in plain text; ours answer
	// in the errors[] envelope like everything else.
	fallback := http.NewServeMux()
	for path, ms := range methods {
		allow := strings.Join(append(ms, "OPTIONS"), ", ")
		fallback.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			if r.Method == http.MethodOptions {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			writeStatusError(w, http.StatusMethodNotAllowed, "method_not_allowed", "The method "+r.Method+" is not allowed here; use "+strings.Join(ms, ", ")+".")
		})
	}
	fallback.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeStatusError(w, http.StatusNotFound, string(latchkey.ENotFound), "Resource not found.")
	})
	mux.Handle("/", fallback)
	return mux, nil
}

// route is one operation: a method and path under its prefix (Prefix
// unless it says otherwise) and what serves it.
type route struct {
	prefix, method, path string
	public               bool // no credential needed
	undocumented         bool // not an API operation (the document itself)
	serve                handlerMaker
}

func (rt route) fullPath() string {
	if rt.prefix == "" {
		return Prefix + rt.path
	}
	return rt.prefix + rt.path
}

// wrap applies the chain every operation shares. Order matters: a request
// is authenticated before its parameters are judged, so a stranger learns
// nothing about what a valid request would look like.
func (h *handler) wrap(rt route, spec *routers.Route) http.Handler {
	observe := h.metrics.route(rt.method, rt.fullPath())
	serve := rt.serve(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if p := recover(); p != nil {
				h.log.ErrorContext(r.Context(), "panic serving request", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p))
				if !rec.wrote {
					h.writeError(rec, r, fmt.Errorf("panic: %v", p))
				}
			}
			observe(rec.status, time.Since(start))
			h.logRequest(r, rec.status, time.Since(start))
		}()
		r = h.serve(rec, r, rt, serve, spec)
	})
}

// serve runs the chain and returns the request as it ended, carrying the
// principal when there was one, for the log line.
func (h *handler) serve(w http.ResponseWriter, r *http.Request, rt route, serve http.HandlerFunc, spec *routers.Route) *http.Request {
	r, err := withQuery(r)
	if err != nil {
		h.writeError(w, r, err)
		return r
	}
	if !rt.public {
		var ok bool
		if r, ok = h.authenticate(w, r); !ok {
			return r
		}
	}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, h.maxBody)
	}
	if spec != nil {
		if err := h.validator.validate(r, spec); err != nil {
			h.writeError(w, r, err)
			return r
		}
	}
	serve(w, r)
	return r
}

// authenticate resolves the credential into the request's principal, or
// answers 401 (or 429) and returns false. X-API-Key wins over a bearer
// token when both are sent.
func (h *handler) authenticate(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	var (
		p   *latchkey.Principal
		err error
	)
	addr := clientAddr(r)
	if key := r.Header.Get("X-API-Key"); key != "" {
		p, err = h.svc.AuthenticateAPIKey(r.Context(), strings.TrimSpace(key))
	} else if token, ok := bearer(r); ok {
		p, err = h.svc.AuthenticateToken(r.Context(), token)
	} else {
		err = latchkey.Errorf(latchkey.EUnauthorized, "Send an API key in the X-API-Key header or a bearer token in the Authorization header.")
	}
	if err == nil {
		for _, named := range h.namedWorkspaces(r) {
			if named != p.WorkspaceName {
				err = latchkey.Errorf(latchkey.EUnauthorized, "The credential does not belong to the workspace %q.", named)
				break
			}
		}
	}
	if err != nil {
		if latchkey.IsCode(err, latchkey.EUnauthorized) && !h.allow(w, h.perAddress.Allow("addr:"+addr)) {
			h.writeError(w, r, latchkey.Errorf(latchkey.ETooManyRequests, "Too many failed requests from your address; retry later."))
			return r, false
		}
		h.writeError(w, r, err)
		return r, false
	}
	if !h.allow(w, binding(h.perCredential.Allow(p.CredentialID), h.perUser.Allow(p.UserID))) {
		h.writeError(w, r, latchkey.Errorf(latchkey.ETooManyRequests, "The user has sent too many requests in a given amount of time; retry later."))
		return r, false
	}
	p.ClientAddr = addr
	return r.WithContext(latchkey.NewContext(r.Context(), p)), true
}

// allow writes the RateLimit-* headers of d and reports whether to go on.
func (h *handler) allow(w http.ResponseWriter, d ratelimit.Decision) bool {
	if d.Limit == 0 {
		return true
	}
	hd := w.Header()
	hd.Set("RateLimit-Limit", fmt.Sprint(d.Limit))
	hd.Set("RateLimit-Remaining", fmt.Sprint(d.Remaining))
	hd.Set("RateLimit-Reset", fmt.Sprint(ceilSeconds(d.Reset)))
	if !d.Allowed {
		hd.Set("Retry-After", fmt.Sprint(max(1, ceilSeconds(d.RetryAfter))))
	}
	return d.Allowed
}

// binding is the decision a client should see of two budgets: a denial,
// else the one with less left.
func binding(a, b ratelimit.Decision) ratelimit.Decision {
	switch {
	case !a.Allowed:
		return a
	case !b.Allowed:
		return b
	case b.Limit != 0 && (a.Limit == 0 || b.Remaining < a.Remaining):
		return b
	}
	return a
}

func ceilSeconds(d time.Duration) int64 { return int64((d + time.Second - 1) / time.Second) }

func bearer(r *http.Request) (string, bool) {
	v := r.Header.Get("Authorization")
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:]), true
	}
	return "", false
}

// namedWorkspaces returns the workspaces a request names: the first label
// of a Host under the base domain, and the Cerby-Workspace header. Each
// must be the credential's.
func (h *handler) namedWorkspaces(r *http.Request) []string {
	var names []string
	if ws := strings.TrimSpace(r.Header.Get("Cerby-Workspace")); ws != "" {
		names = append(names, strings.ToLower(ws))
	}
	host := strings.ToLower(r.Host)
	if hp, _, err := net.SplitHostPort(host); err == nil {
		host = hp
	}
	if h.baseDomain != "" && strings.HasSuffix(host, "."+h.baseDomain) {
		if label := strings.TrimSuffix(host, "."+h.baseDomain); !strings.Contains(label, ".") {
			names = append(names, label)
		}
	}
	return names
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (h *handler) logRequest(r *http.Request, status int, d time.Duration) {
	level := slog.LevelDebug
	if status >= 500 {
		level = slog.LevelError
	} else if status >= 400 {
		level = slog.LevelInfo
	}
	if !h.log.Enabled(r.Context(), level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", status),
		slog.Duration("duration", d), slog.String("client", clientAddr(r)),
	}
	if p, ok := latchkey.FromContext(r.Context()); ok {
		attrs = append(attrs, slog.String("workspace", p.WorkspaceName), slog.String("user", p.UserID),
			slog.String("credential", string(p.Kind)), slog.String("credential_id", p.CredentialID))
	}
	h.log.LogAttrs(context.Background(), level, "request", attrs...)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
