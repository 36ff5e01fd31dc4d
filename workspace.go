package latchkey

import (
	"regexp"
	"time"
)

// Workspace is one tenant. Its name is the sub-domain clients address
// ({name}.{base-domain}) and the value of the Cerby-Workspace header.
type Workspace struct {
	ID        string
	Name      string
	TokenTTL  time.Duration // lifetime of new bearer tokens
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DefaultTokenTTL is how long a bearer token lasts unless the workspace says otherwise.
const DefaultTokenTTL = time.Hour

var workspaceName = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// ValidWorkspaceName reports whether name can be a DNS label, since clients
// reach a workspace as {name}.{base-domain}.
func ValidWorkspaceName(name string) bool { return workspaceName.MatchString(name) }
