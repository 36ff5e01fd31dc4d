// Package browser is the connector for applications that have nothing but
// a web admin page: it signs in and clicks through the page in headless
// Chromium, following a declarative recipe.
//
// # Recipes
//
// A recipe is a JSON object with optional "name" and "description" strings
// and one list of steps per procedure:
//
//	login              signs in; runs first in every operation (required)
//	list_users         reads the users        (Connector.Users)
//	list_entitlements  reads the roles        (Connector.Entitlements)
//	invite             adds a user            (Connector.Invite)
//	set_entitlements   changes a user's role  (Connector.SetEntitlements)
//	remove             removes a user         (Connector.Remove)
//	change_password    changes the admin's own password (PasswordChanger)
//
// Every operation opens a fresh browser context (no cookies from the last
// one), runs login, then its own procedure. A missing procedure makes its
// operation fail.
//
// A step is an object whose "step" names its kind:
//
//	{"step": "navigate",   "url": "/admin/users"}
//	{"step": "fill",       "selector": "#email", "value": "{{email}}"}
//	{"step": "click",      "selector": "#invite button[type=submit]"}
//	{"step": "select",     "selector": "#role", "value": "{{entitlement}}"}
//	{"step": "wait_for",   "selector": "#flash", "text": "Invited", "timeout": "20s"}
//	{"step": "assert",     "selector": "#flash", "text": "password was changed"}
//	{"step": "fail_if",    "selector": "#flash.error", "text": "no seats left", "errorType": "NotEnoughSeats"}
//	{"step": "fail_if",    "selector": "tr[data-email=\"{{email}}\" i]", "absent": true, "errorType": "UserNotFound"}
//	{"step": "read_table", "selector": "#users", "rows": "tbody tr", "columns": {"email": "td:nth-child(1)", "name": "td:nth-child(2)"}}
//
// What each kind does:
//
//   - navigate opens a path under the base URL and waits for the page to
//     load. An error page (HTTP 5xx), a refused connection or a load that
//     outlasts the timeout is ApplicationUnavailable.
//   - fill waits for a visible element, sets its value and fires input and
//     change events.
//   - click waits for a visible element, clicks it with the mouse and, if
//     that starts a navigation, waits for the new page (a 5xx answer is
//     ApplicationUnavailable).
//   - select waits for a <select> and picks the option whose value, or else
//     whose label, is the value. No such option is UnknownEntitlement when
//     the value is {{entitlement}}, a failed step otherwise.
//   - wait_for waits for a visible element, and for it to contain text
//     when text is given (case-insensitive).
//   - assert checks the page as it is now: the element is there and
//     contains text.
//   - fail_if checks the page as it is now: if the element is there and
//     contains text (or, with "absent": true, if it is not there), the
//     operation fails with errorType. BadCredentials, NotEnoughSeats,
//     UserAlreadyExists (errors.Is connector.ErrUserExists), UserNotFound
//     (connector.ErrUserNotFound; Remove then succeeds),
//     UnknownEntitlement, InvalidEmail, EmptyPasswordError,
//     UnderpermissionedAccount, SubscriptionDeactivated and
//     ApplicationUnavailable are accepted.
//   - read_table waits for the table and reads each visible row matching
//     rows (default "tbody tr") into the named columns. A column is a
//     selector relative to the row, read as text; a trailing @attr reads an
//     attribute instead, and "@data-email" alone reads the row's own.
//     list_users needs an "email" column and understands firstName,
//     lastName, name, entitlement and entitlements; list_entitlements needs
//     "key" and understands label, value and group. Rows without the key
//     are skipped, and several read_table steps add up (pagination).
//
// Every step may also have "timeout" (a Go duration such as "5s"; the
// client's per-step timeout otherwise) and "when": "totp", which runs the
// step only when the credentials have a TOTP seed, so one login serves
// accounts with and without a second factor.
//
// A step that waits and finds nothing in time fails the operation with
// type AutomationStepFailed, the step's name ("invite[3] wait_for #flash")
// and a PNG screenshot of the page.
//
// # Placeholders
//
// Selectors, texts, URLs and values may hold placeholders:
//
//	{{username}} {{password}} {{totp}}           every procedure
//	{{email}}                                    invite, set_entitlements, remove
//	{{firstName}} {{lastName}}                   invite
//	{{entitlement}}                              invite, set_entitlements: the first one asked for
//	{{newPassword}}                              change_password ({{password}} is then the current one)
//
// The secrets, {{password}}, {{totp}} and {{newPassword}}, may only be the
// value of a fill step, so they never appear in a step's name, a URL, an
// error or a log line; page text quoted in an error has them blanked out
// too. A value put into a selector is escaped for a double-quoted CSS
// string, one put into a URL is path-escaped. The TOTP code is computed
// when its step runs.
//
// ParseRecipe checks all of this when the client is made, and its errors
// name the procedure and step: "recipe: invite[2] (fill): selector is
// required".
//
// SampleAppRecipe is the recipe for internal/sampleapp, and a working
// example of every kind of step.
package browser
