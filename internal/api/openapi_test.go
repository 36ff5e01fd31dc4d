package api

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	apispec "github.com/latchkeyhq/latchkey/api"
	"github.com/latchkeyhq/latchkey/internal/authz"
)

// vendorOperations are the operationIds Latchkey shares with the vendor's
// published document. They must not be marked as extensions; every other
// operation must be.
var vendorOperations = []string{
	"getIntegrationList",
	"getIntegrationById",
	"getIntegrationEntitlements",
	"getIntegrationUsers",
	"postInviteIntegrationUser",
	"getIntegrationUserById",
	"patchUpdateUserEntitlement",
	"patchAddRemoveEntitlementUser",
	"deleteIntegrationUser",
	"getJobById",
	"getAccounts",
	"getAccountById",
	"getAccountSecrets",
	"listSecrets",
	"createSecret",
	"getsecretById",
	"getSecretMembers",
	"shareSecretWithMember",
	"listCollections",
	"getCollectionById",
	"getUserList",
	"getUserById",
	"getTeamList",
	"createTeam",
	"getTeamById",
	"updateTeam",
	"deleteTeam",
	"addTeamMembers",
	"getVaults",
}

// operationPolicies ties each documented operation to the authz operation
// core checks for it, so the scopes, the bearer-only marks and the 403s of
// the document follow the policy.
var operationPolicies = map[string]authz.Operation{
	"getIntegrationList":            authz.ListIntegrations,
	"createIntegration":             authz.CreateIntegration,
	"getIntegrationById":            authz.GetIntegration,
	"syncIntegration":               authz.SyncIntegration,
	"getIntegrationEntitlements":    authz.ListEntitlements,
	"getIntegrationUsers":           authz.ListIntegrationUsers,
	"getIntegrationUsersSingular":   authz.ListIntegrationUsers,
	"postInviteIntegrationUser":     authz.InviteIntegrationUsers,
	"getIntegrationUserById":        authz.GetIntegrationUser,
	"patchUpdateUserEntitlement":    authz.UpdateIntegrationUser,
	"patchAddRemoveEntitlementUser": authz.UpdateIntegrationUser,
	"deleteIntegrationUser":         authz.RemoveIntegrationUser,
	"listJobs":                      authz.ListJobs,
	"getJobById":                    authz.GetJob,
	"getJobScreenshot":              authz.GetJob,
	"retryJob":                      authz.RetryJob,
	"createAccountJob":              authz.StartAccountJob,
	"getAccounts":                   authz.ListAccounts,
	"createAccount":                 authz.CreateAccount,
	"getAccountById":                authz.GetAccount,
	"updateAccount":                 authz.UpdateAccount,
	"deleteAccount":                 authz.DeleteAccount,
	"getAccountSecrets":             authz.ReadAccountSecrets,
	"getAccountTotp":                authz.ReadAccountTOTP,
	"getAccountUsers":               authz.ListAccountMembers,
	"shareAccountWithUser":          authz.ShareAccount,
	"removeAccountUser":             authz.RemoveAccountMember,
	"getAccountTeams":               authz.ListAccountMembers,
	"shareAccountWithTeam":          authz.ShareAccount,
	"removeAccountTeam":             authz.RemoveAccountMember,
	"listSecrets":                   authz.ListSecrets,
	"createSecret":                  authz.CreateSecret,
	"getsecretById":                 authz.GetSecret,
	"updateSecret":                  authz.UpdateSecret,
	"deleteSecret":                  authz.DeleteSecret,
	"getSecretMembers":              authz.ListSecretMembers,
	"shareSecretWithMember":         authz.ShareSecret,
	"removeSecretMember":            authz.RemoveSecretMember,
	"getVaults":                     authz.ListVaults,
	"createVault":                   authz.CreateVault,
	"getVaultById":                  authz.GetVault,
	"updateVault":                   authz.UpdateVault,
	"listActivities":                authz.ListActivities,
	"listApiKeys":                   authz.ListAPIKeys,
	"createApiKey":                  authz.CreateAPIKey,
	"getApiKeyById":                 authz.GetAPIKey,
	"updateApiKey":                  authz.UpdateAPIKey,
	"deleteApiKey":                  authz.DeleteAPIKey,
	"getMe":                         authz.Me,
	"refreshToken":                  authz.RefreshToken,
	"revokeToken":                   authz.RevokeToken,

	"listCollections":             authz.ListCollections,
	"createCollection":            authz.CreateCollection,
	"getCollectionById":           authz.GetCollection,
	"updateCollection":            authz.UpdateCollection,
	"deleteCollection":            authz.DeleteCollection,
	"getSubcollections":           authz.ListCollectionContents,
	"getCollectionAccounts":       authz.ListCollectionContents,
	"addAccountsToCollection":     authz.ChangeCollectionItems,
	"removeAccountFromCollection": authz.ChangeCollectionItems,
	"getCollectionSecrets":        authz.ListCollectionContents,
	"addSecretsToCollection":      authz.ChangeCollectionItems,
	"removeSecretFromCollection":  authz.ChangeCollectionItems,
	// Sharing lists a collection's members under the contents operation.
	"getCollectionUsers":      authz.ListCollectionContents,
	"shareCollectionWithUser": authz.ShareCollection,
	"removeCollectionUser":    authz.RemoveCollectionMember,
	"getCollectionTeams":      authz.ListCollectionContents,
	"shareCollectionWithTeam": authz.ShareCollection,
	"removeCollectionTeam":    authz.RemoveCollectionMember,

	"getUserList": authz.ListUsers,
	"createUser":  authz.CreateUser,
	"getUserById": authz.GetUser,
	"replaceUser": authz.UpdateUser,
	"updateUser":  authz.UpdateUser,
	"deleteUser":  authz.DeleteUser,

	"getTeamList":      authz.ListTeams,
	"createTeam":       authz.CreateTeam,
	"getTeamById":      authz.GetTeam,
	"updateTeam":       authz.UpdateTeam,
	"deleteTeam":       authz.DeleteTeam,
	"addTeamMembers":   authz.AddTeamMembers,
	"getTeamMembers":   authz.ListTeamMembers,
	"removeTeamMember": authz.RemoveTeamMember,

	// The legacy Read API and the vendor's web API, under /api/v1 and /v1.
	"getAdminUsers":     authz.ListUsers,
	"getAdminUsersV1":   authz.ListUsers,
	"getUserAccounts":   authz.UserAccounts,
	"getUserAccountsV1": authz.UserAccounts,
	"getAccountsV1":     authz.ListAccounts,
	"getAccountByIdV1":  authz.GetAccount,
	"shareAccountV1":    authz.ShareAccount,
	"deleteAccountV1":   authz.DeleteAccount,
}

