package api

import (
	"net/http"

	"github.com/latchkeyhq/latchkey"
)

type jobAccount struct {
	Entity   string `json:"entity"`
	ID       string `json:"id"`
	Name     string `json:"name"`
	Provider string `json:"provider"`
}

type jobCreator struct {
	ID   *string `json:"id"`
	Name *string `json:"name"`
}

// jobErrorDetails is {} when the job did not fail, as the vendor writes it.
type jobErrorDetails struct {
	ErrorType     string  `json:"errorType"`
	Message       string  `json:"message"`
	ScreenshotURL *string `json:"screenshotUrl"`
	Step          *string `json:"step,omitempty"`
	UserRequired  bool    `json:"userRequired"`
}

type jobAttributes struct {
	Account                      jobAccount     `json:"account"`
	Attempt                      int            `json:"attempt"`
	CanRetry                     bool           `json:"canRetry"`
	CreatedAt                    *timestamp     `json:"createdAt"`
	CreatedBy                    jobCreator     `json:"createdBy"`
	ErrorDetails                 any            `json:"errorDetails"`
	FinishedAt                   *timestamp     `json:"finishedAt"`
	HasMoreDetails               bool           `json:"hasMoreDetails"`
	Payload                      map[string]any `json:"payload"`
	Response                     map[string]any `json:"response"`
	Status                       string         `json:"status"`
	Trigger                      string         `json:"trigger"`
	UpdatedAt                    *timestamp     `json:"updatedAt"`
	WorkflowType                 string         `json:"workflowType"`
	WorkspacePolicyEnforcementID *string        `json:"workspacePolicyEnforcementId"`
}

func jobResource(j *latchkey.Job) resource {
	a := jobAttributes{
		Account:  jobAccount{Entity: "account", ID: j.AccountID, Name: j.AccountName, Provider: j.Provider},
		Attempt:  j.Attempt,
		CanRetry: j.CanRetry(), CreatedAt: ts(j.CreatedAt), FinishedAt: tsPtr(j.FinishedAt),
		CreatedBy:    jobCreator{ID: str(j.CreatedByID), Name: str(j.CreatedByName)},
		ErrorDetails: struct{}{},
		Payload:      j.Payload, Response: j.Response,
		Status: string(j.Status), Trigger: string(j.Trigger), UpdatedAt: ts(j.UpdatedAt), WorkflowType: string(j.Workflow),
	}
	if a.Response == nil {
		a.Response = map[string]any{}
	}
	if f := j.Failure; f != nil {
		d := jobErrorDetails{ErrorType: f.Type, Message: f.Message, UserRequired: f.UserRequired, Step: str(f.Step)}
		if f.Screenshot {
			shot := Prefix + "/jobs/" + j.ID + "/screenshot"
			d.ScreenshotURL = &shot
		}
		a.ErrorDetails, a.HasMoreDetails = d, f.Screenshot
	}
	return resource{ID: j.ID, Type: "job", Attributes: a}
}

// jobDocument is GET /jobs/{id}: the job, a self link and an empty meta.
type jobDocument struct {
	Data  resource `json:"data"`
	Links struct {
		Self string `json:"self"`
	} `json:"links"`
	Meta struct{} `json:"meta"`
}

func (h *handler) getJob(w http.ResponseWriter, r *http.Request) {
	j, err := h.svc.GetJob(r.Context(), r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var doc jobDocument
	doc.Data = jobResource(j)
	doc.Links.Self = Prefix + "/jobs/" + j.ID
	writeJSON(w, http.StatusOK, doc)
}

func (h *handler) jobScreenshot(w http.ResponseWriter, r *http.Request) {
	png, err := h.svc.JobScreenshot(r.Context(), r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(png)
}

func (h *handler) listJobs(w http.ResponseWriter, r *http.Request) {
	listing(h, w, r, 25, func(pg latchkey.Page) ([]*latchkey.Job, int, error) {
		f := latchkey.JobFilter{Page: pg, AccountID: query(r).Get("filter[accountId]")}
		for _, s := range commaList(r, "filter[status]") {
			f.Statuses = append(f.Statuses, latchkey.JobStatus(s))
		}
		for _, s := range commaList(r, "filter[workflowType]") {
			f.Workflows = append(f.Workflows, latchkey.Workflow(s))
		}
		for _, s := range commaList(r, "filter[trigger]") {
			f.Triggers = append(f.Triggers, latchkey.JobTrigger(s))
		}
		return h.svc.ListJobs(r.Context(), f)
	}, jobResource)
}

func (h *handler) retryJob(w http.ResponseWriter, r *http.Request) {
	j, err := h.svc.RetryJob(r.Context(), r.PathValue("id"))
	h.jobCreated(w, r, j, err)
}

func (h *handler) startAccountJob(w http.ResponseWriter, r *http.Request) {
	var body in[struct {
		WorkflowType *string `json:"workflowType"`
	}]
	if err := decode(r, &body); err != nil {
		h.writeError(w, r, err)
		return
	}
	a, err := attributes(body, []string{"job"}, "")
	if err == nil && a.WorkflowType == nil {
		err = latchkey.Invalid([]any{"data", "attributes", "workflowType"}, "value_error.missing", "field required")
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	j, err := h.svc.StartAccountJob(r.Context(), r.PathValue("id"), latchkey.Workflow(*a.WorkflowType))
	h.jobCreated(w, r, j, err)
}
