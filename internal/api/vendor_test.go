package api_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The vendor's objects, by the attribute names and JSON types its
// published v1 document gives them. Every one must be present, with that
// type, in our answers (null allowed where the value may be unknown).
var vendorObjects = map[string]struct {
	golden, typ string
	path        []any // to the first resource
	attrs       map[string]string
}{
	"account": {"accounts.get", "account", []any{"data"}, map[string]string{
		"application": "string", "businessId": "string?", "cerbyManagedEmail": "bool", "cerbyManagedPhone": "bool",
		"createdAt": "string", "createdBy": "string?", "hasBackupCode": "bool", "hasPasskey": "bool", "hasTotp": "bool",
		"label": "string", "lastLoginBy": "string?", "lastLoginDate": "string?", "lastPasswordChange": "string?",
		"mfaEnabled": "bool", "mfaTypes": "array", "updatedAt": "string", "workspace": "string",
		// Added to the vendor's object in 2026.
		"autofillMfa": "bool", "avatarUrl": "string?", "createdByEmail": "string?", "domain": "string?", "email": "string?",
		"meta": "object", "passwordSet": "bool", "passwordVisible": "bool", "phone": "string?", "rotatedAt": "string?",
		"rotatedBy": "string?", "rotatedById": "string?", "status": "string", "syncedAt": "string?", "url": "string?",
	}},
	"account list": {"accounts.list", "account", []any{"data", 0}, nil},
	"account password": {"accounts.secrets", "account_secret", []any{"data", 0}, map[string]string{
		"body": "object", "createdAt": "string", "secretType": "string", "updatedAt": "string", "vaultId": "string",
	}},
	"secret": {"secrets.get", "secret", []any{"data"}, map[string]string{
		"body": "object", "category": "string", "createdAt": "string", "createdBy": "string?", "eventName": "string",
		"expiresAt": "string?", "requiresIdentityChallenge": "bool", "status": "string", "title": "string", "updatedAt": "string",
		"updatedBy": "string?", "version": "number", "versionId": "string", "workspaceId": "string", "workspaceName": "string",
	}},
	"secret member": {"secrets.members.list", "user", []any{"data", 0}, map[string]string{"role": "string"}},
	"vault": {"vaults.get", "vault", []any{"data"}, map[string]string{
		"createdAt": "string", "createdBy": "string?", "createdByType": "string", "name": "string", "scheme": "string",
		"state": "string", "updatedAt": "string", "workspaceId": "string",
	}},
	"user": {"me", "user", []any{"data"}, map[string]string{
		"createdAt": "string", "email": "string", "firstName": "string", "isGuest": "bool", "lastName": "string",
		"mfaStatus": "object?", "role": "string", "status": "string", "updatedAt": "string",
	}},
}

func TestVendorFieldNames(t *testing.T) {
	for name, o := range vendorObjects {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "golden", o.golden+".json"))
			if err != nil {
				t.Fatal(err)
			}
			_, body, _ := strings.Cut(string(raw), "\n")
			var doc any
			if err := json.Unmarshal([]byte(body), &doc); err != nil {
				t.Fatal(err)
			}
			res := dig(t, doc, o.path...).(map[string]any)
			for _, k := range []string{"id", "type", "attributes"} {
				if _, ok := res[k]; !ok {
					t.Errorf("resource lacks %q", k)
				}
			}
			if res["type"] != o.typ {
				t.Errorf("type %v, want %s", res["type"], o.typ)
			}
			attrs := res["attributes"].(map[string]any)
			for attr, typ := range o.attrs {
				v, ok := attrs[attr]
				if !ok {
					t.Errorf("attribute %q is missing", attr)
					continue
				}
				nullable := strings.HasSuffix(typ, "?")
				if v == nil {
					if !nullable {
						t.Errorf("attribute %q is null", attr)
					}
					continue
				}
				if got := jsonType(v); got != strings.TrimSuffix(typ, "?") {
					t.Errorf("attribute %q is a %s, want %s", attr, got, typ)
				}
			}
		})
	}
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "bool"
	case float64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "null"
}