// documentedOperation is one operation of the document.
type documentedOperation struct {
	method, path string
	op           *openapi3.Operation
}

func (d documentedOperation) String() string { return d.method + " " + d.path }

func loadDocument(t *testing.T) *openapi3.T {
	t.Helper()
	v, err := newValidator(apispec.Document)
	if err != nil {
		t.Fatalf("api/openapi.yaml: %v", err)
	}
	return v.doc
}

// documentedOperations lists the document's operations sorted by path and
// method.
func documentedOperations(doc *openapi3.T) []documentedOperation {
	var out []documentedOperation
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			out = append(out, documentedOperation{method: method, path: path, op: op})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].path != out[j].path {
			return out[i].path < out[j].path
		}
		return out[i].method < out[j].method
	})
	return out
}

func TestOpenAPIDocumentLoads(t *testing.T) {
	doc := loadDocument(t)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi is %q, want 3.0.3", doc.OpenAPI)
	}
	// Paths are written in full, since operations live under Prefix and
	// under LegacyPrefix.
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/" {
		t.Errorf("servers must be exactly [{url: /}]")
	}
	for path := range doc.Paths.Map() {
		if !strings.HasPrefix(path, Prefix+"/") && !strings.HasPrefix(path, LegacyPrefix+"/") {
			t.Errorf("path %s is under neither %s nor %s", path, Prefix, LegacyPrefix)
		}
	}
}

func TestOpenAPIRoutesMatchDocument(t *testing.T) {
	doc := loadDocument(t)
	documented := map[string]bool{}
	for _, d := range documentedOperations(doc) {
		documented[d.String()] = true
	}
	routed := map[string]bool{}
	var problems []string
	for _, rt := range routes {
		key := rt.method + " " + rt.fullPath()
		routed[key] = true
		switch {
		case rt.undocumented && documented[key]:
			problems = append(problems, "route "+key+" is marked undocumented but is in the document")
		case !rt.undocumented && !documented[key]:
			problems = append(problems, "route "+key+" is not in the document")
		}
	}
	for key := range documented {
		if !routed[key] {
			problems = append(problems, "operation "+key+" in the document has no route")
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		t.Errorf("routes.go and api/openapi.yaml disagree:\n\t%s", strings.Join(problems, "\n\t"))
	}
}

func TestOpenAPIVendorOperationsPresent(t *testing.T) {
	doc := loadDocument(t)
	ids := map[string]bool{}
	for _, d := range documentedOperations(doc) {
		ids[d.op.OperationID] = true
	}
	for _, id := range vendorOperations {
		if !ids[id] {
			t.Errorf("vendor operation %s is not in the document", id)
		}
	}
}

func TestOpenAPIOperationIDsUnique(t *testing.T) {
	doc := loadDocument(t)
	seen := map[string]string{}
	for _, d := range documentedOperations(doc) {
		if d.op.OperationID == "" {
			continue // reported by TestOpenAPIOperations
		}
		if prev, ok := seen[d.op.OperationID]; ok {
			t.Errorf("operationId %s is used by both %s and %s", d.op.OperationID, prev, d)
		}
		seen[d.op.OperationID] = d.String()
	}
}

// stringList reads an extension holding a list of strings.
func stringList(v any) ([]string, error) {
	items, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("is %T, not a list", v)
	}
	out := make([]string, 0, len(items))
	for _, item := range items {
		s, ok := item.(string)
		if !ok {
			return nil, fmt.Errorf("holds %T, not a string", item)
		}
		out = append(out, s)
	}
	return out, nil
}

