package keyring

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func skipModeTestsOnWindows(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("file mode bits are not enforced on Windows")
	}
}

func TestNewLocalKEK(t *testing.T) {
	tests := []struct {
		name     string
		key      []byte
		previous [][]byte
		wantErr  bool
	}{
		{"active only", testKey(1), nil, false},
		{"with previous", testKey(1), [][]byte{testKey(2), testKey(3)}, false},
		{"short key", testKey(1)[:16], nil, true},
		{"long key", append(testKey(1), 0), nil, true},
		{"nil key", nil, nil, true},
		{"short previous", testKey(1), [][]byte{testKey(2)[:31]}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kek, err := NewLocalKEK(tt.key, tt.previous...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if id := kek.ID(); len(id) != 8 || id != refKeyIDHex(tt.key) {
				t.Fatalf("ID = %q, want %q", id, refKeyIDHex(tt.key))
			}
		})
	}
}

func refKeyIDHex(key []byte) string {
	const digits = "0123456789abcdef"
	var b strings.Builder
	for _, c := range refKeyID(key) {
		b.WriteByte(digits[c>>4])
		b.WriteByte(digits[c&15])
	}
	return b.String()
}

func TestLocalKEKWrapUnwrap(t *testing.T) {
	kek := newTestKEK(t, 1)
	dek := testKey(100)
	ad := []byte("workspace ws-1")
	wrapped, err := kek.Wrap(dek, ad)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(wrapped, dek) {
		t.Fatal("wrapped key contains the data key")
	}

	t.Run("round trip", func(t *testing.T) {
		got, err := kek.Unwrap(wrapped, ad)
		if err != nil || !bytes.Equal(got, dek) {
			t.Fatalf("Unwrap = %x, %v", got, err)
		}
	})
	fails := []struct {
		name    string
		kek     *LocalKEK
		wrapped []byte
		ad      []byte
	}{
		{"wrong ad", kek, wrapped, []byte("workspace ws-2")},
		{"nil ad", kek, wrapped, nil},
		{"wrong kek", newTestKEK(t, 2), wrapped, ad},
		{"truncated", kek, wrapped[:len(wrapped)-1], ad},
		{"flipped tag", kek, flip(wrapped, len(wrapped)-1), ad},
		{"flipped key id", kek, flip(wrapped, 2), ad},
		{"flipped version", kek, flip(wrapped, 0), ad},
		{"empty", kek, nil, ad},
	}
	for _, f := range fails {
		t.Run(f.name, func(t *testing.T) {
			got, err := f.kek.Unwrap(f.wrapped, f.ad)
			if !errors.Is(err, ErrOpen) || got != nil {
				t.Fatalf("Unwrap = %x, %v; want nil, ErrOpen", got, err)
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x80
	return c
}

func TestKEKRotation(t *testing.T) {
	oldKey, newKey := testKey(1), testKey(2)
	oldKEK, err := NewLocalKEK(oldKey)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := NewLocalKEK(newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	newOnly, err := NewLocalKEK(newKey)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.ID() == oldKEK.ID() || rotated.ID() != newOnly.ID() {
		t.Fatalf("IDs: old %s, rotated %s, new only %s", oldKEK.ID(), rotated.ID(), newOnly.ID())
	}

	dek := testKey(100)
	ad := []byte("ad")
	wrappedOld, err := oldKEK.Wrap(dek, ad)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("previous key still unwraps", func(t *testing.T) {
		got, err := rotated.Unwrap(wrappedOld, ad)
		if err != nil || !bytes.Equal(got, dek) {
			t.Fatalf("Unwrap = %x, %v", got, err)
		}
	})
	t.Run("wrap uses the active key", func(t *testing.T) {
		w, err := rotated.Wrap(dek, ad)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := newOnly.Unwrap(w, ad); err != nil {
			t.Fatalf("new key alone cannot unwrap: %v", err)
		}
		if _, err := oldKEK.Unwrap(w, ad); !errors.Is(err, ErrOpen) {
			t.Fatalf("old key unwrapped a key wrapped after rotation: %v", err)
		}
	})
	t.Run("missing previous key is named", func(t *testing.T) {
		_, err := newOnly.Unwrap(wrappedOld, ad)
		if !errors.Is(err, ErrOpen) {
			t.Fatalf("err = %v, want ErrOpen", err)
		}
		if !strings.Contains(err.Error(), oldKEK.ID()) {
			t.Fatalf("error %q does not name the missing KEK %s", err, oldKEK.ID())
		}
	})
	t.Run("workspace data survives rotation", func(t *testing.T) {
		ad := AD{"ws-1", "accounts", "row-1", "password"}
		wrapped, err := New(oldKEK).NewWorkspaceKey("ws-1")
		if err != nil {
			t.Fatal(err)
		}
		load := func(context.Context) ([]byte, error) { return wrapped, nil }
		before, err := New(oldKEK).Sealer(context.Background(), "ws-1", load)
		if err != nil {
			t.Fatal(err)
		}
		ct := mustSeal(t, before, []byte("pw"), ad)
		after, err := New(rotated).Sealer(context.Background(), "ws-1", load)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := after.Open(ct, ad); err != nil || string(got) != "pw" {
			t.Fatalf("Open after rotation = %q, %v", got, err)
		}
	})
}

func TestLoadOrCreateKEKCreates(t *testing.T) {
	skipModeTestsOnWindows(t)
	dir := filepath.Join(t.TempDir(), "state", "keys")
	path := filepath.Join(dir, "kek")

	kek, created, err := LoadOrCreateKEK(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if !created {
		t.Fatal("created = false for a new file")
	}

	t.Run("file is 0600", func(t *testing.T) {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode = %04o, want 0600", fi.Mode().Perm())
		}
	})
	t.Run("parent dir is 0700", func(t *testing.T) {
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Fatalf("mode = %04o, want 0700", fi.Mode().Perm())
		}
	})
	t.Run("content is base64 of 32 bytes", func(t *testing.T) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) != keySize {
			t.Fatalf("decoded %d bytes, err %v", len(key), err)
		}
		if refKeyIDHex(key) != kek.ID() {
			t.Fatalf("file key id %s, KEK id %s", refKeyIDHex(key), kek.ID())
		}
	})
	t.Run("no temp files left", func(t *testing.T) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Fatalf("directory holds %v, want only kek", names)
		}
	})
	t.Run("reload gives the same key", func(t *testing.T) {
		again, created, err := LoadOrCreateKEK(path, "")
		if err != nil {
			t.Fatal(err)
		}
		if created {
			t.Fatal("created = true for an existing file")
		}
		if again.ID() != kek.ID() {
			t.Fatalf("ID = %s, want %s", again.ID(), kek.ID())
		}
		w, err := kek.Wrap(testKey(7), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := again.Unwrap(w, nil); err != nil {
			t.Fatalf("reloaded KEK cannot unwrap: %v", err)
		}
	})
}

func TestLoadOrCreateKEKConcurrentCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kek")
	const n = 16
	var (
		wg      sync.WaitGroup
		ids     [n]string
		created [n]bool
		errs    [n]error
	)
	for i := range n {
		wg.Go(func() {
			var kek *LocalKEK
			kek, created[i], errs[i] = LoadOrCreateKEK(path, "")
			if kek != nil {
				ids[i] = kek.ID()
			}
		})
	}
	wg.Wait()
	winners := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Fatalf("callers got different keys: %s and %s", ids[0], ids[i])
		}
		if created[i] {
			winners++
		}
	}
	if winners != 1 {
		t.Fatalf("%d callers report creating the file, want 1", winners)
	}
}

