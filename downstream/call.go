package downstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	gojson "github.com/goccy/go-json"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/acme/dashboard-gateway/cache"
	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/requestid"
	"github.com/acme/dashboard-gateway/resilience"
)

// client calls one service.
type client struct {
	service Service
	decl    contract.Service  // its declaration: its endpoints
	base    string            // without a trailing slash
	rt      http.RoundTripper // called directly: see attempt
	maxBody int64
	res     *resilience.Service
	calls   CallObserver // may be nil
	tracer  trace.Tracer // may be nil
	// propagator puts the trace context on each attempt's request (with
	// tracer); server and port name the service in client spans.
	propagator propagation.TextMapPropagator
	server     string
	port       int
	caller     func(ctx context.Context) string // may be nil
	cache      *cache.Cache                     // nil: answers are not kept
	policy     cache.Policy
}

// response is a decoded answer; validate reports what the contract requires
// and the answer lacks.
type response interface {
	validate() error
}

// fetch calls GET base+path?query through the service's resilience layers
// and returns the decoded, validated answer. With notFound, a 404 is
// KindNotFound (the endpoints where the contract lists it); otherwise any
// status but 200 is KindBadStatus. The answer may be shared with other
// callers of the same request: treat it as read-only.
func fetch[T any, PT interface {
	*T
	response
}](ctx context.Context, c *client, op, route, path, query string, users []string, notFound bool) (*T, error) {
	target := path
	if query != "" {
		target += "?" + query
	}
	key := target
	subject := ""
	if c.caller != nil {
		subject = c.caller(ctx)
	}
	if subject != "" {
		if !contract.ValidSubject(subject) { // verified tokens never carry one; refuse rather than break the call
			return nil, c.fail(op, KindInvalidRequest, 0, errors.New("the caller's subject cannot travel in a header"))
		}
		key += " as " + subject // answers may depend on who asks
	}
	kept := c.keep(op, target, subject, users)
	if v, ok := fresh[T](ctx, kept); ok {
		return v, nil
	}
	start := time.Now()
	var span trace.Span
	if c.tracer != nil {
		ctx, span = c.tracer.Start(ctx, string(c.service)+" "+op, trace.WithAttributes(
			attribute.String("downstream.service", string(c.service)), attribute.String("url.template", route)))
		defer span.End()
	}
	v, err := resilience.Do(ctx, c.res, key, func(ctx context.Context) (*T, error) {
		into := PT(new(T))
		if err := c.attempt(ctx, op, route, target, subject, notFound, into); err != nil {
			return nil, err
		}
		kept.save(ctx, into) // here, once per call, not once per caller sharing it
		return (*T)(into), nil
	})
	if c.calls != nil {
		c.calls.Call(ctx, c.service, time.Since(start))
	}
	if err != nil {
		e := c.finalError(ctx, op, err)
		if span != nil {
			span.SetStatus(codes.Error, e.Kind.String())
			span.SetAttributes(attribute.Int("downstream.attempts", e.Report.Attempts))
		}
		if v, ok := stale[T](ctx, kept, e); ok {
			return v, nil
		}
		return nil, e
	}
	return v, nil
}

// finalError turns what the resilience layers returned into one *Error
// carrying what they did.
func (c *client) finalError(ctx context.Context, op string, err error) *Error {
	var e *Error
	switch last, ok := errors.AsType[*Error](err); {
	case ctx.Err() != nil: // the caller's own context ending wins over what the attempts saw
		e = ContextError(ctx, c.service, op)
		e.Err = errors.Join(e.Err, err)
	case ok:
		cp := *last // the attempt's error may be shared with other callers
		e = &cp
	case errors.Is(err, resilience.ErrCircuitOpen):
		e = c.fail(op, KindCircuitOpen, 0, err)
	case errors.Is(err, resilience.ErrBulkheadFull):
		e = c.fail(op, KindShed, 0, err)
	default:
		e = c.fail(op, KindConnection, 0, err)
	}
	if rep, ok := resilience.ReportOf(err); ok {
		e.Report = rep
	}
	return e
}

// clientSpan starts the client span of one attempt, named and described
// as OpenTelemetry's HTTP conventions have it: by the route template
// ("GET /v1/users/{id}/orders"), never the URL, which holds user and
// product ids.
func (c *client) clientSpan(ctx context.Context, route string) (context.Context, trace.Span) {
	return c.tracer.Start(ctx, http.MethodGet+" "+route, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("http.request.method", http.MethodGet),
		attribute.String("url.template", route),
		attribute.String("server.address", c.server),
		attribute.Int("server.port", c.port),
		attribute.String("downstream.service", string(c.service))))
}

