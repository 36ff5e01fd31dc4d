package keyring

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// Keyring caches unwrapped workspace data keys.
//
// Unwrapping costs a database read and, once KEKs live in a KMS, a network
// round trip, so each workspace key is unwrapped once and kept for the life
// of the process (or until Forget). The cache is unbounded: a self-hosted
// server has few enough workspaces that eviction would only add failure modes.
type Keyring struct {
	kek KEK

	mu      sync.Mutex
	entries map[string]*entry
}

// entry is one workspace's cache slot. done is closed once sealer or err is
// set, which lets concurrent callers wait for the same load without holding mu.
type entry struct {
	done   chan struct{}
	sealer *Sealer
	err    error
}

// New returns a Keyring whose workspace keys are wrapped by kek.
func New(kek KEK) *Keyring {
	if kek == nil {
		panic("keyring: New called with a nil KEK")
	}
	return &Keyring{kek: kek, entries: make(map[string]*entry)}
}

var errNoWorkspace = errors.New("keyring: empty workspace id")

// workspaceKeyLabel gives wrapped workspace keys their own AD domain. A KMS
// key may later wrap other kinds of secrets too, and a blob of another kind
// must never be accepted as a workspace key.
const workspaceKeyLabel = "latchkey workspace data key v1"

func workspaceKeyAD(workspaceID string) []byte {
	ad := make([]byte, 0, 2*binary.MaxVarintLen64+len(workspaceKeyLabel)+len(workspaceID))
	ad = binary.AppendUvarint(ad, uint64(len(workspaceKeyLabel)))
	ad = append(ad, workspaceKeyLabel...)
	ad = binary.AppendUvarint(ad, uint64(len(workspaceID)))
	return append(ad, workspaceID...)
}

// NewWorkspaceKey returns a freshly generated DEK wrapped by the KEK with associated data bound to the workspace id; the caller stores the bytes.
// The wrapped key opens only for the same workspace id, so a key row copied
// to another workspace is rejected rather than silently shared.
func (k *Keyring) NewWorkspaceKey(workspaceID string) ([]byte, error) {
	if workspaceID == "" {
		return nil, errNoWorkspace
	}
	dek := make([]byte, keySize)
	defer clear(dek)
	rand.Read(dek)
	wrapped, err := k.kek.Wrap(dek, workspaceKeyAD(workspaceID))
	if err != nil {
		return nil, fmt.Errorf("keyring: wrap key for workspace %q: %w", workspaceID, err)
	}
	return wrapped, nil
}

