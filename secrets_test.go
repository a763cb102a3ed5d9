package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/acme/dashboard-gateway/gatewaytest"
	"github.com/acme/dashboard-gateway/sharedstore/redistest"
)

// Secrets given as files work (a token signed with the file's secret
// passes; Redis, which requires the file's password, is shared) and, like
// secrets given as flags, show nowhere: in no admin endpoint (the
// profiler's index and profiles, /metrics; its cmdline is not served) and
// in no log line.
func TestRunKeepsSecretsOut(t *testing.T) {
	const authSecret = "auth-secret-0123456789abcdef-0123456789"
	const redisPassword = "redis-password-0123456789"
	srv := redistest.Start(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr})
	if err := c.ConfigSet(context.Background(), "requirepass", redisPassword).Err(); err != nil {
		t.Fatalf("CONFIG SET requirepass: %v", err)
	}
	c.Close()
	dir := t.TempDir()
	secretFile, passwordFile := filepath.Join(dir, "auth-secret"), filepath.Join(dir, "redis-password")
	for path, content := range map[string]string{secretFile: authSecret + "\n", passwordFile: redisPassword + "\n"} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"files", []string{"-auth-secret-file", secretFile, "-redis-url", srv.URL(), "-redis-password-file", passwordFile}, nil},
		{"files from the environment", nil, map[string]string{"AUTH_SECRET_FILE": secretFile, "REDIS_URL": srv.URL(), "REDIS_PASSWORD_FILE": passwordFile}},
		{"flags", []string{"-auth-secret", authSecret, "-redis-url", "redis://:" + redisPassword + "@" + srv.Addr}, nil},
	}
	for i := range tests {
		tests[i].args = append(tests[i].args, "-log-level", "debug", "-redis-timeout", "1s")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			public, logs := start(t, tt.args, tt.env)
			admin := "http://" + logs.field("admin listening", "addr")
			client := &http.Client{Transport: &http.Transport{}}
			defer client.CloseIdleConnections()

			// The secrets are in use: Redis answered the start-up ping (with
			// a timeout a loaded machine meets), and a token signed with
			// the secret passes.
			logs.waitFor(t, "persisted queries and rate limits") // either start-up line about Redis
			if !strings.Contains(logs.String(), "redis shares persisted queries") {
				t.Errorf("Redis refused the password or did not answer:\n%s", logs)
			}
			token := gatewaytest.Token(t, "u1", time.Hour, "", []byte(authSecret))
			for _, auth := range []string{"Bearer " + token, "Bearer not-a-token"} {
				req, _ := http.NewRequest(http.MethodPost, public+"/query", bytes.NewReader([]byte(`{"query":"{ dashboard(userId: \"u1\") { userId } }"}`)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", auth)
				body, status := fetch(t, client, req)
				if ok := status == 200 && strings.Contains(body, `"userId":"u1"`); ok != (auth != "Bearer not-a-token") {
					t.Errorf("POST /query with %.20s...: got %d %s", auth, status, body)
				}
			}

			for _, path := range []string{"/debug/pprof/", "/debug/pprof/cmdline", "/debug/pprof/goroutine?debug=2",
				"/debug/pprof/heap?debug=1", "/debug/pprof/symbol", "/metrics", "/healthz", "/readyz"} {
				req, _ := http.NewRequest(http.MethodGet, admin+path, nil)
				body, status := fetch(t, client, req)
				if path == "/debug/pprof/cmdline" && status != 404 {
					t.Errorf("GET %s: got %d; want 404", path, status)
				}
				for _, secret := range []string{authSecret, redisPassword} {
					if strings.Contains(body, secret) {
						t.Errorf("GET %s shows a secret", path)
					}
				}
			}
			for _, secret := range []string{authSecret, redisPassword} {
				if strings.Contains(logs.String(), secret) {
					t.Errorf("the log shows a secret:\n%s", logs)
				}
			}
		})
	}
}

// fetch sends req and returns its body and status.
func fetch(tb testing.TB, client *http.Client, req *http.Request) (string, int) {
	tb.Helper()
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body), resp.StatusCode
}
