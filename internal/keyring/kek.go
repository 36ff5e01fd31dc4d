package keyring

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// KEK wraps and unwraps data keys. LocalKEK is the only implementation now; KMS providers come later.
type KEK interface {
	ID() string // short stable id of the active key
	Wrap(dek []byte, ad []byte) ([]byte, error)
	Unwrap(wrapped []byte, ad []byte) ([]byte, error)
}

// LocalKEK is a KEK whose key material lives in this process. Besides the
// active key it keeps previous keys so that data keys wrapped before a
// rotation stay readable until they are rewrapped.
type LocalKEK struct {
	keys []aeadKey // keys[0] wraps; all of them unwrap
}

var _ KEK = (*LocalKEK)(nil)

// NewLocalKEK builds a KEK from 32-byte keys. Wrap always uses key; previous
// keys can only unwrap. The key slices are not retained, so the caller may
// wipe them once this returns.
func NewLocalKEK(key []byte, previous ...[]byte) (*LocalKEK, error) {
	if len(key) != keySize {
		return nil, fmt.Errorf("keyring: KEK must be %d bytes, got %d", keySize, len(key))
	}
	for i, p := range previous {
		if len(p) != keySize {
			return nil, fmt.Errorf("keyring: previous KEK %d must be %d bytes, got %d", i+1, keySize, len(p))
		}
	}
	k := &LocalKEK{keys: make([]aeadKey, 0, 1+len(previous))}
	for _, raw := range append([][]byte{key}, previous...) {
		ak, err := newAEADKey(raw)
		if err != nil {
			return nil, err
		}
		k.keys = append(k.keys, ak)
	}
	return k, nil
}

// ID returns the hex id of the active key. It is derived from the key but
// reveals nothing usable about it, so it is safe to log and to show to
// operators when they need to tell keys apart during a rotation.
func (k *LocalKEK) ID() string { return k.keys[0].id.String() }

// Wrap seals dek under the active key, binding it to ad.
func (k *LocalKEK) Wrap(dek []byte, ad []byte) ([]byte, error) {
	key := &k.keys[0]
	return key.seal(dek, wrapAAD(key, ad))
}

// Unwrap opens a key produced by Wrap with the same ad, using whichever
// configured key's id the wrapped bytes name. Failures wrap ErrOpen.
func (k *LocalKEK) Unwrap(wrapped []byte, ad []byte) ([]byte, error) {
	dek, id, ok := openWith(k.keys, wrapped, func(key *aeadKey) []byte { return wrapAAD(key, ad) })
	if ok {
		return dek, nil
	}
	if _, _, _, wellFormed := splitCiphertext(wrapped); wellFormed && !k.hasID(id) {
		// Naming the missing id tells an operator which previous KEK to
		// configure; the id is public, it is stored in clear in wrapped.
		return nil, fmt.Errorf("keyring: data key was wrapped by KEK %s, which is not configured: %w", id, ErrOpen)
	}
	return nil, fmt.Errorf("keyring: unwrap data key: %w", ErrOpen)
}

func (k *LocalKEK) hasID(id keyID) bool {
	for i := range k.keys {
		if k.keys[i].id == id {
			return true
		}
	}
	return false
}

// wrapAAD needs no length prefix for ad: the header is fixed-size, so ad is
// everything after it.
func wrapAAD(key *aeadKey, ad []byte) []byte {
	h := key.header()
	aad := make([]byte, 0, len(h)+len(ad))
	aad = append(aad, h[:]...)
	return append(aad, ad...)
}

// maxKEKFile bounds how much of a key file we read; a real one is 45 bytes.
const maxKEKFile = 4096

