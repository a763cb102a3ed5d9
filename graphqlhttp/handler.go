// Package graphqlhttp serves GraphQL over HTTP as the GraphQL-over-HTTP
// specification (draft) describes it, on a gqlgen executor: POST with
// application/json bodies, GET for queries, responses in
// application/graphql-response+json or application/json as the client's
// Accept header asks, and the status codes the specification gives for each
// (a malformed request, whose body is not JSON or whose parameters are
// missing or of the wrong type, is 400 under either media type; a document
// that does not parse or validate, or whose variables do not coerce, is 400
// in application/graphql-response+json, without a "data" entry, and 200 in
// application/json; 405 for mutations over GET or
// other methods; 406 when nothing acceptable is offered; 415 for other body
// types; 401/403 when authentication refuses the request). An operation
// with @defer is answered incrementally, in multipart/mixed, in the format
// the client's Accept header asks for, and in one JSON answer with every
// part merged in when it asks for none (see incremental.go).
//
// It decodes and answers requests; it does not execute them (the executor
// does) nor decide what a failure means to clients (package apierror does).
package graphqlhttp

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/acme/dashboard-gateway/apierror"
)

// Handler serves GraphQL over HTTP. Its fields are read-only once serving.
type Handler struct {
	// Exec runs the operations. Required.
	Exec *executor.Executor
	// MaxQueryBytes caps a query's length; 0 means no cap.
	MaxQueryBytes int
	// MaxResponseBytes caps the size of an executed operation's answer,
	// in bytes (the body; of an incremental answer, its payloads' JSON
	// in all); 0 means no cap. An answer past it is replaced by one
	// RESPONSE_TOO_LARGE error with null data (tooLarge); an incremental
	// answer ends at the payload that would pass it, that payload's parts
	// and those not yet sent failing with the same error (stream).
	MaxResponseBytes int
	// MaxErrors caps the errors of a request refused before it ran (its
	// document's validation errors), as apierror.ErrorLimit does those of
	// an executed one. Zero means apierror.DefaultMaxErrors.
	MaxErrors int
	// Input bounds the variables and extensions of a request while they
	// are decoded; zero fields take their defaults.
	Input InputLimits
	// Documents says whether persisted documents (by "documentId") are
	// served; without them such a request is refused with a clear message.
	Documents bool
}

const allowed = "GET, POST, OPTIONS"

// ServeHTTP implements http.Handler.
func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	media, ok := negotiate(r.Header.Get("Accept"))
	if !ok {
		h.writeError(w, r, mediaJSON, withStatus(http.StatusNotAcceptable,
			badRequest("the Accept header offers no media type this server can send: use application/graphql-response+json or application/json")))
		return
	}
	var req *Request
	var err error
	switch r.Method {
	case http.MethodGet:
		req, err = DecodeGET(r.URL.RawQuery, h.MaxQueryBytes, h.Input)
	case http.MethodPost:
		if msg := checkContentType(r.Header.Get("Content-Type")); msg != "" {
			h.writeError(w, r, media, withStatus(http.StatusUnsupportedMediaType, badRequest("%s", msg)))
			return
		}
		var data []byte
		if data, err = ReadBody(r.Body, r.ContentLength); err != nil {
			h.writeError(w, r, media, withStatus(http.StatusBadRequest, badRequest("the request body could not be read")))
			return
		}
		req, err = DecodePOST(data, h.MaxQueryBytes, h.Input)
	case http.MethodOptions:
		w.Header().Set("Allow", allowed)
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		w.Header().Set("Allow", allowed)
		h.writeError(w, r, media, withStatus(http.StatusMethodNotAllowed, badRequest("use GET or POST")))
		return
	}
	if err == nil && req.DocumentID != "" {
		if !h.Documents {
			err = badRequest("this server has no persisted documents; send the \"query\"")
		} else {
			if req.Params.Extensions == nil {
				req.Params.Extensions = map[string]any{}
			}
			req.Params.Extensions["documentId"] = req.DocumentID
		}
	}
	if err != nil {
		re, ok := errors.AsType[*apierror.Error](err)
		if !ok {
			re = badRequest("the request could not be read")
		}
		h.writeError(w, r, media, re)
		return
	}
	h.execute(w, r.WithContext(graphql.StartOperationTrace(r.Context())), media, req)
}

func (h Handler) execute(w http.ResponseWriter, r *http.Request, media string, req *Request) {
	ctx := r.Context()
	req.Params.Headers = r.Header
	start := graphql.Now()
	req.Params.ReadTime = graphql.TraceTiming{Start: start, End: start}
	opCtx, errs := h.Exec.CreateOperationContext(ctx, &req.Params)
	// GET runs queries only, whether the request sent the document or named
	// it by a hash or id: by now req.Params.Query is the document that runs.
	if r.Method == http.MethodGet && !runsQuery(opCtx, req.Params.Query) {
		w.Header().Set("Allow", "POST")
		h.writeError(w, r, media, withStatus(http.StatusMethodNotAllowed, badRequest("only queries may be sent with GET; use POST")))
		return
	}
	if errs != nil {
		resp := h.Exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		resp.Errors = apierror.CapErrors(resp.Errors, h.MaxErrors)
		code := ""
		if len(resp.Errors) > 0 {
			code, _ = resp.Errors[0].Extensions["code"].(string)
		}
		apierror.WriteErrors(w, requestErrorStatus(media, apierror.Code(code)), contentType(media), resp.Errors, resp.Extensions)
		return
	}
	ctx, recycle := WithRecycling(ctx)
	defer recycle() // every answer below is written by then
	responses, ctx := h.Exec.DispatchOperation(ctx, opCtx)
	first := responses(ctx)
	pending, announced := takePending(first)
	if !isLast(first) {
		parts, stop := pull(ctx, responses)
		defer stop()
		switch incrementalFormat(r.Header.Get("Accept")) {
		case defer2022:
			h.stream(ctx, w, first, parts, format2022{})
			return
		case incrementalV02:
			if announced {
				h.stream(ctx, w, first, parts, newFormatV02(pending))
				return
			}
		}
		first = collect(ctx, first, parts, pending, announced)
	}
	writeResponse(w, media, first, h.MaxResponseBytes)
}