// endClientSpan ends an attempt's span with its status code and, when it
// failed, the kind of failure as error.type.
func endClientSpan(span trace.Span, err error) {
	if e, ok := errors.AsType[*Error](err); ok {
		if e.Status != 0 {
			span.SetAttributes(attribute.Int("http.response.status_code", e.Status))
		}
		span.SetAttributes(attribute.String("error.type", e.Kind.String()))
		span.SetStatus(codes.Error, e.Kind.String())
	} else if err == nil {
		span.SetAttributes(attribute.Int("http.response.status_code", http.StatusOK))
	}
	span.End()
}

// attempt makes one HTTP call and decodes a 200 answer into into.
func (c *client) attempt(ctx context.Context, op, route, pathAndQuery, subject string, notFound bool, into response) (err error) {
	if c.calls != nil {
		start := time.Now()
		defer func() { c.calls.Attempt(ctx, c.service, outcome(err), time.Since(start)) }()
	}
	var span trace.Span
	if c.tracer != nil {
		ctx, span = c.clientSpan(ctx, route)
		defer func() { endClientSpan(span, err) }()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+pathAndQuery, nil)
	if err != nil {
		return c.fail(op, KindConnection, 0, err)
	}
	if span != nil && c.propagator != nil {
		c.propagator.Inject(ctx, propagation.HeaderCarrier(req.Header))
	}
	req.Header.Set("Accept", "application/json")
	id := requestid.FromContext(ctx)
	if id == "" { // work outside a request still gets an id to trace it by
		id = requestid.New()
	}
	req.Header.Set(requestid.Header, id)
	if subject != "" {
		req.Header.Set(SubjectHeader, subject)
	}
	if dl, ok := ctx.Deadline(); ok {
		req.Header.Set(TimeoutHeader, strconv.FormatInt(max(time.Until(dl).Milliseconds(), 1), 10))
	}

	// The transport, not an http.Client: a client would copy the headers
	// of every call for redirects it never follows (a service never sends
	// the gateway elsewhere: following a 3xx would carry the caller's
	// subject and request id to a host nobody configured; the 3xx is the
	// answer, a bad status), ~3% of the bytes a dashboard allocated.
	resp, err := c.rt.RoundTrip(req)
	if err != nil {
		return c.transportFailure(ctx, op, err)
	}
	defer func() {
		// Drain a little so the connection can be reused, then let it go;
		// a body declared larger than that would not be drained anyway.
		if resp.ContentLength <= drainBytes {
			_, _ = io.CopyN(io.Discard, resp.Body, drainBytes)
		}
		_ = resp.Body.Close()
	}()
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusNotFound && notFound:
		return c.fail(op, KindNotFound, resp.StatusCode, nil)
	default:
		e := c.fail(op, KindBadStatus, resp.StatusCode, nil)
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"))
		return e
	}

	if resp.ContentLength > c.maxBody { // declared too large: not worth reading
		return c.fail(op, KindTooLarge, resp.StatusCode, fmt.Errorf("declared body of %d bytes over %d", resp.ContentLength, c.maxBody))
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 64<<10 { // keep only small buffers in the pool
			buf.Reset()
			bufPool.Put(buf)
		}
	}()
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return c.transportFailure(ctx, op, err)
	}
	if n > c.maxBody {
		return c.fail(op, KindTooLarge, resp.StatusCode, fmt.Errorf("body over %d bytes", c.maxBody))
	}
	if err := decodeAnswer(buf.Bytes(), into); err != nil {
		return c.fail(op, KindInvalidResponse, resp.StatusCode, err)
	}
	return nil
}

// decodeAnswer decodes a 200 answer into into and validates it. It decodes
// with goccy/go-json, which reads the same JSON into the same values as
// encoding/json (a fuzz test compares them on every input it finds) in
// about half the CPU: decoding was a fifth of the gateway's CPU. Keys
// match exactly: checkKeys first refuses an answer that holds a key twice
// in an object, or a field's name in another letter case.
func decodeAnswer(data []byte, into response) error {
	if err := checkKeys(data, answerKeys); err != nil {
		return err
	}
	if err := gojson.Unmarshal(data, into); err != nil {
		return err
	}
	return into.validate()
}

// outcome names how an attempt ended, for metrics.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return strings.ReplaceAll(e.Kind.String(), " ", "_")
	}
	return "error"
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// transportFailure classifies an error from sending or reading: the context
// ending wins over whatever the transport saw.
func (c *client) transportFailure(ctx context.Context, op string, err error) *Error {
	if ctx.Err() != nil {
		e := ContextError(ctx, c.service, op)
		e.Err = errors.Join(e.Err, err)
		return e
	}
	return c.fail(op, KindConnection, 0, err)
}

func (c *client) fail(op string, kind Kind, status int, err error) *Error {
	return &Error{Service: c.service, Op: op, Kind: kind, Status: status, Err: err}
}

// drainBytes is how much of an unread body a call reads so that its
// connection can be reused.
const drainBytes = 64 << 10
