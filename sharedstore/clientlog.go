package sharedstore

import (
	"context"
	"fmt"
	"log/slog"
)

// ClientLog puts the Redis client's own log lines (go-redis reports
// connection pool and reconnection trouble outside any call) in the
// gateway's log, at warning level, with component "go-redis", instead of
// go-redis's default plain-text lines on stderr. go-redis's logger is
// process-wide: the program sets it once, with redis.SetLogger.
type ClientLog struct {
	Logger *slog.Logger
}

// Printf implements go-redis's logging interface.
func (l ClientLog) Printf(ctx context.Context, format string, v ...any) {
	l.Logger.Log(ctx, slog.LevelWarn, fmt.Sprintf(format, v...), "component", "go-redis")
}