// LoadOrCreateKEK returns the KEK from secret (base64 of 32 bytes, standard or
// URL alphabet, padded or not) if it is non-empty, and otherwise from the file
// at path, which is created with a new random key if it does not exist.
// created reports whether that happened; a freshly created key means any data
// sealed before under another key is unreadable, so callers should say so
// loudly. Errors never contain key material.
func LoadOrCreateKEK(path, secret string) (kek *LocalKEK, created bool, err error) {
	if secret != "" {
		raw := []byte(secret)
		defer clear(raw)
		key, ok := decodeKey(raw)
		if !ok {
			return nil, false, fmt.Errorf("keyring: KEK secret must be base64 of %d random bytes (for example the output of: openssl rand -base64 32)", keySize)
		}
		defer clear(key)
		kek, err := NewLocalKEK(key)
		return kek, false, err
	}
	if path == "" {
		return nil, false, errors.New("keyring: no KEK configured: set a KEK secret or a KEK file path")
	}

	kek, err = loadKEKFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return kek, false, err
	}

	key := make([]byte, keySize)
	defer clear(key)
	rand.Read(key)
	encoded := make([]byte, base64.StdEncoding.EncodedLen(keySize)+1)
	defer clear(encoded)
	base64.StdEncoding.Encode(encoded, key)
	encoded[len(encoded)-1] = '\n'

	won, err := createKEKFile(path, encoded)
	if err != nil {
		return nil, false, err
	}
	if !won {
		// Another process created the file between our read and our
		// create. Its key is the one on disk, so it is the one to use.
		kek, err = loadKEKFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			// Something exists at path yet cannot be opened, such as a
			// dangling symlink; creating again would not help.
			return nil, false, fmt.Errorf("keyring: KEK file %s exists but cannot be read: %w", path, err)
		}
		return kek, false, err
	}
	kek, err = NewLocalKEK(key)
	return kek, err == nil, err
}

// loadKEKFile returns an error matching fs.ErrNotExist only when the file is
// absent, which is the caller's cue to create it.
func loadKEKFile(path string) (*LocalKEK, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("keyring: open KEK file: %w", err)
	}
	defer f.Close()

	// Stat the open file rather than the path so the mode we check belongs
	// to the bytes we read.
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("keyring: stat KEK file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("keyring: KEK file %s is not a regular file", path)
	}
	// Windows does not map ACLs onto these bits, so they would reject
	// every file there without telling us anything.
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("keyring: KEK file %s has mode %04o, which lets other users read the master key; restrict it with: chmod 600 %s",
			path, fi.Mode().Perm(), path)
	}

	buf := make([]byte, maxKEKFile+1)
	defer clear(buf)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("keyring: read KEK file: %w", err)
	}
	if n > maxKEKFile {
		return nil, fmt.Errorf("keyring: KEK file %s is too large to be a key file", path)
	}
	key, ok := decodeKey(buf[:n])
	if !ok {
		return nil, fmt.Errorf("keyring: KEK file %s must contain base64 of %d random bytes", path, keySize)
	}
	defer clear(key)
	return NewLocalKEK(key)
}

// decodeKey accepts both base64 alphabets with or without padding and
// surrounding whitespace, since keys arrive via env vars, flags and files
// written by hand. It never reports why decoding failed: a decoder error
// would carry an offset into the secret.
func decodeKey(s []byte) ([]byte, bool) {
	s = bytes.TrimSpace(s)
	s = bytes.TrimRight(s, "=")
	enc := base64.RawStdEncoding
	if bytes.ContainsAny(s, "-_") {
		enc = base64.RawURLEncoding
	}
	key := make([]byte, enc.DecodedLen(len(s)))
	n, err := enc.Decode(key, s)
	if err != nil || n != keySize {
		clear(key)
		return nil, false
	}
	return key[:n], true
}

// createKEKFile writes data to path atomically: readers see either no file or
// the complete key. It reports won=false, without error, if path appeared in
// the meantime, because overwriting a key another process may already be
// using would make everything it sealed unreadable.
func createKEKFile(path string, data []byte) (won bool, err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, fmt.Errorf("keyring: create KEK directory: %w", err)
	}
	// CreateTemp already uses mode 0600, so the key is never readable by
	// others, not even briefly.
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return false, fmt.Errorf("keyring: create KEK file: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // after a link the temp name is an extra hard link; after a rename it is already gone
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return false, fmt.Errorf("keyring: write KEK file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, fmt.Errorf("keyring: sync KEK file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("keyring: close KEK file: %w", err)
	}

	// A hard link publishes the file atomically and, unlike rename, fails
	// if the target exists. Rename is the fallback for filesystems without
	// hard links, where only a narrow race remains.
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		if _, err := os.Lstat(path); err == nil {
			return false, nil
		}
		if err := os.Rename(tmpName, path); err != nil {
			return false, fmt.Errorf("keyring: install KEK file: %w", err)
		}
	}
	syncDir(dir)
	return true, nil
}

// syncDir makes the new directory entry durable, so a crash cannot lose a key
// that data has already been sealed under. It is best effort: some platforms
// cannot sync a directory, and the file itself is already synced.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}
