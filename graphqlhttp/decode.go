package graphqlhttp

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"

	"github.com/acme/dashboard-gateway/apierror"
)

// badRequest is the *apierror.Error of a request that is not a
// GraphQL-over-HTTP request this server can run (a malformed one: not
// JSON, no "query", a parameter of the wrong type): 400 under either media
// type, as the specification allows, so that a client's mistake never
// looks like a success to a cache, a proxy or a log. Errors in the
// document itself are not malformed requests: see requestErrorStatus.
func badRequest(format string, args ...any) *apierror.Error {
	e := apierror.Errorf(apierror.BadRequest, format, args...)
	e.HTTPStatus = http.StatusBadRequest
	return e
}

// Request is a decoded GraphQL-over-HTTP request.
type Request struct {
	Params graphql.RawParams
	// DocumentID names a persisted document instead of a query, as in
	// {"documentId": "sha256:..."}; empty when the request has none.
	DocumentID string
}

// DecodePOST decodes a POST body: a JSON object with a string "query" (or a
// "documentId", or a persisted-query hash in "extensions"), and optional
// "operationName" (string), "variables" and "extensions" (objects); null
// counts as absent. maxQuery caps the query's length in bytes (0: no cap);
// in bounds every member while it is decoded (zero fields: their
// defaults), before any is.
func DecodePOST(data []byte, maxQuery int, in InputLimits) (*Request, error) {
	if !utf8.Valid(data) {
		return nil, badRequest("the request body is not valid UTF-8")
	}
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return nil, badRequest("the request body is empty; send a JSON object with a \"query\"")
	case trimmed[0] == '[':
		return nil, badRequest("batched requests (a JSON array) are not supported; send one operation per request")
	case trimmed[0] != '{':
		return nil, badRequest("the request body must be a JSON object")
	}
	m, end, err := in.withDefaults().scanBody(trimmed)
	if err != nil {
		return nil, err
	}
	if end < len(trimmed) {
		return nil, badRequest("the request body holds more than one JSON value")
	}
	req := &Request{}
	if req.Params.Query, err = stringParam("query", m.query); err != nil {
		return nil, err
	}
	if req.Params.OperationName, err = stringParam("operationName", m.operationName); err != nil {
		return nil, err
	}
	if req.DocumentID, err = stringParam("documentId", m.documentID); err != nil {
		return nil, err
	}
	if req.Params.Variables, err = objectParam("variables", m.variables); err != nil {
		return nil, err
	}
	if req.Params.Extensions, err = objectParam("extensions", m.extensions); err != nil {
		return nil, err
	}
	return req, checkQuery(req, maxQuery)
}

// DecodeGET decodes the query string of a GET request: "query",
// "operationName", and "variables" and "extensions" as JSON-encoded objects,
// each bounded by in while it is decoded (the query string as a whole is
// bounded by the server's header cap).
func DecodeGET(rawQuery string, maxQuery int, in InputLimits) (*Request, error) {
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, badRequest("the query string is not valid URL encoding")
	}
	for _, vs := range values {
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return nil, badRequest("the query string is not valid UTF-8")
			}
		}
	}
	req := &Request{DocumentID: values.Get("documentId")}
	req.Params.Query = values.Get("query")
	req.Params.OperationName = values.Get("operationName")
	in = in.withDefaults()
	for _, p := range []struct {
		name string
		dst  *map[string]any
	}{{"variables", &req.Params.Variables}, {"extensions", &req.Params.Extensions}} { // in order: the first over a limit is named
		name, dst := p.name, p.dst
		raw := json.RawMessage(bytes.TrimSpace([]byte(values.Get(name))))
		if len(raw) == 0 {
			continue
		}
		if err := in.check(name, raw); err != nil {
			return nil, err
		}
		if *dst, err = objectParam(name, raw); err != nil {
			return nil, err
		}
	}
	return req, checkQuery(req, maxQuery)
}

func checkQuery(req *Request, maxQuery int) error {
	if req.Params.Query == "" && req.DocumentID == "" && req.Params.Extensions["persistedQuery"] == nil {
		return badRequest("the request has no \"query\"")
	}
	if maxQuery > 0 && len(req.Params.Query) > maxQuery {
		return apierror.Limit("query_length", "the query is %d bytes long; the limit is %d", len(req.Params.Query), maxQuery)
	}
	return nil
}

// stringParam reads an optional string parameter (JSON text the scanner
// checked); null counts as absent. A string without escapes is its bytes.
func stringParam(name string, raw json.RawMessage) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	if raw[0] != '"' {
		return "", badRequest("%q must be a string", name)
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", badRequest("%q must be a string", name)
	}
	return s, nil
}

// objectParam reads an optional object parameter; null counts as absent.
func objectParam(name string, raw json.RawMessage) (map[string]any, error) {
	if isNull(raw) {
		return nil, nil
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, badRequest("%q must be a JSON object", name)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep integers exact for GraphQL's coercion
	var m map[string]any
	if err := dec.Decode(&m); err != nil || dec.More() {
		return nil, badRequest("%q must be a JSON object", name)
	}
	return m, nil
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// ReadBody reads body to its end. A request body whose length the request
// declared (size, its ContentLength; not more than the caller accepts) is
// read into one buffer of that size, up to readAhead, not one grown step by
// step as io.ReadAll grows it (four allocations for a dashboard's query);
// past readAhead, or without a declared length, the buffer doubles as its
// bytes arrive (up to the declared length), so that reading n bytes
// allocates about 2n in all, not the 5n of io.ReadAll's smaller steps. A
// client's declared length alone never buys it memory: a stalled body
// holds at most readAhead, and any body at most twice what it sent.
// size < 0 means unknown. A body from Buffered is returned as it is.
func ReadBody(body io.Reader, size int64) ([]byte, error) {
	if b, ok := body.(*buffered); ok && b.Len() == len(b.data) {
		_, _ = b.Seek(0, io.SeekEnd) // read, as any other body would be
		return b.data, nil
	}
	first := int64(512) // as io.ReadAll starts
	if size >= 0 {
		first = min(size, readAhead) + 1 // +1: room to read the end without growing
	}
	b := make([]byte, 0, first)
	for {
		n, err := body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		switch {
		case err == io.EOF:
			return b, nil
		case err != nil:
			return b, err
		case len(b) == cap(b):
			b = grow(b, size)
		}
	}
}

// grow returns b (full) with room for as many bytes again, but not past
// the declared size (and one byte to see the end) while b is shorter.
func grow(b []byte, size int64) []byte {
	next := 2 * cap(b)
	if int64(len(b)) < size {
		next = int(min(int64(next), size+1))
	}
	nb := make([]byte, len(b), next)
	copy(nb, b)
	return nb
}

// readAhead is the most ReadBody allocates for a body before its bytes
// arrive.
const readAhead = 16 << 10

// Buffered returns data as a request body, for a middleware that read the
// body whole (under the request's deadline, say) and passes it on:
// ReadBody returns data itself, not a copy.
func Buffered(data []byte) io.ReadCloser {
	return &buffered{Reader: bytes.NewReader(data), data: data}
}

type buffered struct {
	*bytes.Reader
	data []byte
}

func (*buffered) Close() error { return nil }