func TestLoadOrCreateKEKRejectsLooseModes(t *testing.T) {
	skipModeTestsOnWindows(t)
	encoded := base64.StdEncoding.EncodeToString(testKey(9))
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o666, 0o700} {
		t.Run(mode.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kek")
			if err := os.WriteFile(path, []byte(encoded+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, mode); err != nil {
				t.Fatal(err)
			}
			_, _, err := LoadOrCreateKEK(path, "")
			if mode&0o077 == 0 {
				// 0700 grants nothing to group or others; it is allowed.
				if err != nil {
					t.Fatalf("mode %04o rejected: %v", mode, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("mode %04o accepted", mode)
			}
			msg := err.Error()
			if !strings.Contains(msg, "chmod 600") || !strings.Contains(msg, path) {
				t.Fatalf("error %q does not say how to fix the file", msg)
			}
			if strings.Contains(msg, encoded) || strings.Contains(msg, encoded[:12]) {
				t.Fatalf("error %q leaks key material", msg)
			}
		})
	}
}

func TestLoadOrCreateKEKFileErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
	}{
		{"empty", ""},
		{"not base64", "this is !!! not a key\n"},
		{"16 bytes", base64.StdEncoding.EncodeToString(testKey(3)[:16])},
		{"33 bytes", base64.StdEncoding.EncodeToString(append(testKey(3), 1))},
		{"huge", strings.Repeat("A", 10000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kek")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, created, err := LoadOrCreateKEK(path, "")
			if err == nil || created {
				t.Fatalf("created = %v, err = %v; want an error", created, err)
			}
			if len(tt.content) >= 8 && strings.Contains(err.Error(), strings.TrimSpace(tt.content)[:8]) {
				t.Fatalf("error %q echoes the file content", err)
			}
			b, _ := os.ReadFile(path)
			if string(b) != tt.content {
				t.Fatal("a bad key file was overwritten")
			}
		})
	}
	t.Run("directory", func(t *testing.T) {
		if _, _, err := LoadOrCreateKEK(t.TempDir(), ""); err == nil {
			t.Fatal("a directory was accepted as a key file")
		}
	})
	t.Run("no path no secret", func(t *testing.T) {
		if _, _, err := LoadOrCreateKEK("", ""); err == nil {
			t.Fatal("no error without a path or a secret")
		}
	})
}

