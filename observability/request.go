// Package observability makes the gateway visible: Prometheus metrics, an
// access log line per request, OpenTelemetry traces, and the Server-Timing
// header and per-field timings that show a frontend developer where a
// request's time went. Each request carries a Record (in its context) that
// the GraphQL extension and the downstream clients fill in and the HTTP
// middleware reads at the end.
//
// It decides nothing about requests: it only watches them.
package observability

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Record is what one request did, gathered while it runs.
type Record struct {
	Start time.Time

	mu        sync.Mutex
	started   bool // an operation started executing
	operation string
	codes     map[string]int           // GraphQL error codes -> count
	services  map[string]time.Duration // downstream service -> time spent waiting on it
	fields    []FieldTiming
	stale     []StaleField
}

// FieldTiming is how long one downstream-backed field took to resolve.
type FieldTiming struct {
	Path       string  `json:"path"`
	DurationMs float64 `json:"durationMs"`
}

type recordKey struct{}

// NewContext returns ctx carrying a fresh Record started now.
func NewContext(ctx context.Context) (context.Context, *Record) {
	r := &Record{Start: time.Now()}
	return context.WithValue(ctx, recordKey{}, r), r
}

// FromContext returns the request's Record, or nil outside a request.
func FromContext(ctx context.Context) *Record {
	r, _ := ctx.Value(recordKey{}).(*Record)
	return r
}

// setOperation records that the GraphQL operation name started.
func (r *Record) setOperation(name string) {
	r.mu.Lock()
	r.started, r.operation = true, name
	r.mu.Unlock()
}

// ClaimOperation records, for a request answered before its operation
// ran (a 429), the operation name the request announces: the
// X-Apollo-Operation-Name header (Apollo's clients send it), or a GET's
// operationName parameter. A request that announces none stays counted as
// "none"; a name is bounded as any (MaxOperations).
func ClaimOperation(r *http.Request) {
	rec := FromContext(r.Context())
	if rec == nil {
		return
	}
	name := r.Header.Get("X-Apollo-Operation-Name")
	if name == "" && r.Method == http.MethodGet {
		name = r.URL.Query().Get("operationName")
	}
	if name != "" {
		rec.setOperation(name)
	}
}

// addCode counts one GraphQL error code.
func (r *Record) addCode(code string) {
	r.mu.Lock()
	if r.codes == nil {
		r.codes = map[string]int{}
	}
	r.codes[code]++
	r.mu.Unlock()
}

// AddServiceTime adds d to the time the request spent waiting on service.
func (r *Record) AddServiceTime(service string, d time.Duration) {
	if r == nil {
		return
	}
	r.mu.Lock()
	if r.services == nil {
		r.services = map[string]time.Duration{}
	}
	r.services[service] += d
	r.mu.Unlock()
}

func (r *Record) addField(path string, d time.Duration) {
	r.mu.Lock()
	r.fields = append(r.fields, FieldTiming{Path: path, DurationMs: ms(d)})
	r.mu.Unlock()
}

// fieldTimes returns a copy of the fields' timings.
func (r *Record) fieldTimes() []FieldTiming {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.fields)
}

// outcome returns what the access log and the metrics need: the
// operation, whether it started, and its errors by code (nil for none).
func (r *Record) outcome() (operation string, started bool, codes map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.codes) > 0 {
		codes = maps.Clone(r.codes)
	}
	return r.operation, r.started, codes
}

// serviceTime is the time a request spent waiting on one service.
type serviceTime struct {
	service string
	d       time.Duration
}

// serviceTimes returns the time spent waiting on each service, by name.
func (r *Record) serviceTimes() []serviceTime {
	r.mu.Lock()
	out := make([]serviceTime, 0, len(r.services))
	for k, v := range r.services {
		out = append(out, serviceTime{k, v})
	}
	r.mu.Unlock()
	slices.SortFunc(out, func(a, b serviceTime) int { return strings.Compare(a.service, b.service) })
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
