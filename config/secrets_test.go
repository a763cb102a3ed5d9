package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Secrets given as files are read once at Parse, without their trailing
// line breaks; a file that is missing, empty or too large, or a secret
// given both ways, fails with the setting's name and never the secret.
func TestSecretFiles(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	const secret = "s3cret-from-a-file-0123456789abcdef"
	withNewline := file("secret", secret+"\n")
	withCRLF := file("crlf", secret+"\r\n")
	empty := file("empty", "")
	onlyNewline := file("newline", "\n")
	huge := file("huge", strings.Repeat("x", maxSecretFileBytes+1))
	redisPW := file("redis", "redis-pw-from-a-file\n")
	sentinelPW := file("sentinel", "sentinel-pw-from-a-file")
	missing := filepath.Join(dir, "missing")

	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string // the setting the error names; "" means valid
		check   func(Config) bool
	}{
		{"auth secret file", []string{"-auth-secret-file", withNewline}, nil, "", func(c Config) bool { return c.Auth.Secret == secret && c.Auth.On() }},
		{"auth secret file from env", nil, map[string]string{"AUTH_SECRET_FILE": withCRLF}, "", func(c Config) bool { return c.Auth.Secret == secret }},
		{"redis password files", []string{"-redis-url", "redis://127.0.0.1:26379?master_name=m", "-redis-password-file", redisPW, "-redis-sentinel-password-file", sentinelPW}, nil, "",
			func(c Config) bool {
				return c.Redis.Password == "redis-pw-from-a-file" && c.Redis.SentinelPassword == "sentinel-pw-from-a-file"
			}},
		{"missing file", []string{"-auth-secret-file", missing}, nil, "-auth-secret-file (AUTH_SECRET_FILE)", nil},
		{"empty file", []string{"-auth-secret-file", empty}, nil, "-auth-secret-file (AUTH_SECRET_FILE)", nil},
		{"only a line break", []string{"-redis-url", "redis://127.0.0.1:6379", "-redis-password-file", onlyNewline}, nil, "-redis-password-file (REDIS_PASSWORD_FILE)", nil},
		{"too large", []string{"-auth-secret-file", huge}, nil, "-auth-secret-file (AUTH_SECRET_FILE)", nil},
		{"a directory", []string{"-auth-secret-file", dir}, nil, "-auth-secret-file (AUTH_SECRET_FILE)", nil},
		{"both ways", []string{"-auth-secret", secret, "-auth-secret-file", withNewline}, nil, "-auth-secret (AUTH_SECRET) and -auth-secret-file", nil},
		{"redis password without redis", []string{"-redis-password-file", redisPW}, nil, "need -redis-url", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Parse(%q): %v", tt.args, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Parse(%q): error %v; want one naming %s", tt.args, err, tt.wantErr)
			case err != nil && (strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "pw-from")):
				t.Fatalf("Parse(%q): error %q shows a secret", tt.args, err)
			case tt.check != nil && !tt.check(c):
				t.Errorf("Parse(%q): got %+v %+v", tt.args, c.Auth, c.Redis)
			}
		})
	}
}

func TestAdminHosts(t *testing.T) {
	tests := []struct {
		value   string
		want    []string
		wantErr bool
	}{
		{"", nil, false},
		{"gateway-admin.monitoring.svc, gateway-admin", []string{"gateway-admin.monitoring.svc", "gateway-admin"}, false},
		{"gateway:9090", nil, true},
		{"http://gateway", nil, true},
		{"*.example.com", nil, true},
	}
	for _, tt := range tests {
		c, err := Parse([]string{"-admin-hosts", tt.value}, func(string) string { return "" }, io.Discard)
		if (err != nil) != tt.wantErr || err == nil && strings.Join(c.AdminHosts, ",") != strings.Join(tt.want, ",") {
			t.Errorf("-admin-hosts %q: got %q, %v; want %q (error %v)", tt.value, c.AdminHosts, err, tt.want, tt.wantErr)
		}
	}
}
