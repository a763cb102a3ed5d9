package apierror

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// MediaJSON is the media type of the error responses the gateway writes
// itself (WriteError, WriteREST).
const MediaJSON = "application/json"

// Write is the one writer of JSON error responses: every GraphQL-shaped
// error body (WriteError, WriteHTTP, WriteErrors) and the REST view's
// (WriteREST) goes out through it, with contentType, nosniff and status.
// Callers that answer the same bytes often (a shed request) encode them
// once with Body.
func Write(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// WriteError answers a request that never reached the GraphQL executor
// (bad header, body too large, unknown route, a refusal at the edge) with
// e alone, in application/json, under e.HTTPStatus (zero: Status(e.Code)).
func WriteError(w http.ResponseWriter, e *Error) {
	status := e.HTTPStatus
	if status == 0 {
		status = Status(e.Code)
	}
	Write(w, status, MediaJSON, Body(e))
}

// WriteHTTP is WriteError of the error with code and message, under status.
func WriteHTTP(w http.ResponseWriter, status int, code Code, message string) {
	WriteError(w, &Error{Code: code, Message: message, HTTPStatus: status})
}

// Body returns the GraphQL-shaped body of errs, {"errors":[...]} and a
// newline, as WriteError writes it.
func Body(errs ...*Error) []byte {
	list := make(gqlerror.List, len(errs))
	for i, e := range errs {
		list[i] = e.GraphQL()
	}
	b, _ := encodeErrors(list, nil) // messages, codes and reasons are strings: no error
	return append(b, '\n')
}

// requestErrors is the GraphQL response of a request that did not
// execute: errors, maybe extensions, no "data".
type requestErrors struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

func encodeErrors(errs gqlerror.List, ext map[string]any) ([]byte, error) {
	return json.Marshal(requestErrors{Errors: errs, Extensions: ext})
}

// internalBody is what a client reads when its error response could not
// be encoded.
const internalBody = `{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`

// WriteErrors answers a GraphQL-over-HTTP request that did not execute with
// the errors the executor presented (and its response extensions), no
// "data", and no trailing newline (as graphqlhttp writes every response).
// Errors that cannot be encoded become one internal error and a 500.
func WriteErrors(w http.ResponseWriter, status int, contentType string, errs gqlerror.List, ext map[string]any) {
	b, err := encodeErrors(errs, ext)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(internalBody)
	}
	Write(w, status, contentType, b)
}

// WriteREST answers the seed-compatible REST view of errors.md:
// {"status":"success"|"partial_success"|"error","data":...,"errors":[...]}
// and a newline. data is the view's object as the executor wrote it, or
// null when none could be built: the status is then "error" and the HTTP
// status that of the first error's code (Status), 503 without one. The
// errors lose their locations: they point into a query the caller never
// wrote. stale, when not nil, is the fields served stale (what the GraphQL
// answer has in extensions.stale): it follows as "stale":[...].
func WriteREST(w http.ResponseWriter, data json.RawMessage, errs gqlerror.List, stale any) {
	status, outcome := http.StatusOK, "success"
	switch {
	case len(data) == 0 || bytes.Equal(data, []byte("null")):
		data = json.RawMessage("null")
		outcome, status = "error", http.StatusServiceUnavailable
		if len(errs) > 0 {
			code, _ := errs[0].Extensions["code"].(string)
			status = Status(Code(code))
		}
	case len(errs) > 0:
		outcome = "partial_success"
	}
	if errs == nil {
		errs = gqlerror.List{}
	}
	for _, e := range errs {
		e.Locations = nil
	}
	encoded, err := json.Marshal(errs)
	var staleJSON []byte
	if err == nil && stale != nil {
		staleJSON, err = json.Marshal(stale)
	}
	if err != nil {
		WriteHTTP(w, http.StatusInternalServerError, Internal, "internal error")
		return
	}
	b := make([]byte, 0, len(`{"status":"partial_success","data":,"errors":,"stale":}`)+len(data)+len(encoded)+len(staleJSON)+1)
	b = append(append(b, `{"status":"`...), outcome...)
	b = append(append(b, `","data":`...), data...)
	b = append(append(b, `,"errors":`...), encoded...)
	if staleJSON != nil {
		b = append(append(b, `,"stale":`...), staleJSON...)
	}
	b = append(b, '}', '\n')
	Write(w, status, MediaJSON, b)
}
