package latchkey

import "time"

// JobStatus follows a job from the request to its end. Only Finished and
// Failed are final.
type JobStatus string

const (
	JobCreated  JobStatus = "created"
	JobStarted  JobStatus = "started"
	JobRunning  JobStatus = "running"
	JobRetrying JobStatus = "retrying"
	JobFinished JobStatus = "finished"
	JobFailed   JobStatus = "error"
)

// Final reports whether the job will not change any more (unless retried
// by hand).
func (s JobStatus) Final() bool { return s == JobFinished || s == JobFailed }

// Workflow is what a job does.
type Workflow string

const (
	WorkflowGetBusiness      Workflow = "get_business"   // import users and entitlements
	WorkflowProvideAccess    Workflow = "provide_access" // invite users
	WorkflowUpdateAccess     Workflow = "update_access"  // change a user's entitlements
	WorkflowRevokeAccess     Workflow = "revoke_access"  // remove a user
	WorkflowPasswordRotation Workflow = "password_rotation"
	WorkflowSetupMFA         Workflow = "setup_mfa"
	WorkflowDisableMFA       Workflow = "disable_mfa"
	WorkflowHealthcheckMFA   Workflow = "healthcheck_mfa"
)

// AccountWorkflows are the workflows POST /accounts/{id}/jobs may start.
var AccountWorkflows = []Workflow{WorkflowPasswordRotation, WorkflowSetupMFA, WorkflowDisableMFA, WorkflowHealthcheckMFA}

// JobTrigger is what caused a job.
type JobTrigger string

const (
	TriggerManual            JobTrigger = "manual"
	TriggerWorkspacePolicy   JobTrigger = "workspace_policy"
	TriggerSystem            JobTrigger = "system"
	TriggerUserDeprovisioned JobTrigger = "user_deprovisioned"
)

// Job failure types, in the vendor's vocabulary where it has a word, ours
// otherwise.
const (
	JobErrBadCredentials           = "BadCredentials"
	JobErrNotEnoughSeats           = "NotEnoughSeats"
	JobErrUnderpermissionedAccount = "UnderpermissionedAccount"
	JobErrSubscriptionDeactivated  = "SubscriptionDeactivated"
	JobErrInvalidEmail             = "InvalidEmail"
	JobErrEmptyPassword            = "EmptyPasswordError"
	JobErrMFANotManaged            = "MFANotManagedError"
	JobErrMFAAlreadyEnabled        = "MFAAlreadyEnable" // sic, as the vendor spells it
	JobErrUserAlreadyExists        = "UserAlreadyExists"
	JobErrUserNotFound             = "UserNotFound"
	JobErrUnknownEntitlement       = "UnknownEntitlement"
	JobErrApplicationUnavailable   = "ApplicationUnavailable" // down, timing out, or answering 5xx
	JobErrStepFailed               = "AutomationStepFailed"   // a browser recipe step found nothing
	JobErrInternal                 = "InternalError"
	JobErrNotSupported             = "AutomationNotSupported" // the connector cannot do this in the application
)

// Job is one durable automation run against an account or integration.
type Job struct {
	ID            string
	WorkspaceID   string
	AccountID     string // the account or integration acted on
	AccountName   string
	Provider      string // the account's application
	Workflow      Workflow
	Trigger       JobTrigger
	Status        JobStatus
	Attempt       int
	CreatedByID   string
	CreatedByName string
	Payload       map[string]any // what was asked; never a secret
	Response      map[string]any // what came back; never a secret
	Failure       *JobFailure
	CreatedAt     time.Time
	UpdatedAt     time.Time
	FinishedAt    *time.Time
}

// CanRetry reports whether POST /jobs/{id}/retry may run the job again.
func (j *Job) CanRetry() bool { return j.Status == JobFailed }

// JobFailure says why a job failed, in terms a person can act on.
type JobFailure struct {
	Type         string // one of the JobErr… values
	Message      string // never a secret
	UserRequired bool   // a person must fix something (credentials, seats) before a retry can help
	Step         string // the recipe step that failed, for browser jobs
	Screenshot   bool   // a screenshot of the failed step is kept with the job
}

// JobFilter narrows GET /jobs; newest first.
type JobFilter struct {
	AccountID string
	Statuses  []JobStatus
	Workflows []Workflow
	Triggers  []JobTrigger
	Page      Page
}
