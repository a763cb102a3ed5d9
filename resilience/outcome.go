package resilience

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Errors the layers return themselves.
var (
	// ErrCircuitOpen: the breaker is open (or half-open with its probes
	// taken), so the call was not made.
	ErrCircuitOpen = errors.New("circuit open")
	// ErrBulkheadFull: too many attempts to the service are in flight, so
	// the call was not made.
	ErrBulkheadFull = errors.New("bulkhead full")
	// ErrAttemptTimeout is the cause of an attempt's context when the
	// policy's per-attempt Timeout ended it (see context.Cause).
	ErrAttemptTimeout = errors.New("attempt timeout")
)

// Outcome is what an attempt's error means to the layers.
type Outcome struct {
	// Retry: another attempt may succeed (connection failures, 502, 503,
	// 504, attempt timeouts).
	Retry bool
	// Failure: the service is failing; counts against the breaker.
	Failure bool
	// Ignore: says nothing about the service (our own cancellation); the
	// breaker counts it neither way.
	Ignore bool
	// RetryAfter is how long the service asked to wait before retrying.
	RetryAfter time.Duration
}

// Classifier says what an attempt's non-nil error means.
type Classifier func(err error) Outcome

// Decision is something the layers did that operators may want to count.
type Decision string

// The decisions reported to an Observer.
const (
	Retried        Decision = "retried"         // a failed attempt was retried
	RetryNoBudget  Decision = "retry_budget"    // a retry was refused by the retry budget
	RetryNoTime    Decision = "retry_no_time"   // a retry would not fit in the time left
	Hedged         Decision = "hedged"          // a second attempt was sent for a slow one
	HedgeNoBudget  Decision = "hedge_budget"    // a hedge was refused by the hedge budget
	HedgeWon       Decision = "hedge_won"       // the hedge answered first
	ShortCircuited Decision = "short_circuited" // the breaker refused the call
	Shed           Decision = "shed"            // the bulkhead refused the call
	Deduplicated   Decision = "deduplicated"    // the call joined an identical one in flight
	TimedOut       Decision = "attempt_timeout" // an attempt hit the per-attempt timeout
	Busy           Decision = "busy"            // a retry or hedge was not sent: the caller itself is overloaded
)

// Decisions returns every Decision, in the order above.
func Decisions() []Decision {
	return []Decision{Retried, RetryNoBudget, RetryNoTime, Hedged, HedgeNoBudget, HedgeWon, ShortCircuited, Shed, Deduplicated, TimedOut, Busy}
}

// Observer hears the layers' decisions and the breaker's state changes.
// Implementations must be safe for concurrent use and fast.
type Observer interface {
	Decision(ctx context.Context, service string, d Decision)
	BreakerChanged(service, from, to string)
}

// LogObserver logs decisions at debug level (with the request id the
// context carries, if requestID is set) and breaker changes at warn level.
type LogObserver struct {
	Logger    *slog.Logger
	RequestID func(context.Context) string
}

// Decision implements Observer.
func (o LogObserver) Decision(ctx context.Context, service string, d Decision) {
	if !o.Logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{slog.String("service", service), slog.String("decision", string(d))}
	if o.RequestID != nil {
		attrs = append(attrs, slog.String("request_id", o.RequestID(ctx)))
	}
	o.Logger.LogAttrs(ctx, slog.LevelDebug, "resilience decision", attrs...)
}

// BreakerChanged implements Observer.
func (o LogObserver) BreakerChanged(service, from, to string) {
	o.Logger.Warn("circuit breaker changed state", "service", service, "from", from, "to", to)
}

// Report says what the layers did for one call. Do attaches it to errors
// (see ReportOf) so that the failure's log line can say why.
type Report struct {
	Attempts int    // attempts made, hedges included
	Hedged   bool   // a hedge was sent
	Shared   bool   // the call joined an identical one in flight
	Reason   string // "retry_budget_exhausted" when the retry budget refused a retry the policy allowed
}

// reportError carries a Report with the call's error.
type reportError struct {
	err    error
	report Report
}

func (e *reportError) Error() string { return e.err.Error() }
func (e *reportError) Unwrap() error { return e.err }

// ReportOf returns the Report attached to an error Do returned.
func ReportOf(err error) (Report, bool) {
	if re, ok := errors.AsType[*reportError](err); ok {
		return re.report, true
	}
	return Report{}, false
}

// Observers passes every event to each of its observers in turn.
type Observers []Observer

// Decision implements Observer.
func (os Observers) Decision(ctx context.Context, service string, d Decision) {
	for _, o := range os {
		o.Decision(ctx, service, d)
	}
}

// BreakerChanged implements Observer.
func (os Observers) BreakerChanged(service, from, to string) {
	for _, o := range os {
		o.BreakerChanged(service, from, to)
	}
}
