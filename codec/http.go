package codec

import (
	"net/http"
	"strings"

	"go.temporal.io/sdk/converter"
)

// DefaultAddr is where the codec server listens by default, and the
// endpoint the default run gives the Web UI (--ui-codec-endpoint).
const DefaultAddr = "127.0.0.1:8081"

// maxBody bounds a request: a batch of payloads the Web UI or the CLI sends.
const maxBody = 16 << 20

// UIOrigins are the origins of a local Web UI on a port: the browser may
// call it by either name.
func UIOrigins(port string) []string {
	return []string{"http://localhost:" + port, "http://127.0.0.1:" + port}
}

// Handler is the codec server: the SDK's payload codec HTTP handler (POST
// <prefix>/encode and <prefix>/decode, the body and the answer a JSON
// {"payloads":[{"metadata":{…},"data":"…"}]}, bytes in base64) behind CORS
// for the Web UI. allowedOrigins are the origins whose pages may call it
// (for example UIOrigins("8233")); "*" allows any, without credentials. A
// request that carries another Origin is refused (403); requests without
// an Origin (the temporal CLI's --codec-endpoint, curl) are served.
// Preflights (OPTIONS) of allowed origins are answered 200. The X-Namespace
// header is accepted and ignored: one key ring serves every namespace.
// With auth, every request but a preflight must carry a bearer token it
// accepts (401 otherwise); without, the server must listen on loopback only
// (CheckExposure).
func Handler(keys *Keys, allowedOrigins []string, auth Auth) http.Handler {
	h := &corsHandler{
		next:    requireBearer(auth, converter.NewPayloadCodecHTTPHandler(New(keys))),
		allowed: map[string]bool{},
	}
	for _, o := range allowedOrigins {
		o = normalizeOrigin(o)
		if o == "*" {
			h.any = true
		} else if o != "" {
			h.allowed[o] = true
		}
	}
	return h
}

type corsHandler struct {
	next    http.Handler
	allowed map[string]bool
	any     bool
}

func (h *corsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Add("Vary", "Origin")
	if origin := r.Header.Get("Origin"); origin != "" {
		switch {
		case h.allowed[normalizeOrigin(origin)]:
			hdr.Set("Access-Control-Allow-Origin", origin)
			hdr.Set("Access-Control-Allow-Credentials", "true")
		case h.any:
			hdr.Set("Access-Control-Allow-Origin", "*")
		default:
			http.Error(w, "origin not allowed by this codec server", http.StatusForbidden)
			return
		}
	}
	if r.Method == http.MethodOptions {
		hdr.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		hdr.Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
		hdr.Set("Access-Control-Max-Age", "600")
		if r.Header.Get("Access-Control-Request-Private-Network") == "true" {
			hdr.Set("Access-Control-Allow-Private-Network", "true")
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	}
	h.next.ServeHTTP(w, r)
}

func normalizeOrigin(o string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(o), "/"))
}
