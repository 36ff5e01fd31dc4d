package latchkey

import "time"

// TeamType says who manages a team's membership.
type TeamType string

const (
	TeamUserManaged TeamType = "user_managed" // created in Latchkey; its team admins manage it
	TeamSCIMManaged TeamType = "scim_managed" // pushed by an identity provider; read-only here
)

// Team is a group of users that items can be shared with.
type Team struct {
	ID          string
	WorkspaceID string
	Name        string
	Type        TeamType
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TeamRole is a member's role in a self-managed team.
type TeamRole string

const (
	TeamAdmin  TeamRole = "admin"
	TeamMember TeamRole = "member"
)

// TeamMembership is a user's place in a team.
type TeamMembership struct {
	UserID string
	Role   TeamRole
}
