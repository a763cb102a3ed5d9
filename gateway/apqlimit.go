package gateway

import (
	"context"
)

// apqAdmit returns documents.APQ's Admit for rl, nil when rl is off: each
// client (Client) may register rl.Requests queries per rl.Window, counted
// by shared (nil: none) across replicas, or in memory, per replica,
// without shared or when it fails, as requests are (limiter).
func apqAdmit(rl RateLimit, shared RateCounter) func(context.Context) bool {
	if rl.Requests <= 0 {
		return nil
	}
	l := newLimiter(rl, shared)
	return func(ctx context.Context) bool { return l.take(ctx, "apq:"+Client(ctx)).Allowed }
}
