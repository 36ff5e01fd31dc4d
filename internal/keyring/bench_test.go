package keyring

import (
	"bytes"
	"testing"
)

var benchCases = []struct {
	name string
	size int
}{
	{"password-32B", 32},
	{"body-4KiB", 4 << 10},
}

var benchAD = AD{"0195f0c2-7c1e-7000-8000-00000000000a", "secrets", "0195f0c2-7c1e-7000-8000-00000000000b", "body"}

func benchSealer(b *testing.B) *Sealer {
	b.Helper()
	s, err := newSealer(benchAD.Workspace, testKey(0x42))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkSeal(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			s := benchSealer(b)
			pt := bytes.Repeat([]byte{'p'}, bc.size)
			b.ReportAllocs()
			b.SetBytes(int64(bc.size))
			for b.Loop() {
				if _, err := s.Seal(pt, benchAD); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			s := benchSealer(b)
			ct, err := s.Seal(bytes.Repeat([]byte{'p'}, bc.size), benchAD)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(bc.size))
			for b.Loop() {
				if _, err := s.Open(ct, benchAD); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
