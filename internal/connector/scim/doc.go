// Package scim is the connector for applications that are SCIM 2.0 service
// providers (RFC 7643, RFC 7644). It speaks the protocol with a small typed
// client of its own over net/http: no SCIM client library is mature enough
// to depend on, and the connector needs only a handful of calls.
//
// The mapping between Latchkey and SCIM is deliberately plain:
//
//   - a person is a SCIM User whose userName is their email address;
//   - the application's entitlements are its SCIM Groups, keyed by the
//     group's displayName;
//   - a user holds an entitlement when they are a direct member of the
//     group (nested groups are not followed: SCIM does not say how a
//     service provider resolves them).
//
// Every error a method returns is a *connector.Error (or wraps one of the
// connector sentinels), and none of them ever carries the bearer token.
package scim
