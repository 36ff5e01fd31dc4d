package otp

import (
	"errors"
	"testing"
	"time"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		"JBSWY3DPEHPK3PXP",
		"jbsw y3dp ehpk 3pxp",
		"JBSW-Y3DP-EHPK-3PXP====",
		"MFRGGZDFMZTWQ2LKNNWG23TPAAA",
		"otpauth://totp/ACME:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME",
		"otpauth://totp/?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256&digits=8&period=60",
		"otpauth://totp/%C3%9Cber:%3Aops?secret=jbswy3dpehpk3pxp&algorithm=sha512&period=15",
		"otpauth://totp/a?issuer=A%20%26%20B&secret=JBSWY3DPEHPK3PXP&Digits=6",
		"otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=0",
		"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&secret=JBSWY3DPEHPK3PXP",
		"otpauth://totp/%zz?secret=JBSWY3DPEHPK3PXP",
	} {
		f.Add(s)
	}
	// A fixed instant keeps failures reproducible.
	at := time.Unix(1_700_000_000, 0)
	f.Fuzz(func(t *testing.T, in string) {
		seed, err := Parse(in)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %q does not match ErrInvalid", err)
			}
			// Every message is one of the package's constants, so none can
			// contain any part of the input.
			assertConstantError(t, err)
			if seed != (Seed{}) {
				t.Fatalf("non-zero Seed alongside error")
			}
			return
		}
		if err := seed.validate(); err != nil {
			t.Fatalf("Parse returned a Seed that fails validation: %v", err)
		}

		uri := seed.URI()
		again, err := Parse(uri)
		if err != nil {
			t.Fatalf("Parse(URI()) of %q: %v", uri, err)
		}
		if again != seed {
			t.Fatalf("Parse(URI()) = %#v (secret %s), want %#v (secret %s)", again, again.Secret, seed, seed.Secret)
		}

		code, exp, err := seed.Code(at)
		if err != nil {
			t.Fatalf("Code: %v", err)
		}
		if len(code) != seed.Digits {
			t.Fatalf("code %q has %d digits, want %d", code, len(code), seed.Digits)
		}
		if !exp.After(at) || exp.Sub(at) > time.Duration(seed.Period)*time.Second {
			t.Fatalf("expiresAt %v not within one period after %v", exp, at)
		}

		data, err := seed.MarshalBinary()
		if err != nil {
			t.Fatalf("MarshalBinary: %v", err)
		}
		var decoded Seed
		if err := decoded.UnmarshalBinary(data); err != nil {
			t.Fatalf("UnmarshalBinary: %v", err)
		}
		if decoded != seed {
			t.Fatalf("binary round trip changed the seed")
		}
	})
}
