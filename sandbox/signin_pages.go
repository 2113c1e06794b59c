package sandbox

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
)

// The HTML of both sign-ins: server-rendered pages that work without
// script, so that a person in a browser and signinform (or any client that
// reads the form) walk the same path. html/template escapes everything the
// request reflects (state, client_id, the entered login).

//go:embed pages/*.html pages/*.css
var pagesFS embed.FS

var (
	pageTemplates = template.Must(template.ParseFS(pagesFS, "pages/*.html"))
	pageCSS       = template.CSS(mustReadPage("pages/signin.css"))
)

func mustReadPage(name string) []byte {
	b, err := pagesFS.ReadFile(name)
	if err != nil {
		panic("sandbox: embedded page " + name + ": " + err.Error())
	}
	return b
}

// hiddenField is a parameter the form carries along.
type hiddenField struct{ Name, Value string }

// identityTable lists the demo identities one may sign in as.
type identityTable struct {
	Caption string
	Columns []string
	Rows    [][]string
	// More counts the identities left out of Rows.
	More int
}

// signInPage is what signin.html shows.
type signInPage struct {
	Brand     string // "slack" or "salesforce": the stylesheet's class
	BrandName string
	Title     string
	Lead      string
	Error     string

	Action                     string // the form's action, a path on the same host
	Hidden                     []hiddenField
	LoginField, LoginLabel     string
	Login                      string // pre-filled
	PasswordField, SubmitLabel string

	Identities   identityTable
	DemoPassword string

	// Filled by renderPage.
	CSS   template.CSS
	Nonce string
}

type errorPage struct {
	Title, Message string
	CSS            template.CSS
	Nonce          string
}

// renderSignIn answers the sign-in form with status (200, or 401 after a
// refused attempt).
func renderSignIn(w http.ResponseWriter, status int, p signInPage) {
	p.DemoPassword = DemoPassword
	p.CSS, p.Nonce = pageCSS, randomString(16)
	renderPage(w, status, "signin.html", p.Nonce, p)
}

// renderErrorPage answers an error that cannot go back to the client.
func renderErrorPage(w http.ResponseWriter, status int, title, message string) {
	p := errorPage{Title: title, Message: message, CSS: pageCSS, Nonce: randomString(16)}
	renderPage(w, status, "error.html", p.Nonce, p)
}

// renderPage executes a template into a buffer first, so that a template
// error is a clean 500 rather than half a page, and sets the headers a
// sign-in page needs: no caching, no framing (clickjacking), no referrer
// (the URL holds the state), and a policy that allows the page's own style
// and nothing else.
func renderPage(w http.ResponseWriter, status int, name, nonce string, data any) {
	var buf bytes.Buffer
	if err := pageTemplates.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "sandbox: rendering "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	// form-action is left out on purpose: browsers apply it to the
	// redirect that follows the POST, which goes to the client's site.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+nonce+"'; base-uri 'none'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
