package codec_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/sfconnect/sfconnect/codec"
)

const uiOrigin = "http://localhost:8233"

// uiBody is what the Web UI posts: protojson Payloads, bytes in base64.
// Here: the string "alice@example.com" as the default converter makes it.
var uiBody = `{"payloads":[{"metadata":{"encoding":"` + base64.StdEncoding.EncodeToString([]byte("json/plain")) +
	`"},"data":"` + base64.StdEncoding.EncodeToString([]byte(`"`+email+`"`)) + `"}]}`

func post(t *testing.T, url, origin, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Namespace", "default")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func decodeBody(t *testing.T, body string) *commonpb.Payloads {
	t.Helper()
	var ps commonpb.Payloads
	if err := protojson.Unmarshal([]byte(body), &ps); err != nil {
		t.Fatalf("answer %s: %v", body, err)
	}
	return &ps
}

func TestHandlerRoundTrip(t *testing.T) {
	keys := mustKeys(t, "k1:"+key(1))
	srv := httptest.NewServer(codec.Handler(keys, codec.UIOrigins("8233"), codec.Auth{}))
	defer srv.Close()

	resp, encoded := post(t, srv.URL+"/encode", uiOrigin, uiBody)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/encode: %d %s", resp.StatusCode, encoded)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != uiOrigin {
		t.Errorf("Allow-Origin %q", got)
	}
	ps := decodeBody(t, encoded)
	if len(ps.Payloads) != 1 || string(ps.Payloads[0].Metadata["encoding"]) != codec.MetadataEncodingEncrypted ||
		string(ps.Payloads[0].Metadata[codec.MetadataKeyID]) != "k1" {
		t.Fatalf("/encode answered %s", encoded)
	}
	if strings.Contains(encoded, email) || strings.Contains(encoded, base64.StdEncoding.EncodeToString([]byte(`"`+email+`"`))) {
		t.Fatal("/encode's answer holds the email")
	}

	// The UI's endpoint may have a path prefix: the handler matches the suffix.
	resp, decoded := post(t, srv.URL+"/sfconnect/decode", "http://127.0.0.1:8233", encoded)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/decode: %d %s", resp.StatusCode, decoded)
	}
	ps = decodeBody(t, decoded)
	if len(ps.Payloads) != 1 || string(ps.Payloads[0].Data) != `"`+email+`"` || string(ps.Payloads[0].Metadata["encoding"]) != "json/plain" {
		t.Fatalf("/decode answered %s", decoded)
	}
	// The answer is the same JSON shape the UI sent.
	var shape struct {
		Payloads []struct {
			Metadata map[string]string `json:"metadata"`
			Data     string            `json:"data"`
		} `json:"payloads"`
	}
	if err := json.Unmarshal([]byte(decoded), &shape); err != nil || shape.Payloads[0].Metadata["encoding"] != "anNvbi9wbGFpbg==" {
		t.Fatalf("answer shape %s: %v", decoded, err)
	}

	// Without an Origin (temporal CLI, curl) it serves too.
	if resp, body := post(t, srv.URL+"/decode", "", encoded); resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("no origin: %d %s", resp.StatusCode, body)
	}
}

func TestHandlerErrors(t *testing.T) {
	srv := httptest.NewServer(codec.Handler(mustKeys(t, "B:"+key(2)), codec.UIOrigins("8233"), codec.Auth{}))
	defer srv.Close()
	old := httptest.NewServer(codec.Handler(mustKeys(t, "A:"+key(1)), nil, codec.Auth{}))
	defer old.Close()

	_, sealedA := post(t, old.URL+"/encode", "", uiBody)
	resp, body := post(t, srv.URL+"/decode", uiOrigin, sealedA)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `key "A"`) {
		t.Errorf("unknown key: %d %s", resp.StatusCode, body)
	}
	if resp, body := post(t, srv.URL+"/decode", uiOrigin, "{not json"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("bad JSON: %d %s", resp.StatusCode, body)
	}
	if resp, body := post(t, srv.URL+"/decode", "http://evil.example", uiBody); resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("foreign origin: %d %s", resp.StatusCode, body)
	}
	if resp, _ := post(t, srv.URL+"/other", uiOrigin, uiBody); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/other: %d", resp.StatusCode)
	}
	resp, err := http.Get(srv.URL + "/decode")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /decode: %d", resp.StatusCode)
	}
	big := `{"payloads":[{"data":"` + strings.Repeat("A", 17<<20) + `"}]}`
	if resp, _ := post(t, srv.URL+"/decode", "", big); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("17 MiB body: %d", resp.StatusCode)
	}
}

