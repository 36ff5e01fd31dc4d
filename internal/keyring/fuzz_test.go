package keyring

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The fuzz target and the corpus under testdata/fuzz/FuzzOpen share this
// fixed key and AD, so the corpus can hold real ciphertexts.
var (
	fuzzKey        = testKey(0x42)
	fuzzAD         = AD{"ws-fuzz", "secrets", "row-1", "body"}
	fuzzPlaintexts = [][]byte{
		[]byte("hunter2"),
		{},
		bytes.Repeat([]byte("0123456789abcdef"), 256),
	}
)

func fuzzSealer(tb testing.TB) *Sealer {
	tb.Helper()
	s, err := newSealer(fuzzAD.Workspace, fuzzKey)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func FuzzOpen(f *testing.F) {
	s := fuzzSealer(f)
	for _, pt := range fuzzPlaintexts {
		ct := mustSeal(f, s, pt, fuzzAD)
		f.Add(ct)
		f.Add(ct[:len(ct)-1])
		f.Add(flip(ct, 0))
		f.Add(flip(ct, len(ct)-1))
	}
	f.Add([]byte{})
	f.Add([]byte{formatVersion})
	f.Add(make([]byte, overhead))
	f.Add(bytes.Repeat([]byte{0xff}, 64))

	f.Fuzz(func(t *testing.T, data []byte) {
		pt, err := s.Open(data, fuzzAD)
		if err != nil {
			if !errors.Is(err, ErrOpen) {
				t.Fatalf("Open failed with %v, which is not ErrOpen", err)
			}
			if pt != nil {
				t.Fatalf("Open returned plaintext %q along with an error", pt)
			}
			return
		}
		// Success must mean a genuine ciphertext: one that an independent
		// implementation also opens, of a value this test actually sealed.
		ref, refErr := refOpen(fuzzKey, data, fuzzAD)
		if refErr != nil || !bytes.Equal(ref, pt) {
			t.Fatalf("Open accepted %x, which the reference rejects (%v)", data, refErr)
		}
		for _, known := range fuzzPlaintexts {
			if bytes.Equal(pt, known) {
				return
			}
		}
		t.Fatalf("Open accepted %x as %q, which was never sealed", data, pt)
	})
}

// TestStoredCiphertextsStillOpen opens the real ciphertexts kept in the fuzz
// corpus. They were sealed by an earlier build, so this fails if a change
// would make data already at rest unreadable.
func TestStoredCiphertextsStillOpen(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzOpen", "valid-*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no stored ciphertexts found")
	}
	s := fuzzSealer(t)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			ct := readCorpusBytes(t, file)
			pt, err := s.Open(ct, fuzzAD)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Contains([]byte(filepath.Base(file)), []byte("empty")) && len(pt) == 0 {
				t.Fatal("opened to an empty value")
			}
		})
	}
}

// readCorpusBytes parses a one-value "go test fuzz v1" file.
func readCorpusBytes(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || lines[0] != "go test fuzz v1" {
		t.Fatalf("%s is not a one-value fuzz corpus file", file)
	}
	quoted, ok := strings.CutPrefix(lines[1], "[]byte(")
	if !ok {
		t.Fatalf("%s does not hold a []byte", file)
	}
	s, err := strconv.Unquote(strings.TrimSuffix(quoted, ")"))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return []byte(s)
}
