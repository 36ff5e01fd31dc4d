// Package keyring encrypts secret field values at rest with envelope
// encryption: a key-encryption key (KEK) wraps one data-encryption key (DEK)
// per workspace, and the DEK seals individual field values with AES-256-GCM.
//
// Every ciphertext this package produces, whether a sealed field value or a
// wrapped DEK, uses one versioned layout:
//
//	offset  size  content
//	0       1     format version (1)
//	1       4     id of the key that sealed it
//	5       12    random GCM nonce
//	17      n+16  GCM ciphertext and tag
//
// The version byte and key id are authenticated along with the caller's
// associated data, so neither can be altered to steer Open towards another
// key or another parsing of the bytes.
package keyring

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
)

// ErrOpen is the only failure Open reports for bad input. Tampering, a wrong
// AD, a wrong or unknown key and truncation are deliberately indistinguishable
// so that callers cannot build an oracle out of the error.
var ErrOpen = errors.New("keyring: ciphertext cannot be opened")

// AD names where a ciphertext belongs; it is authenticated, never stored by us.
type AD struct{ Workspace, Table, Row, Field string }

const (
	formatVersion = 1
	keySize       = 32 // AES-256
	keyIDSize     = 4
	nonceSize     = 12
	tagSize       = 16
	headerSize    = 1 + keyIDSize + nonceSize
	overhead      = headerSize + tagSize

	// maxPlaintext keeps us clear of the GCM per-message limit, where the
	// standard library would panic instead of returning an error.
	maxPlaintext = 1 << 36
)

type keyID [keyIDSize]byte

func (id keyID) String() string { return hex.EncodeToString(id[:]) }

// idLabel separates key ids from any other SHA-256 of the same key material,
// because ids are written in clear next to every ciphertext.
const idLabel = "latchkey keyring key id v1\x00"

func deriveKeyID(key []byte) keyID {
	h := sha256.New()
	h.Write([]byte(idLabel))
	h.Write(key)
	var sum [sha256.Size]byte
	var id keyID
	copy(id[:], h.Sum(sum[:0]))
	return id
}

// aeadKey is one AES-256-GCM key with its public id. Only the expanded cipher
// is kept, not the raw key bytes, so callers can wipe their copy right after
// construction.
type aeadKey struct {
	id   keyID
	aead cipher.AEAD
}

func newAEADKey(key []byte) (aeadKey, error) {
	if len(key) != keySize {
		return aeadKey{}, fmt.Errorf("keyring: key must be %d bytes, got %d", keySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return aeadKey{}, fmt.Errorf("keyring: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return aeadKey{}, fmt.Errorf("keyring: %w", err)
	}
	return aeadKey{id: deriveKeyID(key), aead: aead}, nil
}

// header returns the bytes that open every ciphertext sealed by k and that
// also start its GCM additional data.
func (k *aeadKey) header() [1 + keyIDSize]byte {
	var h [1 + keyIDSize]byte
	h[0] = formatVersion
	copy(h[1:], k.id[:])
	return h
}

// seal encrypts plaintext under a fresh random nonce. aad must already start
// with k.header(). Random 96-bit nonces are safe for about 2^32 messages per
// key, far beyond what one workspace key will seal.
func (k *aeadKey) seal(plaintext, aad []byte) ([]byte, error) {
	if len(plaintext) > maxPlaintext {
		return nil, fmt.Errorf("keyring: plaintext too large (%d bytes)", len(plaintext))
	}
	out := make([]byte, headerSize, overhead+len(plaintext))
	h := k.header()
	copy(out, h[:])
	rand.Read(out[1+keyIDSize : headerSize])
	return k.aead.Seal(out, out[1+keyIDSize:headerSize], plaintext, aad), nil
}

// splitCiphertext checks the fixed-size parts of the layout. It is cheap and
// runs before any key lookup so that malformed input never reaches GCM.
func splitCiphertext(c []byte) (id keyID, nonce, body []byte, ok bool) {
	if len(c) < overhead || c[0] != formatVersion {
		return id, nil, nil, false
	}
	copy(id[:], c[1:1+keyIDSize])
	return id, c[1+keyIDSize : headerSize], c[headerSize:], true
}

// openWith tries each key whose id matches. More than one match only happens
// on a 32-bit id collision, which must not make a valid ciphertext unreadable.
func openWith(keys []aeadKey, c []byte, aad func(k *aeadKey) []byte) ([]byte, keyID, bool) {
	id, nonce, body, ok := splitCiphertext(c)
	if !ok {
		return nil, id, false
	}
	for i := range keys {
		k := &keys[i]
		if k.id != id {
			continue
		}
		if pt, err := k.aead.Open(nil, nonce, body, aad(k)); err == nil {
			return pt, id, true
		}
	}
	return nil, id, false
}

// appendFieldAAD encodes the header and the four AD strings, each prefixed by
// its length, so that no two distinct ADs share an encoding.
func appendFieldAAD(dst []byte, h [1 + keyIDSize]byte, ad *AD) []byte {
	dst = append(dst, h[:]...)
	for _, s := range [...]string{ad.Workspace, ad.Table, ad.Row, ad.Field} {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
		dst = append(dst, s...)
	}
	return dst
}

func fieldAADSize(ad *AD) int {
	n := 1 + keyIDSize
	for _, s := range [...]string{ad.Workspace, ad.Table, ad.Row, ad.Field} {
		n += uvarintLen(uint64(len(s))) + len(s)
	}
	return n
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}
