package console

import (
	"net/http"
	"net/url"
	"strings"
)

// secure wraps every response in the headers a reviewer expects, and
// refuses cross-site state-changing requests (Go's CrossOriginProtection,
// which reads Sec-Fetch-Site and Origin: no token to forget in a form).
func secure(next http.Handler, formTargets []string) http.Handler {
	// A sign-in form's answer redirects to Slack's or Salesforce's page,
	// which form-action must allow by name; nothing else is allowed.
	formAction := strings.TrimSpace("'self' " + strings.Join(formTargets, " "))
	csp := "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action " + formAction + "; frame-ancestors 'none'; base-uri 'none'"
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Refused: this request came from another site. Reload the page and try again from the console.", http.StatusForbidden)
	}))
	protected := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// No inline script anywhere: scripts and styles come from /static.
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		protected.ServeHTTP(w, r)
	})
}

// safeNext returns next when it is a path of this console, and "/"
// otherwise: a sign-in must never send anyone to another site (no open
// redirects through ?next=).
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return u.RequestURI()
}