func TestLoadOrCreateKEKSecret(t *testing.T) {
	key := testKey(0xc0)
	copy(key, []byte{0xfb, 0xff, 0xbf}) // encodes to "+/+/" or "-_-_", so the alphabet matters
	if std := base64.StdEncoding.EncodeToString(key); !strings.HasPrefix(std, "+/+/") {
		t.Fatalf("test key encodes to %s", std)
	}
	want := refKeyIDHex(key)
	valid := []struct {
		name   string
		secret string
	}{
		{"std padded", base64.StdEncoding.EncodeToString(key)},
		{"std raw", base64.RawStdEncoding.EncodeToString(key)},
		{"url padded", base64.URLEncoding.EncodeToString(key)},
		{"url raw", base64.RawURLEncoding.EncodeToString(key)},
		{"trailing newline", base64.StdEncoding.EncodeToString(key) + "\n"},
		{"surrounding spaces", "  " + base64.StdEncoding.EncodeToString(key) + " "},
	}
	for _, tt := range valid {
		t.Run("accepts "+tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kek")
			kek, created, err := LoadOrCreateKEK(path, tt.secret)
			if err != nil {
				t.Fatal(err)
			}
			if created {
				t.Fatal("created = true for a secret")
			}
			if kek.ID() != want {
				t.Fatalf("ID = %s, want %s", kek.ID(), want)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("a key file was written although a secret was given (stat: %v)", err)
			}
		})
	}

	invalid := []struct {
		name   string
		secret string
	}{
		{"16 bytes", base64.StdEncoding.EncodeToString(testKey(0x51)[:16])},
		{"31 bytes", base64.StdEncoding.EncodeToString(testKey(0x52)[:31])},
		{"33 bytes", base64.StdEncoding.EncodeToString(append(testKey(0x53), 7))},
		{"64 bytes", base64.StdEncoding.EncodeToString(append(testKey(0x54), testKey(0x55)...))},
		{"not base64", "Tr0ub4dor&3-is-not-a-key"},
		{"hex", strings.Repeat("deadbeef", 8)},
		{"mixed alphabets", strings.Replace(base64.RawStdEncoding.EncodeToString(key), "+", "-", 1)},
	}
	for _, tt := range invalid {
		t.Run("rejects "+tt.name, func(t *testing.T) {
			_, _, err := LoadOrCreateKEK("", tt.secret)
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if strings.Contains(msg, tt.secret) || strings.Contains(msg, tt.secret[:8]) {
				t.Fatalf("error %q echoes the secret", msg)
			}
		})
	}
}

func TestLoadOrCreateKEKDanglingSymlink(t *testing.T) {
	skipModeTestsOnWindows(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "kek")
	if err := os.Symlink(filepath.Join(dir, "missing"), path); err != nil {
		t.Skipf("symlinks unavailable: %v", err)
	}
	if _, created, err := LoadOrCreateKEK(path, ""); err == nil || created {
		t.Fatalf("created = %v, err = %v; want an error", created, err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a key was written through the dangling symlink")
	}
}