// Sealer returns the workspace's sealer, calling load at most once per workspace (concurrency-safe; concurrent callers for the same workspace share one load; a failed load is not cached) to fetch the wrapped key bytes.
//
// Callers that were waiting on a load whose own context ended retry with
// theirs instead of inheriting the other caller's cancellation.
func (k *Keyring) Sealer(ctx context.Context, workspaceID string, load func(context.Context) ([]byte, error)) (*Sealer, error) {
	if workspaceID == "" {
		return nil, errNoWorkspace
	}
	for {
		k.mu.Lock()
		e, ok := k.entries[workspaceID]
		if !ok {
			e = &entry{done: make(chan struct{})}
			k.entries[workspaceID] = e
			k.mu.Unlock()
			return k.fill(ctx, workspaceID, e, load)
		}
		k.mu.Unlock()

		// Check done on its own first: select picks randomly among ready
		// cases, and a cached key must win over an already-ended context.
		select {
		case <-e.done:
		default:
			select {
			case <-e.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		if e.err == nil {
			return e.sealer, nil
		}
		if isContextErr(e.err) && ctx.Err() == nil {
			continue
		}
		return nil, e.err
	}
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// fill runs the load for e. The deferred block also runs if load panics, so
// waiters are released and the slot is freed instead of blocking forever.
func (k *Keyring) fill(ctx context.Context, workspaceID string, e *entry, load func(context.Context) ([]byte, error)) (*Sealer, error) {
	finished := false
	defer func() {
		if !finished {
			e.err = fmt.Errorf("keyring: loading key for workspace %q panicked", workspaceID)
		}
		if e.err != nil {
			k.mu.Lock()
			// After a Forget the slot may already belong to a newer
			// load; that one must not be dropped.
			if k.entries[workspaceID] == e {
				delete(k.entries, workspaceID)
			}
			k.mu.Unlock()
		}
		close(e.done)
	}()
	e.sealer, e.err = k.unwrap(ctx, workspaceID, load)
	finished = true
	return e.sealer, e.err
}

func (k *Keyring) unwrap(ctx context.Context, workspaceID string, load func(context.Context) ([]byte, error)) (*Sealer, error) {
	wrapped, err := load(ctx)
	if err != nil {
		return nil, fmt.Errorf("keyring: load key for workspace %q: %w", workspaceID, err)
	}
	dek, err := k.kek.Unwrap(wrapped, workspaceKeyAD(workspaceID))
	if err != nil {
		return nil, fmt.Errorf("keyring: key for workspace %q: %w", workspaceID, err)
	}
	defer clear(dek)
	return newSealer(workspaceID, dek)
}

// Forget drops a cached workspace key (used after a workspace key rotation or deletion).
// Sealers already handed out keep working; the next call to Sealer loads the
// key again.
func (k *Keyring) Forget(workspaceID string) {
	k.mu.Lock()
	delete(k.entries, workspaceID)
	k.mu.Unlock()
}

// Sealer seals and opens field values of one workspace.
//
// It holds a keyset rather than a single key so that a workspace key rotation
// can later keep old keys for Open while Seal moves to the new one; the key
// id in each ciphertext selects the key. Today the set has one key.
type Sealer struct {
	workspace string
	keys      []aeadKey // keys[0] seals; all of them open
}

// newSealer does not retain the key slices; the caller may wipe them.
func newSealer(workspaceID string, keys ...[]byte) (*Sealer, error) {
	if len(keys) == 0 {
		return nil, errors.New("keyring: sealer needs at least one key")
	}
	s := &Sealer{workspace: workspaceID, keys: make([]aeadKey, 0, len(keys))}
	for _, raw := range keys {
		ak, err := newAEADKey(raw)
		if err != nil {
			return nil, fmt.Errorf("keyring: workspace %q: data key must be %d bytes, got %d", workspaceID, keySize, len(raw))
		}
		s.keys = append(s.keys, ak)
	}
	return s, nil
}

// Seal encrypts plaintext bound to ad. ad.Workspace must be the sealer's own
// workspace: a mismatch is a caller bug that would otherwise surface only
// later, as a value that can never be opened.
func (s *Sealer) Seal(plaintext []byte, ad AD) ([]byte, error) {
	if ad.Workspace != s.workspace {
		return nil, fmt.Errorf("keyring: AD names workspace %q but the sealer belongs to workspace %q", ad.Workspace, s.workspace)
	}
	k := &s.keys[0]
	aad := appendFieldAAD(make([]byte, 0, fieldAADSize(&ad)), k.header(), &ad)
	return k.seal(plaintext, aad)
}

// Open decrypts a value sealed with the same ad. Every failure is ErrOpen.
// The returned plaintext is a fresh slice the caller owns and should clear
// once done with it.
func (s *Sealer) Open(ciphertext []byte, ad AD) ([]byte, error) {
	if ad.Workspace != s.workspace {
		return nil, ErrOpen
	}
	pt, _, ok := openWith(s.keys, ciphertext, func(k *aeadKey) []byte {
		return appendFieldAAD(make([]byte, 0, fieldAADSize(&ad)), k.header(), &ad)
	})
	if !ok {
		return nil, ErrOpen
	}
	if pt == nil {
		pt = []byte{} // an empty value is still a value; don't make it look absent
	}
	return pt, nil
}
