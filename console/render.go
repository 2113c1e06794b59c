package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/workflows"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFS embed.FS

func staticFiles() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	return http.FileServer(http.FS(sub))
}

// pages holds one template set per page, each the layout and the page.
type pages struct{ byName map[string]*template.Template }

var funcs = template.FuncMap{
	"stamp": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"stateLabel": stateLabel,
	"phaseLabel": phaseLabel,
	"percent": func(n, of int) int {
		if of <= 0 {
			return 0
		}
		return n * 100 / of
	},
	"join": strings.Join,
}

// stateLabel is a state as the article names it.
func stateLabel(s model.State) string {
	switch s {
	case model.StatePendingApproval:
		return "Pending approval in Salesforce"
	case model.StatePendingActivation:
		return "Approved: pending activation"
	case model.StateActive:
		return "Active"
	case model.StateNeedsUpdate:
		return "Needs update"
	case model.StateRejected:
		return "Rejected"
	case model.StateExpired:
		return "Expired"
	case model.StateDisconnected:
		return "Disconnected"
	}
	return string(s)
}

// phaseLabel is a CSV job's phase in words.
func phaseLabel(phase string) string {
	switch phase {
	case workflows.PhaseUploading:
		return "Receiving the file's rows"
	case workflows.PhaseValidating:
		return "Checking the rows"
	case workflows.PhaseAwaitingApproval:
		return "Waiting for your approval of the preview"
	case workflows.PhaseApplying:
		return "Applying the rows"
	case workflows.PhaseFollowing:
		return "Applied: following the invitations"
	case workflows.PhaseDone:
		return "Done"
	case workflows.PhaseCancelled:
		return "Cancelled"
	case workflows.PhaseExpired:
		return "Expired"
	case workflows.PhaseFailed:
		return "Failed"
	}
	return phase
}

func loadPages() (*pages, error) {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// pageData is what every page gets: the signed-in identities for the
// header, and the page's own view as .P.
type pageData struct {
	Session session
	Sandbox bool
	P       any
}

// render writes a page whole, or a plain error when the template fails:
// never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, view any) {
	t, ok := s.pages.byName[page]
	if !ok {
		http.Error(w, "no such page", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, pageData{Session: s.session(r), Sandbox: s.opts.Sandbox, P: view}); err != nil {
		s.log.Error("render", zap.String("page", page), errField(err))
		http.Error(w, "The page could not be shown.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

type messageView struct {
	Title, Text string
}

// fail shows a page that says what went wrong and what to do. A server-side
// failure's details go to the log, not to the page.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, title string, err error) {
	text := err.Error()
	if status >= 500 {
		s.log.Error("console", zap.String("path", r.URL.Path), zap.String("what", title), errField(err))
		if status != http.StatusBadGateway {
			text = "Something went wrong on our side; try again in a moment."
		}
	}
	s.failText(w, r, status, title, text)
}

func (s *Server) failText(w http.ResponseWriter, r *http.Request, status int, title, text string) {
	s.render(w, r, status, "message", messageView{Title: title, Text: text})
}

func errField(err error) zap.Field { return zap.Error(err) }
