package keyring

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
)

// testKey returns a fixed, recognisable key so that failures are reproducible.
func testKey(seed byte) []byte {
	k := make([]byte, keySize)
	for i := range k {
		k[i] = seed + byte(i)
	}
	return k
}

func newTestKEK(t testing.TB, seed byte) *LocalKEK {
	t.Helper()
	kek, err := NewLocalKEK(testKey(seed))
	if err != nil {
		t.Fatal(err)
	}
	return kek
}

// newWorkspaceSealer creates a workspace key and loads it the way the server
// will: through Keyring.Sealer with a loader returning the stored bytes.
func newWorkspaceSealer(t testing.TB, kr *Keyring, workspaceID string) *Sealer {
	t.Helper()
	wrapped, err := kr.NewWorkspaceKey(workspaceID)
	if err != nil {
		t.Fatal(err)
	}
	s, err := kr.Sealer(context.Background(), workspaceID, func(context.Context) ([]byte, error) {
		return wrapped, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustSeal(t testing.TB, s *Sealer, pt []byte, ad AD) []byte {
	t.Helper()
	ct, err := s.Seal(pt, ad)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

// refFieldAAD spells out the version 1 field AD layout independently of the
// code under test, so that an accidental format change fails loudly instead
// of making stored data unreadable.
func refFieldAAD(id []byte, ad AD) []byte {
	b := append([]byte{1}, id...)
	for _, s := range []string{ad.Workspace, ad.Table, ad.Row, ad.Field} {
		if len(s) > 127 {
			panic("refFieldAAD only handles one-byte lengths")
		}
		b = append(b, byte(len(s)))
		b = append(b, s...)
	}
	return b
}

func refKeyID(key []byte) []byte {
	sum := sha256.Sum256(append([]byte("latchkey keyring key id v1\x00"), key...))
	return sum[:4]
}

// refOpen decrypts a version 1 ciphertext with plain crypto/aes and GCM.
func refOpen(key, ct []byte, ad AD) ([]byte, error) {
	if len(ct) < 33 || ct[0] != 1 || !bytes.Equal(ct[1:5], refKeyID(key)) {
		return nil, errors.New("bad header")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return gcm.Open(nil, ct[5:17], ct[17:], refFieldAAD(ct[1:5], ad))
}

func TestSealOpenRoundTrip(t *testing.T) {
	kr := New(newTestKEK(t, 1))
	s := newWorkspaceSealer(t, kr, "ws-1")

	tests := []struct {
		name string
		pt   []byte
		ad   AD
	}{
		{"empty", []byte{}, AD{"ws-1", "accounts", "row-1", "password"}},
		{"one byte", []byte{0}, AD{"ws-1", "accounts", "row-1", "password"}},
		{"password", []byte("correct horse battery staple"), AD{"ws-1", "accounts", "row-1", "password"}},
		{"totp seed", []byte("JBSWY3DPEHPK3PXP"), AD{"ws-1", "accounts", "row-1", "totp_seed"}},
		{"4 KiB body", bytes.Repeat([]byte("secret!\n"), 512), AD{"ws-1", "secrets", "0195f0c2-7c1e-7000-8000-000000000001", "body"}},
		{"1 MiB body", bytes.Repeat([]byte{0xa5}, 1<<20), AD{"ws-1", "secrets", "row-2", "body"}},
		{"empty table row field", []byte("x"), AD{"ws-1", "", "", ""}},
		{"unicode names", []byte("pässwörd"), AD{"ws-1", "tåble", "röw", "fïeld"}},
		{"long names", []byte("x"), AD{"ws-1", strings.Repeat("t", 300), strings.Repeat("r", 70000), "f"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := mustSeal(t, s, tt.pt, tt.ad)
			if got, want := len(ct), overhead+len(tt.pt); got != want {
				t.Fatalf("ciphertext length = %d, want %d", got, want)
			}
			if ct[0] != formatVersion {
				t.Fatalf("version byte = %d, want %d", ct[0], formatVersion)
			}
			if !bytes.Equal(ct[1:5], s.keys[0].id[:]) {
				t.Fatalf("key id = %x, want %x", ct[1:5], s.keys[0].id)
			}
			if bytes.Contains(ct, tt.pt) && len(tt.pt) > 4 {
				t.Fatal("ciphertext contains the plaintext")
			}
			got, err := s.Open(ct, tt.ad)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if got == nil || !bytes.Equal(got, tt.pt) {
				t.Fatalf("Open = %q, want %q", got, tt.pt)
			}
			again := mustSeal(t, s, tt.pt, tt.ad)
			if bytes.Equal(again, ct) {
				t.Fatal("sealing twice gave identical ciphertexts; nonces are not fresh")
			}
		})
	}
}

// TestFormatMatchesSpec pins the version 1 wire format with an independent
// decryption, because stored data must stay readable across releases.
func TestFormatMatchesSpec(t *testing.T) {
	key := testKey(0x42)
	s, err := newSealer("ws-spec", key)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.keys[0].id[:], refKeyID(key)) {
		t.Fatalf("key id = %x, want %x", s.keys[0].id, refKeyID(key))
	}
	ad := AD{"ws-spec", "accounts", "row-9", "password"}
	pt := []byte("hunter2")
	ct := mustSeal(t, s, pt, ad)
	got, err := refOpen(key, ct, ad)
	if err != nil {
		t.Fatalf("reference open: %v", err)
	}
	if !bytes.Equal(got, pt) {
		t.Fatalf("reference open = %q, want %q", got, pt)
	}
}

func TestADEncodingIsUnambiguous(t *testing.T) {
	h := [1 + keyIDSize]byte{1, 2, 3, 4, 5}
	ads := []AD{
		{"a", "bc", "d", "e"},
		{"ab", "c", "d", "e"},
		{"a", "b", "cd", "e"},
		{"a", "bcd", "", "e"},
		{"a", "", "bcd", "e"},
		{"", "abc", "d", "e"},
		{"abcd", "", "", "e"},
		{"a", "b", "c", "de"},
		{"a", "b", "cd", ""},
		{"a", "b", "c", "d\x01e"},
		{"a", "b", "c\x01d", "e"},
	}
	seen := map[string]AD{}
	for _, ad := range ads {
		enc := appendFieldAAD(nil, h, &ad)
		if len(enc) != fieldAADSize(&ad) {
			t.Errorf("%+v: encoded %d bytes, size says %d", ad, len(enc), fieldAADSize(&ad))
		}
		if prev, ok := seen[string(enc)]; ok {
			t.Errorf("%+v and %+v encode identically", prev, ad)
		}
		seen[string(enc)] = ad
	}
}

func TestOpenRejectsTampering(t *testing.T) {
	kr := New(newTestKEK(t, 1))
	s := newWorkspaceSealer(t, kr, "ws-1")
	ad := AD{"ws-1", "accounts", "row-1", "password"}
	pt := []byte("correct horse battery staple")
	ct := mustSeal(t, s, pt, ad)

	regions := []struct {
		name     string
		from, to int
	}{
		{"version", 0, 1},
		{"key id", 1, 5},
		{"nonce", 5, headerSize},
		{"ciphertext", headerSize, len(ct) - tagSize},
		{"tag", len(ct) - tagSize, len(ct)},
	}
	for _, r := range regions {
		t.Run("flip bit in "+r.name, func(t *testing.T) {
			for i := r.from; i < r.to; i++ {
				for bit := range 8 {
					c := bytes.Clone(ct)
					c[i] ^= 1 << bit
					if got, err := s.Open(c, ad); !errors.Is(err, ErrOpen) || got != nil {
						t.Fatalf("byte %d bit %d: Open = %q, %v; want nil, ErrOpen", i, bit, got, err)
					}
				}
			}
		})
	}

	t.Run("truncate", func(t *testing.T) {
		for n := range len(ct) {
			if _, err := s.Open(ct[:n], ad); !errors.Is(err, ErrOpen) {
				t.Fatalf("truncated to %d bytes: err = %v, want ErrOpen", n, err)
			}
		}
	})
	t.Run("nil", func(t *testing.T) {
		if _, err := s.Open(nil, ad); !errors.Is(err, ErrOpen) {
			t.Fatalf("err = %v, want ErrOpen", err)
		}
	})
	t.Run("append byte", func(t *testing.T) {
		if _, err := s.Open(append(bytes.Clone(ct), 0), ad); !errors.Is(err, ErrOpen) {
			t.Fatalf("err = %v, want ErrOpen", err)
		}
	})
	t.Run("drop header byte", func(t *testing.T) {
		if _, err := s.Open(ct[1:], ad); !errors.Is(err, ErrOpen) {
			t.Fatalf("err = %v, want ErrOpen", err)
		}
	})

	wrongAD := []struct {
		name string
		ad   AD
	}{
		{"workspace", AD{"ws-2", "accounts", "row-1", "password"}},
		{"table", AD{"ws-1", "secrets", "row-1", "password"}},
		{"row", AD{"ws-1", "accounts", "row-2", "password"}},
		{"field", AD{"ws-1", "accounts", "row-1", "totp_seed"}},
		{"empty table", AD{"ws-1", "", "row-1", "password"}},
		{"boundary table|row", AD{"ws-1", "accountsr", "ow-1", "password"}},
		{"boundary row|field", AD{"ws-1", "accounts", "row-1p", "assword"}},
		{"boundary table|row|field", AD{"ws-1", "accountsrow-1", "", "password"}},
		{"case", AD{"ws-1", "accounts", "ROW-1", "password"}},
	}
	for _, w := range wrongAD {
		t.Run("wrong AD "+w.name, func(t *testing.T) {
			if got, err := s.Open(ct, w.ad); !errors.Is(err, ErrOpen) || got != nil {
				t.Fatalf("Open = %q, %v; want nil, ErrOpen", got, err)
			}
		})
	}

	t.Run("other workspace's sealer", func(t *testing.T) {
		other := newWorkspaceSealer(t, kr, "ws-2")
		for _, a := range []AD{ad, {"ws-2", ad.Table, ad.Row, ad.Field}} {
			if _, err := other.Open(ct, a); !errors.Is(err, ErrOpen) {
				t.Fatalf("AD %+v: err = %v, want ErrOpen", a, err)
			}
		}
	})
	t.Run("same workspace id, different key", func(t *testing.T) {
		// A workspace deleted and recreated under the same id gets a new key;
		// old ciphertexts must not open under it.
		recreated := newWorkspaceSealer(t, New(newTestKEK(t, 1)), "ws-1")
		if _, err := recreated.Open(ct, ad); !errors.Is(err, ErrOpen) {
			t.Fatalf("err = %v, want ErrOpen", err)
		}
	})
	t.Run("moved between rows", func(t *testing.T) {
		ad2 := AD{"ws-1", "accounts", "row-2", "password"}
		ct2 := mustSeal(t, s, []byte("another password"), ad2)
		if _, err := s.Open(ct2, ad); !errors.Is(err, ErrOpen) {
			t.Fatalf("row-2 value opened as row-1: err = %v", err)
		}
		if _, err := s.Open(ct, ad2); !errors.Is(err, ErrOpen) {
			t.Fatalf("row-1 value opened as row-2: err = %v", err)
		}
	})
	t.Run("moved between fields", func(t *testing.T) {
		adTOTP := AD{"ws-1", "accounts", "row-1", "totp_seed"}
		seed := mustSeal(t, s, []byte("JBSWY3DPEHPK3PXP"), adTOTP)
		if _, err := s.Open(seed, ad); !errors.Is(err, ErrOpen) {
			t.Fatalf("err = %v, want ErrOpen", err)
		}
	})
	t.Run("moved between workspaces", func(t *testing.T) {
		other := newWorkspaceSealer(t, kr, "ws-2")
		ad2 := AD{"ws-2", "accounts", "row-1", "password"}
		ct2 := mustSeal(t, other, pt, ad2)
		if _, err := s.Open(ct2, ad); !errors.Is(err, ErrOpen) {
			t.Fatalf("err = %v, want ErrOpen", err)
		}
	})
}

func TestSealRejectsForeignWorkspace(t *testing.T) {
	s := newWorkspaceSealer(t, New(newTestKEK(t, 1)), "ws-1")
	_, err := s.Seal([]byte("x"), AD{"ws-2", "accounts", "row-1", "password"})
	if err == nil {
		t.Fatal("Seal accepted an AD naming another workspace")
	}
}

func TestSealerKeyset(t *testing.T) {
	oldKey, newKey := testKey(10), testKey(20)
	ad := AD{"ws-1", "secrets", "row-1", "body"}
	old, err := newSealer("ws-1", oldKey)
	if err != nil {
		t.Fatal(err)
	}
	oldCT := mustSeal(t, old, []byte("sealed before rotation"), ad)

	rotated, err := newSealer("ws-1", newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	newCT := mustSeal(t, rotated, []byte("sealed after rotation"), ad)

	tests := []struct {
		name string
		s    *Sealer
		ct   []byte
		want string
	}{
		{"rotated opens old", rotated, oldCT, "sealed before rotation"},
		{"rotated opens new", rotated, newCT, "sealed after rotation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.s.Open(tt.ct, ad)
			if err != nil || string(got) != tt.want {
				t.Fatalf("Open = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	t.Run("seals with first key", func(t *testing.T) {
		if !bytes.Equal(newCT[1:5], refKeyID(newKey)) {
			t.Fatalf("key id = %x, want the new key's %x", newCT[1:5], refKeyID(newKey))
		}
	})
	t.Run("old sealer cannot open new", func(t *testing.T) {
		if _, err := old.Open(newCT, ad); !errors.Is(err, ErrOpen) {
			t.Fatalf("err = %v, want ErrOpen", err)
		}
	})
	t.Run("key id collision", func(t *testing.T) {
		// Force both keys to share an id: each ciphertext must still open.
		collided, err := newSealer("ws-1", newKey, oldKey)
		if err != nil {
			t.Fatal(err)
		}
		collided.keys[0].id = collided.keys[1].id
		for _, ct := range [][]byte{oldCT, mustSeal(t, collided, []byte("x"), ad)} {
			if _, err := collided.Open(ct, ad); err != nil {
				t.Fatalf("Open: %v", err)
			}
		}
	})
}