func preflight(t *testing.T, url, origin string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodOptions, url, nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type,x-namespace")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestHandlerCORSPreflight(t *testing.T) {
	srv := httptest.NewServer(codec.Handler(mustKeys(t, "k1:"+key(1)), []string{"http://localhost:8233/", "http://127.0.0.1:8233"}, codec.Auth{}))
	defer srv.Close()
	for _, origin := range []string{"http://localhost:8233", "http://127.0.0.1:8233"} {
		resp := preflight(t, srv.URL+"/decode", origin)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("preflight from %s: %d", origin, resp.StatusCode)
		}
		h := resp.Header
		if h.Get("Access-Control-Allow-Origin") != origin || h.Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("preflight from %s: %v", origin, h)
		}
		allowHeaders := strings.ToLower(h.Get("Access-Control-Allow-Headers"))
		for _, want := range []string{"content-type", "x-namespace"} {
			if !strings.Contains(allowHeaders, want) {
				t.Errorf("Allow-Headers %q lacks %s", allowHeaders, want)
			}
		}
		if !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") {
			t.Errorf("Allow-Methods %q", h.Get("Access-Control-Allow-Methods"))
		}
		if !strings.Contains(strings.Join(h.Values("Vary"), ","), "Origin") {
			t.Error("no Vary: Origin")
		}
	}
	if resp := preflight(t, srv.URL+"/decode", "http://localhost:9999"); resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin: %d %v", resp.StatusCode, resp.Header)
	}

	anySrv := httptest.NewServer(codec.Handler(mustKeys(t, "k1:"+key(1)), []string{"*"}, codec.Auth{}))
	defer anySrv.Close()
	resp := preflight(t, anySrv.URL+"/decode", "https://ui.example.com")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("* preflight: %d %v", resp.StatusCode, resp.Header)
	}
}

// decodeViaHandler posts payloads to a codec server's /decode as the UI does.
func decodeViaHandler(t *testing.T, url string, payloads []*commonpb.Payload) []*commonpb.Payload {
	t.Helper()
	body, err := protojson.Marshal(&commonpb.Payloads{Payloads: payloads})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(url+"/decode", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/decode: %d %s", resp.StatusCode, answer)
	}
	return decodeBody(t, string(answer)).Payloads
}

// Beyond loopback the codec server decrypts only for a bearer of one of
// its tokens; a preflight still passes (browsers send no credentials
// with it), and it refuses to start on such an address without tokens.
func TestHandlerRequiresBearer(t *testing.T) {
	srv := httptest.NewServer(codec.Handler(mustKeys(t, "k1:"+key(1)), codec.UIOrigins("8233"), codec.Auth{Tokens: []string{"s3cret", "other"}}))
	defer srv.Close()
	for _, auth := range []string{"", "Bearer", "Bearer wrong", "Basic s3cret", "s3cret"} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/encode", strings.NewReader(uiBody))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || bytes.Contains(b, []byte(email)) || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %q: %s %s", auth, resp.Status, b)
		}
	}
	for _, tok := range []string{"s3cret", "other"} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/encode", strings.NewReader(uiBody))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Origin", uiOrigin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != uiOrigin {
			t.Errorf("token %q: %s", tok, resp.Status)
		}
	}
	req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/decode", nil)
	req.Header.Set("Origin", uiOrigin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("preflight: %s", resp.Status)
	}

	for addr, ok := range map[string]bool{"127.0.0.1:8081": true, "[::1]:8081": true, "localhost:8081": true,
		"0.0.0.0:8081": false, ":8081": false, "10.0.0.5:8081": false, "codec.example.com:443": false} {
		if err := codec.CheckExposure(addr, codec.Auth{}); (err == nil) != ok || (err != nil && !strings.Contains(err.Error(), codec.EnvTokens)) {
			t.Errorf("%s without tokens: %v", addr, err)
		}
		if err := codec.CheckExposure(addr, codec.Auth{Tokens: codec.ParseTokens(" t1 , ,t2")}); err != nil {
			t.Errorf("%s with tokens: %v", addr, err)
		}
	}
}
