package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/sfconnect/sfconnect/sfclient"
	"github.com/sfconnect/sfconnect/workflows"
)

// importCSV takes an uploaded CSV: streamed to a temporary file, bounded in
// size, checked whole (a file that is not CSV, or has no usable header, is
// refused before any job starts), then uploaded to the store and its job
// started. The browser goes to the job's page, which shows the preview.
func (s *Server) importCSV(w http.ResponseWriter, r *http.Request, u *SlackUser) {
	c, ok := s.connection(w, r, u)
	if !ok {
		return
	}
	refuse := func(msg string) {
		s.render(w, r, http.StatusUnprocessableEntity, "org", orgView{User: u, C: c, Tab: "users", Error: msg})
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxUpload+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		refuse("Choose a CSV file to upload.")
		return
	}
	var path, name string
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			refuse(uploadError(err, s.opts.MaxUpload))
			return
		}
		if part.FormName() != "file" || part.FileName() == "" {
			continue
		}
		name = filepath.Base(part.FileName())
		path, err = s.spool(part)
		if err != nil {
			refuse(uploadError(err, s.opts.MaxUpload))
			return
		}
		break
	}
	if path == "" {
		refuse("Choose a CSV file to upload.")
		return
	}
	defer os.Remove(path)
	caller, err := s.slackCaller(u, workflows.ConnectionWorkflowID(u.Team, c.OrgID), workflows.UpdateImport)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The upload could not be sent", err)
		return
	}
	jobID, _, err := s.opts.Client.StartImport(r.Context(), sfclient.Import{
		Team: u.Team, OrgID: c.OrgID, Path: path,
		Request: workflows.ImportRequest{FileName: name, Caller: caller},
	})
	if err != nil {
		refuse(sfclient.Describe(err))
		return
	}
	http.Redirect(w, r, "/slack/jobs/"+jobID, http.StatusSeeOther)
}

// spool copies an upload to a temporary file, at most MaxUpload bytes.
func (s *Server) spool(src io.Reader) (string, error) {
	f, err := os.CreateTemp(s.opts.UploadDir, "upload-*.csv")
	if err != nil {
		return "", fmt.Errorf("keep the upload: %w", err)
	}
	n, err := io.Copy(f, io.LimitReader(src, s.opts.MaxUpload+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > s.opts.MaxUpload {
		err = errTooLarge
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

var errTooLarge = errors.New("upload too large")

func uploadError(err error, limit int64) string {
	var tooBig *http.MaxBytesError
	if errors.Is(err, errTooLarge) || errors.As(err, &tooBig) {
		return fmt.Sprintf("The file is larger than %d MB: split it into smaller files.", limit>>20)
	}
	return "The upload did not arrive whole: try again."
}

// job reads the job of the path, of the signed-in member's workspace only.
func (s *Server) job(w http.ResponseWriter, r *http.Request, u *SlackUser) (workflows.JobStatus, bool) {
	id := r.PathValue("job")
	st, err := s.opts.Client.Job(r.Context(), id)
	if err != nil || st.Workspace != u.Team {
		s.failText(w, r, http.StatusNotFound, "No such job in this workspace", "Go back to the org's Users tab.")
		return st, false
	}
	return st, true
}

type jobView struct {
	User   *SlackUser
	Job    workflows.JobStatus
	Error  string
	Notice string
}

func (s *Server) jobPage(w http.ResponseWriter, r *http.Request, u *SlackUser) {
	st, ok := s.job(w, r, u)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "job", jobView{User: u, Job: st, Notice: notices[r.URL.Query().Get("notice")]})
}

// jobProgress is what the job page's script polls: the counts it shows,
// and the phase, so that it reloads the page when the phase changes.
func (s *Server) jobProgress(w http.ResponseWriter, r *http.Request, u *SlackUser) {
	st, ok := s.job(w, r, u)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"phase": st.Phase, "rows": st.Rows, "validated": st.Validated, "applied": st.Applied,
		"linked": st.Linked, "invited": st.Invited, "unchanged": st.Unchanged, "refused": st.Refused,
		"waiting": st.Waiting, "told": st.Told, "ended": st.Ended(),
	})
}

func (s *Server) jobDecision(w http.ResponseWriter, r *http.Request, u *SlackUser, name, notice string) {
	st, ok := s.job(w, r, u)
	if !ok {
		return
	}
	caller, err := s.slackCaller(u, workflows.JobWorkflowID(st.ID), name)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The decision could not be sent", err)
		return
	}
	var out workflows.JobStatus
	if err := s.opts.Client.Update(r.Context(), workflows.JobWorkflowID(st.ID), name, workflows.JobDecision{Caller: caller}, &out); err != nil {
		s.render(w, r, http.StatusUnprocessableEntity, "job", jobView{User: u, Job: st, Error: sfclient.Describe(err)})
		return
	}
	http.Redirect(w, r, "/slack/jobs/"+st.ID+"?notice="+notice, http.StatusSeeOther)
}

func (s *Server) jobApprove(w http.ResponseWriter, r *http.Request, u *SlackUser) {
	s.jobDecision(w, r, u, workflows.UpdateJobApprove, "job-approved")
}

func (s *Server) jobCancel(w http.ResponseWriter, r *http.Request, u *SlackUser) {
	s.jobDecision(w, r, u, workflows.UpdateJobCancel, "job-cancel")
}

// jobResults downloads every row of the job with its outcome.
func (s *Server) jobResults(w http.ResponseWriter, r *http.Request, u *SlackUser) {
	st, ok := s.job(w, r, u)
	if !ok {
		return
	}
	csvHeaders(w, "job-"+st.ID+"-results.csv")
	if err := s.opts.Client.JobResults(r.Context(), st.ID, w); err != nil {
		s.log.Warn("job results", errField(err))
	}
}

// export downloads the user-mapping CSV, once the workflow has checked the
// member may export.
func (s *Server) export(w http.ResponseWriter, r *http.Request, u *SlackUser) {
	c, ok := s.connection(w, r, u)
	if !ok {
		return
	}
	caller, err := s.slackCaller(u, workflows.ConnectionWorkflowID(u.Team, c.OrgID), workflows.UpdateExport)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, "The export could not start", err)
		return
	}
	var grant workflows.ExportGrant
	if err := s.opts.Client.ConnectionUpdate(r.Context(), u.Team, c.OrgID, workflows.UpdateExport, workflows.ExportRequest{Caller: caller}, &grant); err != nil {
		s.render(w, r, http.StatusForbidden, "org", orgView{User: u, C: c, Tab: "users", Error: sfclient.Describe(err)})
		return
	}
	csvHeaders(w, "user-mapping-"+strings.ToLower(c.OrgName)+".csv")
	if _, err := s.opts.Client.Export(r.Context(), grant.ConnectionID, w); err != nil {
		s.log.Warn("export", errField(err))
	}
}

func csvHeaders(w http.ResponseWriter, file string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.NewReplacer(`"`, "", "\\", "", "\r", "", "\n", "").Replace(file)+`"`)
}
