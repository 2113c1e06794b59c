package sandbox

import (
	"net/http"
	"regexp"
	"strings"
)

// The Salesforce surface: the org is the one whose My Domain the Host header
// names, the way a real My Domain routes. Every path below is relative to it.

const (
	errNotFound          = "NOT_FOUND"
	errInvalidSession    = "INVALID_SESSION_ID"
	errLoginIPRestricted = "LOGIN_IP_RESTRICTED"
	errMalformedQuery    = "MALFORMED_QUERY"
	errInvalidLocator    = "INVALID_QUERY_LOCATOR"
	errMethodNotAllowed  = "METHOD_NOT_ALLOWED"
	errJSONParser        = "JSON_PARSER_ERROR"

	msgIPRestricted = "Request refused: the org's login IP ranges do not include the caller's address"
	msgNotFound     = "The requested resource does not exist"
)

var apiVersion = regexp.MustCompile(`^v\d+\.\d+$`)

// sfError writes Salesforce's REST error shape: a JSON array of
// {"message","errorCode"}.
func sfError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, []map[string]string{{"message": msg, "errorCode": code}})
}

// oauthError writes the OAuth endpoints' error shape.
func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// resolveOrg picks the org for a request: the current holder of the host,
// the default org for the bare address, or the org that used to answer on
// it (moved is then true).
func (s *Sandbox) resolveOrg(r *http.Request) (o *org, moved bool) {
	host := requestHost(r)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if o := s.hosts[host]; o != nil {
		return o, false
	}
	if isBareAddress(host) {
		return s.defaultOrg, false
	}
	if o := s.formerHosts[host]; o != nil {
		return o, true
	}
	return nil, false
}

func (s *Sandbox) serveSalesforce(w http.ResponseWriter, r *http.Request) {
	o, moved := s.resolveOrg(r)
	if o == nil {
		sfError(w, http.StatusNotFound, errNotFound, "No Salesforce org answers at "+requestHost(r))
		return
	}
	s.mu.RLock()
	host, enforced := o.host, o.ipEnforced
	s.mu.RUnlock()
	if moved {
		// A renamed My Domain: every request is sent to the new host with
		// the same path and query, as Salesforce's redirect does.
		w.Header().Set("Location", browserBase(r, host)+r.URL.RequestURI())
		w.WriteHeader(http.StatusMovedPermanently)
		return
	}

	path := r.URL.Path
	s.stats.salesforceEndpoint(endpointName(path))
	if enforced {
		switch path {
		case "/services/oauth2/token":
			oauthError(w, http.StatusBadRequest, "invalid_grant", "ip restricted")
			return
		case "/services/oauth2/authorize":
			// Handled there: a sign-in is refused through the redirect.
		case wellKnownOIDC, sfKeysPath:
			// Public documents, which Salesforce serves to anyone.
		default:
			sfError(w, http.StatusForbidden, errLoginIPRestricted, msgIPRestricted)
			return
		}
	}

	switch {
	case path == "/services/oauth2/token":
		s.sfToken(w, r, o)
	case path == "/services/oauth2/authorize":
		s.sfAuthorize(w, r, o, enforced)
	case path == wellKnownOIDC:
		s.sfDiscovery(w, r, o)
	case path == sfKeysPath:
		s.serveJWKS(w)
	case path == "/services/oauth2/userinfo":
		s.sfUserinfo(w, r, o)
	case path == "/services/oauth2/revoke":
		s.sfRevoke(w, r)
	case strings.HasPrefix(path, "/id/"):
		s.sfIdentity(w, r, o)
	case path == "/services/data" || path == "/services/data/":
		s.sfVersions(w)
	case strings.HasPrefix(path, "/services/data/"):
		s.sfData(w, r, o)
	default:
		sfError(w, http.StatusNotFound, errNotFound, msgNotFound)
	}
}

// endpointName names the endpoint for Stats, without versions or ids.
func endpointName(path string) string {
	switch {
	case strings.HasPrefix(path, "/services/oauth2/"):
		return strings.TrimPrefix(path, "/services/")
	case path == sfKeysPath:
		return "id.keys"
	case path == wellKnownOIDC:
		return "openid-configuration"
	case strings.HasPrefix(path, "/id/"):
		return "id"
	case strings.HasPrefix(path, "/services/data/"):
		parts := strings.Split(strings.TrimPrefix(path, "/services/data/"), "/")
		switch {
		case len(parts) >= 3 && (parts[1] == "query" || parts[1] == "queryAll"):
			return "queryMore"
		case len(parts) >= 2:
			return parts[1]
		}
	}
	return "other"
}

// sfData routes /services/data/vNN.N/…; any version is accepted.
func (s *Sandbox) sfData(w http.ResponseWriter, r *http.Request, o *org) {
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/services/data/"), "/"), "/")
	if !apiVersion.MatchString(parts[0]) {
		sfError(w, http.StatusNotFound, errNotFound, msgNotFound)
		return
	}
	version := parts[0]
	caller, ok := s.authorize(w, r, o)
	if !ok {
		return
	}
	if r.Method == http.MethodPost && len(parts) == 3 && parts[1] == "sobjects" {
		s.sfCreate(w, r, o, caller, parts[2])
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		sfError(w, http.StatusMethodNotAllowed, errMethodNotAllowed, "HTTP Method '"+r.Method+"' not allowed. Allowed are GET,HEAD")
		return
	}
	switch {
	case len(parts) == 1:
		base := "/services/data/" + version
		writeJSON(w, http.StatusOK, map[string]string{
			"query": base + "/query", "queryAll": base + "/queryAll", "sobjects": base + "/sobjects",
		})
	case (parts[1] == "query" || parts[1] == "queryAll") && len(parts) == 2:
		s.sfQuery(w, r, o, version)
	case (parts[1] == "query" || parts[1] == "queryAll") && len(parts) == 3:
		s.sfQueryMore(w, r, o, version, parts[2])
	case parts[1] == "sobjects" && len(parts) == 4:
		s.sfRetrieve(w, r, o, version, parts[2], parts[3])
	default:
		sfError(w, http.StatusNotFound, errNotFound, msgNotFound)
	}
}

func (s *Sandbox) sfVersions(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, []map[string]string{
		{"label": "Spring '24", "url": "/services/data/v60.0", "version": "60.0"},
		{"label": "Summer '24", "url": "/services/data/v61.0", "version": "61.0"},
		{"label": "Winter '25", "url": "/services/data/v62.0", "version": "62.0"},
	})
}
