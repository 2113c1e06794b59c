// Package signinform plays a person's browser on an HTML sign-in page, such
// as the sandbox's "Sign in to Slack" and Salesforce login pages: it loads
// the page, reads its form with golang.org/x/net/html, types a login and a
// password into it, presses Enter, and reports where the identity provider
// sent the browser back (the client's redirect_uri with a code, or with an
// error).
//
// It reads the form as a browser would, so it needs no knowledge of the
// page: the form is the one with a password field; the login field is the
// input marked autocomplete="username" (else the first text or email
// input); hidden fields are sent as they are; pressing Enter submits the
// form's first submit button (the default button of HTML's implicit
// submission).
package signinform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxPageBytes bounds what is read of a page.
const maxPageBytes = 1 << 20

// PageError is a sign-in that ended on a page instead of a redirect: the
// page refused the login (a wrong password: the form again, with 401), or
// the request itself (an error page).
type PageError struct {
	// URL is the address of the page.
	URL string
	// Status is its HTTP status.
	Status int
	// Message is the page's error text (its role="alert" element, else
	// its title).
	Message string
}

func (e *PageError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("the sign-in page answered HTTP %d", e.Status)
	}
	return fmt.Sprintf("the sign-in page answered HTTP %d: %s", e.Status, e.Message)
}

// ErrNoForm is returned (wrapped) when the page has no form with a password
// field.
var ErrNoForm = errors.New("signinform: no sign-in form on the page")

// SignIn loads authorizeURL with c, fills its sign-in form with login and
// password, submits it, and returns the URL the provider redirected to. A
// redirect straight from authorizeURL (an error sent back before any form)
// is returned as well. c's redirect policy is not used: SignIn never
// follows a redirect, since the one that matters leads to the client's
// redirect_uri, which the caller reads instead of visiting. A page that
// answers instead of redirecting is a *PageError.
func SignIn(ctx context.Context, c *http.Client, authorizeURL, login, password string) (*url.URL, error) {
	if c == nil {
		c = http.DefaultClient
	}
	nc := *c
	nc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authorizeURL, nil)
	if err != nil {
		return nil, fmt.Errorf("signinform: sign-in address %q: %w", authorizeURL, err)
	}
	page, err := visit(&nc, req)
	if err != nil || page.redirect != nil {
		return page.redirect, err
	}
	f, err := findForm(page.doc, page.url)
	if err != nil {
		return nil, err
	}
	if err := f.fill(login, password); err != nil {
		return nil, err
	}
	sub, err := f.request(ctx)
	if err != nil {
		return nil, err
	}
	page, err = visit(&nc, sub)
	if err != nil {
		return nil, err
	}
	if page.redirect != nil {
		return page.redirect, nil
	}
	return nil, page.refusal()
}

// page is a response: a redirect, or a parsed HTML document.
type page struct {
	url      *url.URL
	status   int
	redirect *url.URL
	doc      *html.Node
}

// visit sends req and reads the answer. A redirect comes back resolved
// against the request's URL; a page other than a 200 is a *PageError.
func visit(c *http.Client, req *http.Request) (page, error) {
	resp, err := c.Do(req)
	if err != nil {
		return page{}, fmt.Errorf("signinform: %s %s: %w", req.Method, req.URL.Redacted(), err)
	}
	defer resp.Body.Close()
	p := page{url: req.URL, status: resp.StatusCode}
	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode >= 300 && resp.StatusCode < 400 {
		u, err := req.URL.Parse(loc)
		if err != nil {
			return page{}, fmt.Errorf("signinform: %s redirected to %q: %w", req.URL.Redacted(), loc, err)
		}
		p.redirect = u
		return p, nil
	}
	body := io.LimitReader(resp.Body, maxPageBytes)
	if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct != "text/html" {
		b, _ := io.ReadAll(io.LimitReader(body, 300))
		return page{}, &PageError{URL: req.URL.Redacted(), Status: resp.StatusCode,
			Message: fmt.Sprintf("not an HTML page (%s): %s", ct, strings.TrimSpace(string(b)))}
	}
	doc, err := html.Parse(body)
	if err != nil {
		return page{}, fmt.Errorf("signinform: reading the page at %s: %w", req.URL.Redacted(), err)
	}
	p.doc = doc
	if resp.StatusCode != http.StatusOK {
		return page{}, p.refusal()
	}
	return p, nil
}

