package sharedstore

import (
	"context"
	"fmt"
	"log/slog"
)

// ClientLog puts the Redis client's own log lines (go-redis reports
// connection pool and reconnection trouble outside any call) in the
// gateway's log, at warning level, with component "go-redis", instead of
// go-redis's default plain-text lines on stderr. Every line has the same
// message, "redis client notice", and go-redis's text in "detail", so that
// a logger bounding repeated warnings (package ratelog) takes them for
// one kind. go-redis's logger is process-wide: the program sets it once,
// with redis.SetLogger.
type ClientLog struct {
	Logger *slog.Logger
}

// Printf implements go-redis's logging interface.
func (l ClientLog) Printf(ctx context.Context, format string, v ...any) {
	l.Logger.Log(ctx, slog.LevelWarn, "redis client notice", "component", "go-redis", "detail", fmt.Sprintf(format, v...))
}