// writeResponse writes an executed operation's response. Its data is JSON
// the executor wrote, so it goes out as it is, not parsed and compacted
// again as encoding/json would a json.RawMessage. An answer of more than
// maxBytes (0: no cap) is replaced by tooLarge's.
func writeResponse(w http.ResponseWriter, media string, resp *graphql.Response, maxBytes int) {
	if resp == nil {
		apierror.Write(w, http.StatusOK, contentType(media), []byte("null"))
		return
	}
	var errs, ext []byte
	var err error
	if len(resp.Errors) > 0 {
		errs, err = json.Marshal(resp.Errors)
	}
	if err == nil && len(resp.Extensions) > 0 {
		ext, err = json.Marshal(resp.Extensions)
	}
	if err != nil {
		apierror.WriteErrors(w, http.StatusInternalServerError, contentType(media),
			gqlerror.List{apierror.Errorf(apierror.Internal, "internal error").GraphQL()}, nil)
		return
	}
	size := len(`{"errors":,"data":,"extensions":}`) + len(errs) + len(resp.Data) + len(ext)
	if maxBytes > 0 && size > maxBytes {
		apierror.Write(w, http.StatusOK, contentType(media), tooLargeAnswer(maxBytes, false))
		return
	}
	// The answer is put together in a pooled buffer: it is free again
	// once written to the connection.
	bp := buffers.Get().(*[]byte)
	b := slices.Grow((*bp)[:0], size)
	defer func() {
		if cap(b) <= maxPooled {
			*bp = b[:0]
			buffers.Put(bp)
		}
	}()
	b = append(b, '{')
	if errs != nil {
		b = append(append(append(b, `"errors":`...), errs...), ',')
	}
	b = append(b, `"data":`...)
	if len(resp.Data) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, resp.Data...)
	}
	if ext != nil {
		b = append(append(b, `,"extensions":`...), ext...)
	}
	b = append(b, '}')
	apierror.Write(w, http.StatusOK, contentType(media), b)
}

// requestErrorStatus is the status of a well-formed request that did not
// execute (its document does not parse or validate, its variables do not
// coerce, a limit refused it): what authentication decided, else 400 in
// application/graphql-response+json and 200 in application/json, where
// clients read the errors of the body rather than the status.
func requestErrorStatus(media string, code apierror.Code) int {
	switch code {
	case apierror.Unauthenticated, apierror.Forbidden:
		return apierror.Status(code)
	}
	if media == mediaGraphQLResponse {
		return http.StatusBadRequest
	}
	return http.StatusOK
}

// checkContentType returns why a POST's Content-Type is unsupported, or "".
func checkContentType(v string) string {
	if v == "" {
		return "a POST needs Content-Type: application/json"
	}
	mt, params, err := mime.ParseMediaType(v)
	if err != nil || mt != mediaJSON {
		return "the request body must be application/json"
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return "the request body must be encoded in UTF-8"
	}
	return ""
}

// runsQuery reports whether the operation is a query, or cannot be told to
// be anything else (the executor then reports the document's own error).
// The document is parsed again only when the executor refused it.
func runsQuery(opCtx *graphql.OperationContext, query string) bool {
	if opCtx != nil && opCtx.Operation != nil {
		return opCtx.Operation.Operation == ast.Query
	}
	if query == "" {
		return true
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return true
	}
	name := ""
	if opCtx != nil {
		name = opCtx.OperationName
	}
	op := doc.Operations.ForName(name)
	return op == nil || op.Operation == ast.Query
}

// writeError answers a request that never reached execution with e, under
// e.HTTPStatus or else the specification's status for a request error.
// The error still goes through the executor's error presenter and response
// interceptors, so that logs and metrics count it like any other.
func (h Handler) writeError(w http.ResponseWriter, r *http.Request, media string, e *apierror.Error) {
	status := e.HTTPStatus
	if status == 0 {
		status = requestErrorStatus(media, e.Code)
	}
	resp := h.Exec.DispatchError(r.Context(), gqlerror.List{e.GraphQL()})
	apierror.WriteErrors(w, status, contentType(media), resp.Errors, resp.Extensions)
}

// withStatus sets the HTTP status of e.
func withStatus(status int, e *apierror.Error) *apierror.Error {
	e.HTTPStatus = status
	return e
}

// contentType is the Content-Type of a response in media.
func contentType(media string) string { return media + "; charset=utf-8" }
