// Package core is the Latchkey application: every front end (the REST API,
// the admin command line, later the web app, SCIM and job workers) changes
// and reads state through its Service. Authorization, business rules,
// activity records and the sealing of secrets happen here, once.
package core

import (
	"context"
	"encoding/base32"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/internal/authz"
	"github.com/latchkeyhq/latchkey/internal/jobs"
	"github.com/latchkeyhq/latchkey/internal/keyring"
	"github.com/latchkeyhq/latchkey/internal/store"
)

// Service is the application. It is safe for concurrent use.
type Service struct {
	db    *store.DB
	keys  *keyring.Keyring
	queue *jobs.Queue // nil where no jobs run (latchkey admin)
	now   latchkey.Clock
	log   *slog.Logger

	creds *credCache

	touchMu sync.Mutex
	touched map[[2]string]int64 // API keys used since the last flush
	stop    chan struct{}
	stopped chan struct{}
}

// Options wires a Service.
type Options struct {
	Store   *store.DB
	Keyring *keyring.Keyring
	Queue   *jobs.Queue    // nil: requests that start a job answer 503
	Clock   latchkey.Clock // defaults to time.Now
	Logger  *slog.Logger
}

// New returns a Service. Call Close to flush what it batches.
func New(opts Options) *Service {
	s := &Service{
		db:      opts.Store,
		keys:    opts.Keyring,
		queue:   opts.Queue,
		now:     opts.Clock,
		log:     opts.Logger,
		touched: make(map[[2]string]int64),
		creds:   newCredCache(),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	go s.flushLoop()
	return s
}

// Close stops background work and flushes key usage. It is safe to call twice.
func (s *Service) Close() {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.stopped
}

// Ready reports whether the store answers and its schema is current.
func (s *Service) Ready(ctx context.Context) error {
	if err := s.db.Ping(ctx); err != nil {
		return latchkey.Wrap(err, latchkey.EUnavailable, "The store does not answer.")
	}
	ok, err := s.db.Migrated(ctx)
	if err != nil {
		return latchkey.Wrap(err, latchkey.EUnavailable, "The store's schema cannot be read.")
	}
	if !ok {
		return latchkey.Errorf(latchkey.EUnavailable, "The store's schema is not up to date.")
	}
	return nil
}

func (s *Service) clock() time.Time { return latchkey.Truncate(s.now()) }

// newID returns a UUIDv7: unique, and ordered by creation so that key order
// is creation order in both stores.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// validID reports whether id is a UUID in the canonical lower-case form the
// store keeps. Anything else cannot name a resource.
func validID(id string) bool {
	if len(id) != 36 {
		return false
	}
	u, err := uuid.Parse(id)
	return err == nil && u.String() == id
}

// authorize returns the request's principal once op allows it.
func authorize(ctx context.Context, op authz.Operation) (*latchkey.Principal, error) {
	p, _ := latchkey.FromContext(ctx)
	if err := op.Authorize(p); err != nil {
		return nil, err
	}
	return p, nil
}

// visibility turns a principal into the rows a list may return.
func visibility(p *latchkey.Principal) store.Visibility {
	if p.IsPrivileged() {
		return store.Visibility{All: true}
	}
	return store.Visibility{UserID: p.UserID, MinRank: authz.VisibleRank(p)}
}

// notFound is the one answer for an id that does not exist and for one the
// principal may not see, so the two cannot be told apart.
func notFound() error { return latchkey.Errorf(latchkey.ENotFound, "Resource not found.") }

// record writes an activity in tx, the transaction of the change it records.
func (s *Service) record(ctx context.Context, tx *store.Tx, p *latchkey.Principal, action, resourceType, resourceID string, details map[string]string) error {
	a := &latchkey.Activity{
		ID:             newID(),
		WorkspaceID:    p.WorkspaceID,
		CreatedAt:      s.clock(),
		ActorID:        p.UserID,
		ActorName:      p.UserName,
		ActorType:      actorType(p),
		CredentialKind: p.Kind,
		CredentialID:   p.CredentialID,
		Action:         action,
		ResourceType:   resourceType,
		ResourceID:     resourceID,
		ClientAddr:     p.ClientAddr,
		Details:        details,
	}
	return tx.RecordActivity(ctx, a)
}

func actorType(p *latchkey.Principal) string {
	switch p.Kind {
	case latchkey.CredentialOperator:
		return "operator"
	case latchkey.CredentialSystem:
		return "system"
	}
	return "user"
}

// chars counts characters, not bytes: limits are stated in characters.
func chars(s string) int { return utf8.RuneCountInString(s) }

// plainText refuses text no store can keep as text: NUL characters
// (PostgreSQL refuses them) and bytes that are not UTF-8. Secret values are
// sealed as bytes and need no such check.
func plainText(field, s string) error {
	if strings.ContainsRune(s, 0) || !utf8.ValidString(s) {
		return latchkey.Invalid([]any{field}, "value_error.str", "The text contains a NUL character or is not valid UTF-8.")
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }

func asError(err error, target **latchkey.Error) bool { return errors.As(err, target) }

func base32NoPad(b []byte) string {
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}
