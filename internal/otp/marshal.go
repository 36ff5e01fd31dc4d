package otp

import (
	"encoding/binary"
	"fmt"
)

// Binary format, version 1. All integers are big-endian or uvarint; the
// secret is stored decoded (not as base32) to keep the ciphertext small.
//
//	byte     version (1)
//	byte     algorithm: 1 SHA1, 2 SHA256, 3 SHA512
//	byte     digits
//	uint16   period in seconds
//	byte     secret length n, then n bytes of raw secret
//	uvarint  issuer length n, then n bytes of UTF-8
//	uvarint  account length n, then n bytes of UTF-8
//
// Numbers are used for the algorithm instead of its name so that a later
// rename of the Go constants cannot change stored data. Trailing bytes are an
// error: a future version that appends fields must bump the version byte.
const binaryVersion1 = 1

var algorithmCodes = map[Algorithm]byte{SHA1: 1, SHA256: 2, SHA512: 3}

// MarshalBinary encodes a valid Seed for storage. It refuses invalid seeds so
// that nothing unusable is ever written.
func (s Seed) MarshalBinary() ([]byte, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	raw, err := b32.DecodeString(s.Secret)
	if err != nil { // unreachable: validate decoded it already
		return nil, err
	}
	buf := make([]byte, 0, 6+len(raw)+2*binary.MaxVarintLen16+len(s.Issuer)+len(s.Account))
	buf = append(buf, binaryVersion1, algorithmCodes[s.Algorithm], byte(s.Digits))
	buf = binary.BigEndian.AppendUint16(buf, uint16(s.Period))
	buf = append(buf, byte(len(raw)))
	buf = append(buf, raw...)
	buf = binary.AppendUvarint(buf, uint64(len(s.Issuer)))
	buf = append(buf, s.Issuer...)
	buf = binary.AppendUvarint(buf, uint64(len(s.Account)))
	buf = append(buf, s.Account...)
	return buf, nil
}

// UnmarshalBinary decodes data written by MarshalBinary. The result is
// validated against the current bounds; on any error *s is left unchanged.
//
// Malformed bytes yield an error that does not match ErrInvalid, because it
// signals storage corruption (or a wrong decryption key), not bad user input.
func (s *Seed) UnmarshalBinary(data []byte) error {
	if len(data) == 0 {
		return corrupt("empty")
	}
	if data[0] != binaryVersion1 {
		return corrupt("unknown format version")
	}
	r := reader{b: data[1:]}
	algCode := r.byte()
	digits := r.byte()
	period := r.uint16()
	secret := r.bytes(uint64(r.byte()))
	issuer := r.bytes(r.uvarint())
	account := r.bytes(r.uvarint())
	if r.err != nil {
		return r.err
	}
	if len(r.b) != 0 {
		return corrupt("trailing bytes")
	}
	var alg Algorithm
	for a, c := range algorithmCodes {
		if c == algCode {
			alg = a
		}
	}
	if alg == "" {
		return corrupt("unknown algorithm")
	}
	if len(secret) == 0 {
		return corrupt("missing secret")
	}
	out := Seed{
		Secret:    b32.EncodeToString(secret),
		Algorithm: alg,
		Digits:    int(digits),
		Period:    int(period),
		Issuer:    string(issuer),
		Account:   string(account),
	}
	if err := out.validate(); err != nil {
		return err
	}
	*s = out
	return nil
}

func corrupt(why string) error { return fmt.Errorf("%w: %s", errCorruptEncoding, why) }

// reader records the first short read so the decoder can be written as a
// straight sequence of field reads with a single error check.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = corrupt("truncated")
		r.b = nil
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) byte() byte {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) uint16() uint16 {
	if b := r.take(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = corrupt("bad length")
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes(n uint64) []byte { return r.take(n) }
