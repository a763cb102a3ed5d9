package auth

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/acme/dashboard-gateway/requestid"
	"github.com/lestrrat-go/jwx/v3/jwa"
)

// errorBody is the GraphQL-shaped body of a 401.
type errorBody struct {
	Errors []struct {
		Message    string            `json:"message"`
		Extensions map[string]string `json:"extensions"`
	} `json:"errors"`
}

func TestMiddleware(t *testing.T) {
	var logs bytes.Buffer
	v := mustNew(t, Config{
		Secret: []byte(testSecret),
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
	})
	valid := sign(t, validClaims(), jwa.HS256(), []byte(testSecret), nil)
	admin := sign(t, validClaims().with("scope", "dashboard:admin"), jwa.HS256(), []byte(testSecret), nil)
	expired := sign(t, validClaims().with("exp", testNow.Add(-time.Hour)), jwa.HS256(), []byte(testSecret), nil)
	badSig := valid[:len(valid)-4] + "AAAA"
	huge := sign(t, validClaims().with("pad", strings.Repeat("p", MaxTokenBytes)), jwa.HS256(), []byte(testSecret), nil)

	tests := []struct {
		name          string
		authorization []string // values of the Authorization header
		wantStatus    int
		wantID        Identity
		wantChallenge string
		wantMessage   string
		wantLogged    string // in the log line's error
	}{
		{"valid", []string{"Bearer " + valid}, http.StatusOK, Identity{Subject: "user-1"}, "", "", ""},
		{"scheme in lower case", []string{"bearer " + valid}, http.StatusOK, Identity{Subject: "user-1"}, "", "", ""},
		{"scheme in upper case", []string{"BEARER " + valid}, http.StatusOK, Identity{Subject: "user-1"}, "", "", ""},
		{"admin", []string{"Bearer " + admin}, http.StatusOK, Identity{Subject: "user-1", Admin: true}, "", "", ""},
		{"no header", nil, http.StatusUnauthorized, Identity{}, `Bearer`, msgMissing, "no Authorization header"},
		{"empty header", []string{""}, http.StatusUnauthorized, Identity{}, `Bearer`, msgMissing, "not Bearer"},
		{"basic scheme", []string{"Basic dXNlcjpwYXNz"}, http.StatusUnauthorized, Identity{}, `Bearer`, msgMissing, "not Bearer"},
		{"token without scheme", []string{valid}, http.StatusUnauthorized, Identity{}, `Bearer`, msgMissing, "not Bearer"},
		{"scheme only", []string{"Bearer"}, http.StatusUnauthorized, Identity{}, `Bearer`, msgMissing, "empty bearer token"},
		{"scheme and spaces", []string{"Bearer   "}, http.StatusUnauthorized, Identity{}, `Bearer`, msgMissing, "empty bearer token"},
		{"two headers", []string{"Bearer " + valid, "Bearer " + admin}, http.StatusUnauthorized, Identity{}, `Bearer error="invalid_request"`, msgMalformed, "several"},
		{"garbage token", []string{"Bearer not-a-token"}, http.StatusUnauthorized, Identity{}, `Bearer error="invalid_token"`, msgInvalid, "invalid token"},
		{"bad signature", []string{"Bearer " + badSig}, http.StatusUnauthorized, Identity{}, `Bearer error="invalid_token"`, msgInvalid, "HMAC"},
		{"expired", []string{"Bearer " + expired}, http.StatusUnauthorized, Identity{}, `Bearer error="invalid_token"`, msgInvalid, "expired"},
		{"oversized", []string{"Bearer " + huge}, http.StatusUnauthorized, Identity{}, `Bearer error="invalid_token"`, msgInvalid, "over the limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs.Reset()
			var gotID Identity
			var reached bool
			h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotID, reached = FromContext(r.Context())
				w.WriteHeader(http.StatusOK)
			}))
			req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(`{"query":"{__typename}"}`))
			req = req.WithContext(requestid.NewContext(req.Context(), "req-42"))
			for _, a := range tc.authorization {
				req.Header.Add("Authorization", a)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			if rec.Code != tc.wantStatus {
				t.Fatalf("%v: status %d; want %d (body %s)", tc.authorization, rec.Code, tc.wantStatus, rec.Body)
			}
			if tc.wantStatus == http.StatusOK {
				if !reached || gotID != tc.wantID {
					t.Fatalf("handler saw identity %+v (present %v); want %+v", gotID, reached, tc.wantID)
				}
				return
			}
			if reached {
				t.Fatalf("handler ran for a rejected request")
			}
			checkRejection(t, rec, tc.wantChallenge, tc.wantMessage, tc.authorization)
			checkLog(t, logs.String(), tc.wantMessage, tc.wantLogged, tc.authorization)
		})
	}
}

// checkRejection checks a 401: its challenge, and a body that is the
// GraphQL error shape with a fixed message and nothing else.
func checkRejection(tb testing.TB, rec *httptest.ResponseRecorder, challenge, message string, sent []string) {
	tb.Helper()
	if got := rec.Header().Get("WWW-Authenticate"); got != challenge {
		tb.Errorf("WWW-Authenticate %q; want %q", got, challenge)
	}
	if got := rec.Header().Get("Content-Type"); got != "application/json" {
		tb.Errorf("Content-Type %q; want application/json", got)
	}
	raw := rec.Body.String()
	var body errorBody
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		tb.Fatalf("body %s is not the GraphQL error shape: %v", raw, err)
	}
	if len(body.Errors) != 1 {
		tb.Fatalf("body %s: %d errors; want 1", raw, len(body.Errors))
	}
	e := body.Errors[0]
	if e.Message != message || len(e.Extensions) != 1 || e.Extensions["code"] != "UNAUTHENTICATED" {
		tb.Errorf("body %s; want message %q and only extensions.code UNAUTHENTICATED", raw, message)
	}
	for _, secret := range credentials(sent) {
		if strings.Contains(raw, secret) {
			tb.Errorf("body %s holds the credentials sent", raw)
		}
	}
	for _, leak := range []string{"jwt", "jws", "jwk", "auth:", "failed", "kid", "alg"} {
		if strings.Contains(strings.ToLower(raw), leak) {
			tb.Errorf("body %s holds %q: Go error text reached the client", raw, leak)
		}
	}
}

// checkLog checks the one info line a rejection logs: request id, the
// client's message, the cause; and no token.
func checkLog(tb testing.TB, logs, message, cause string, sent []string) {
	tb.Helper()
	var line struct {
		Level     string `json:"level"`
		RequestID string `json:"request_id"`
		Reason    string `json:"reason"`
		Error     string `json:"error"`
	}
	if err := json.Unmarshal([]byte(logs), &line); err != nil {
		tb.Fatalf("log %q: want one JSON line: %v", logs, err)
	}
	if line.Level != "INFO" || line.RequestID != "req-42" || line.Reason != message || !strings.Contains(line.Error, cause) {
		tb.Errorf("log %s; want level INFO, request_id req-42, reason %q, an error about %q", logs, message, cause)
	}
	for _, secret := range credentials(sent) {
		if strings.Contains(logs, secret) {
			tb.Errorf("log %s holds the credentials sent", logs)
		}
	}
}

// credentials returns what in Authorization header values must not be
// repeated: each value, and what follows its scheme, when long enough to
// be told apart from ordinary words.
func credentials(values []string) []string {
	var out []string
	for _, v := range values {
		_, after, _ := strings.Cut(v, " ")
		for _, s := range []string{v, strings.TrimSpace(after)} {
			if len(s) > 8 {
				out = append(out, s)
			}
		}
	}
	return out
}
