package mfahttp

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

var fuzzRoutes = []struct{ method, path string }{
	{"GET", "/policy"}, {"GET", "/factors"}, {"POST", "/factors/remove"}, {"POST", "/passkeys/register/begin"},
	{"POST", "/passkeys/register/finish"}, {"POST", "/stepup/begin"}, {"POST", "/stepup/passkey"}, {"POST", "/authorize"},
}

// FuzzHandler sends any body and query to every route: the adapter never panics and never answers
// 500 (an error without a stable code), every answer is JSON, and every error carries a code.
func FuzzHandler(f *testing.F) {
	seeds := []struct {
		route       uint8
		query, body string
	}{
		{0, "", ""}, {1, "account=a", ""}, {2, `account=a`, `{"account":"a","device":"d","session_id":"s","id":"AA"}`},
		{3, "", `{"account":"a","label":"key","replace":true}`}, {4, "account=a", `{"id":"x","rawId":"eA","type":"public-key","response":{}}`},
		{5, "", `{"account":"a","tx":"api_key_creation","value":10,"device":"d"}`}, {5, "", `{"account":"a","tx":"teleport"}`},
		{6, "challenge=nope", `{}`}, {7, "", `{"account":"a","tx":"withdrawal","value":-1,"session_id":"x"}`},
		{7, "", `not json`}, {5, "", `{"account":"` + string(bytes.Repeat([]byte("a"), 300)) + `","tx":"withdrawal"}`},
		{4, "account=%zz", `{}`},
	}
	for _, s := range seeds {
		f.Add(s.route, s.query, []byte(s.body))
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, route uint8, query string, body []byte) {
		r := fuzzRoutes[int(route)%len(fuzzRoutes)]
		e, reg, _ := newMFA(t)
		s := &Server{Engine: e, Registry: reg, Score: func(string) uint8 { return 60 }, Now: func() time.Time { return now }}
		req := httptest.NewRequest(r.method, "http://localhost"+r.path, bytes.NewReader(body))
		req.URL.RawQuery = query // any bytes a client could send after the '?'
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, req)
		out := w.Body.Bytes()
		if w.Code == http.StatusInternalServerError {
			t.Fatalf("%s %s?%s: 500 %s", r.method, r.path, query, out)
		}
		if !json.Valid(out) {
			t.Fatalf("%s %s: answer is not JSON: %q", r.method, r.path, out)
		}
		if w.Code != http.StatusOK {
			var eb ErrorBody
			if err := json.Unmarshal(out, &eb); err != nil || eb.Code == "" {
				t.Fatalf("%s %s: error %d without a code: %s", r.method, r.path, w.Code, out)
			}
		}
	})
}