func scopeNames(op authz.Operation, anyScope bool) []string {
	scopes := op.Scopes
	if anyScope {
		scopes = op.AnyScope
	}
	var out []string
	for _, s := range scopes {
		out = append(out, s.String())
	}
	return out
}

// securitySchemes lists the schemes an operation accepts, each alternative
// of one scheme.
func securitySchemes(doc *openapi3.T, op *openapi3.Operation) []string {
	reqs := doc.Security
	if op.Security != nil {
		reqs = *op.Security
	}
	var out []string
	for _, req := range reqs {
		var names []string
		for name := range req {
			names = append(names, name)
		}
		sort.Strings(names)
		out = append(out, strings.Join(names, "+"))
	}
	sort.Strings(out)
	return out
}

// hasParameter reports whether an operation documents a parameter by name.
func hasParameter(op *openapi3.Operation, name string) bool {
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.Name == name {
			return true
		}
	}
	return false
}

func TestOpenAPIOperations(t *testing.T) {
	doc := loadDocument(t)
	checks := []struct {
		name  string
		check func(d documentedOperation) error
	}{
		{"has an operationId", func(d documentedOperation) error {
			if d.op.OperationID == "" {
				return fmt.Errorf("no operationId")
			}
			return nil
		}},
		{"has a description", func(d documentedOperation) error {
			if strings.TrimSpace(d.op.Description) == "" {
				return fmt.Errorf("no description")
			}
			return nil
		}},
		{"has responses", func(d documentedOperation) error {
			if d.op.Responses == nil || d.op.Responses.Len() == 0 {
				return fmt.Errorf("no responses")
			}
			return nil
		}},
		{"marks extensions", func(d documentedOperation) error {
			marked := d.op.Extensions["x-latchkey-extension"] == true
			if slices.Contains(vendorOperations, d.op.OperationID) {
				if _, ok := d.op.Extensions["x-latchkey-extension"]; ok {
					return fmt.Errorf("vendor operation %s carries x-latchkey-extension", d.op.OperationID)
				}
				return nil
			}
			if !marked {
				return fmt.Errorf("%s is not a vendor operation but lacks x-latchkey-extension: true", d.op.OperationID)
			}
			if !strings.Contains(d.op.Description, "Latchkey extension") {
				return fmt.Errorf("%s: the description does not say \"Latchkey extension\"", d.op.OperationID)
			}
			return nil
		}},
		{"follows the authz policy", func(d documentedOperation) error {
			policy, ok := operationPolicies[d.op.OperationID]
			if !ok {
				return fmt.Errorf("%s has no entry in operationPolicies", d.op.OperationID)
			}
			schemes := securitySchemes(doc, d.op)
			if policy.BearerOnly {
				if !slices.Equal(schemes, []string{"BearerAuth"}) {
					return fmt.Errorf("bearer-only operation has security %v, want only BearerAuth", schemes)
				}
				if !strings.Contains(d.op.Description, "Bearer token only") {
					return fmt.Errorf("the description of a bearer-only operation does not say \"Bearer token only\"")
				}
			} else if !slices.Equal(schemes, []string{"ApiKeyAuth", "BearerAuth"}) {
				return fmt.Errorf("security is %v, want ApiKeyAuth or BearerAuth", schemes)
			}
			for _, ext := range []struct {
				name     string
				anyScope bool
			}{{"x-latchkey-scopes", false}, {"x-latchkey-any-scope", true}} {
				want := scopeNames(policy, ext.anyScope)
				raw, present := d.op.Extensions[ext.name]
				if policy.BearerOnly || len(want) == 0 {
					if present {
						return fmt.Errorf("%s is set, but an API key cannot call this operation or needs no such scope", ext.name)
					}
					continue
				}
				got, err := stringList(raw)
				if err != nil {
					return fmt.Errorf("%s %v", ext.name, err)
				}
				if !slices.Equal(got, want) {
					return fmt.Errorf("%s is %v, authz says %v", ext.name, got, want)
				}
				for _, s := range want {
					if !strings.Contains(d.op.Description, "`"+s+"`") {
						return fmt.Errorf("the description does not name the scope %s", s)
					}
				}
			}
			if (policy.Admin || policy.CreatesItem || policy.MembersOnly) && d.op.Responses.Value("403") == nil {
				return fmt.Errorf("a workspace role can deny this operation, but 403 is not documented")
			}
			return nil
		}},
		{"pages by page[after] too", func(d documentedOperation) error {
			// Every list that takes page[number] is served by page() in
			// params.go, which also reads page[after].
			if hasParameter(d.op, "page[number]") && !hasParameter(d.op, "page[after]") {
				return fmt.Errorf("takes page[number] but does not document page[after]")
			}
			return nil
		}},
	}
	for _, d := range documentedOperations(doc) {
		t.Run(d.method+d.path, func(t *testing.T) {
			for _, c := range checks {
				t.Run(c.name, func(t *testing.T) {
					if err := c.check(d); err != nil {
						t.Errorf("%s: %v", d, err)
					}
				})
			}
		})
	}
}
