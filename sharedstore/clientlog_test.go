package sharedstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/acme/dashboard-gateway/sharedstore"
)

func TestClientLogWritesTheGatewaysLog(t *testing.T) {
	var buf bytes.Buffer
	l := sharedstore.ClientLog{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}
	l.Printf(context.Background(), "redis: connection pool: %s", "failed to dial")
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("not one JSON line: %q", buf.String())
	}
	want := map[string]any{"level": "WARN", "msg": "redis client notice", "component": "go-redis", "detail": "redis: connection pool: failed to dial"}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %v; want %v (line %s)", k, line[k], v, buf.String())
		}
	}
}