// refusal is the page as an error: its alert, else its title.
func (p page) refusal() *PageError {
	msg := ""
	if n := find(p.doc, func(n *html.Node) bool { return attr(n, "role") == "alert" }); n != nil {
		msg = text(n)
	} else if n := find(p.doc, func(n *html.Node) bool { return n.DataAtom == atom.Title }); n != nil {
		msg = text(n)
	}
	return &PageError{URL: p.url.Redacted(), Status: p.status, Message: msg}
}

// form is a sign-in form as read from the page.
type form struct {
	action        *url.URL
	method        string
	fields        url.Values
	login, passwd string // the names of the two fields to type into
}

func findForm(doc *html.Node, base *url.URL) (*form, error) {
	fn := find(doc, func(n *html.Node) bool {
		return n.DataAtom == atom.Form && find(n, isPasswordInput) != nil
	})
	if fn == nil {
		return nil, fmt.Errorf("%w at %s", ErrNoForm, base.Redacted())
	}
	action, err := base.Parse(attr(fn, "action")) // "" is the page itself
	if err != nil {
		return nil, fmt.Errorf("signinform: the form's action %q: %w", attr(fn, "action"), err)
	}
	f := &form{action: action, method: strings.ToUpper(attr(fn, "method")), fields: url.Values{}}
	if f.method != http.MethodPost {
		f.method = http.MethodGet
	}
	var firstText, submitName, submitValue string
	submitSeen := false
	walk(fn, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		name := attr(n, "name")
		switch n.DataAtom {
		case atom.Input:
			switch typ := strings.ToLower(attr(n, "type")); typ {
			case "password":
				if f.passwd == "" {
					f.passwd = name
				}
			case "submit", "image":
				if !submitSeen {
					submitSeen, submitName, submitValue = true, name, attr(n, "value")
				}
			case "checkbox", "radio":
				if hasAttr(n, "checked") && name != "" {
					v := attr(n, "value")
					if !hasAttr(n, "value") {
						v = "on"
					}
					f.fields.Add(name, v)
				}
			case "button", "reset", "file":
			default: // text, email, hidden and the others that hold a value
				if name == "" || hasAttr(n, "disabled") {
					return
				}
				f.fields.Add(name, attr(n, "value"))
				if typ == "hidden" {
					return
				}
				if strings.EqualFold(attr(n, "autocomplete"), "username") && f.login == "" {
					f.login = name
				}
				if (typ == "" || typ == "text" || typ == "email") && firstText == "" {
					firstText = name
				}
			}
		case atom.Button:
			if typ := strings.ToLower(attr(n, "type")); (typ == "" || typ == "submit") && !submitSeen {
				submitSeen, submitName, submitValue = true, name, attr(n, "value")
			}
		case atom.Textarea:
			if name != "" {
				f.fields.Add(name, text(n))
			}
		}
	})
	if f.login == "" {
		f.login = firstText
	}
	if f.login == "" || f.passwd == "" {
		return nil, fmt.Errorf("%w at %s: no login field beside the password", ErrNoForm, base.Redacted())
	}
	if submitName != "" {
		f.fields.Set(submitName, submitValue)
	}
	return f, nil
}

func (f *form) fill(login, password string) error {
	if login == "" {
		return errors.New("signinform: no login to type in")
	}
	f.fields.Set(f.login, login)
	f.fields.Set(f.passwd, password)
	return nil
}

func (f *form) request(ctx context.Context) (*http.Request, error) {
	body := f.fields.Encode()
	if f.method == http.MethodGet {
		u := *f.action
		u.RawQuery = body
		return http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.action.String(), strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("signinform: the form's request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

func isPasswordInput(n *html.Node) bool {
	return n.DataAtom == atom.Input && strings.EqualFold(attr(n, "type"), "password")
}

// find is the first node of the tree under n (n included) that matches.
func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	if n == nil {
		return nil
	}
	if n.Type == html.ElementNode && match(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if m := find(c, match); m != nil {
			return m
		}
	}
	return nil
}

// walk visits the tree under n in document order.
func walk(n *html.Node, visit func(*html.Node)) {
	visit(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, visit)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return true
		}
	}
	return false
}

// text is the node's text, with runs of white space made one space.
func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
	})
	return strings.Join(strings.Fields(b.String()), " ")
}
