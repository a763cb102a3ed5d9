package documents

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/apierror"
)

// APQ serves Automatic Persisted Queries: a client sends the SHA-256 hash
// of a query it sent before instead of the query. Unlike gqlgen's extension
// of the same protocol, a query sent with its hash is stored only once the
// executor has parsed and validated it and the gateway's limits have let it
// through, so the cache never holds a document that could not run: use
// APQ before the limits and APQ.Registrar after them.
type APQ struct {
	// Cache holds the queries by hash. Required.
	Cache graphql.Cache[string]
	// Admit, when set, is asked before a query sent with its hash is
	// stored: the gateway's per-client registration limit. A query it
	// refuses still runs (it came with its text) but is not stored, and the
	// response says so in extensions.persistedQuery (RefusedExtension).
	// Nil: every query that passed is stored.
	Admit func(ctx context.Context) bool
}

// RefusedExtension is the response extension, "persistedQuery", of an
// operation whose query was not stored because its client registered too
// many lately: {"stored": false, "code": "RATE_LIMITED"}. Apollo clients
// ignore it: their next request by hash gets PERSISTED_QUERY_NOT_FOUND and
// they send the query again, which runs.
const RefusedExtension = "persistedQuery"

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = APQ{}

// ExtensionName implements graphql.HandlerExtension.
func (APQ) ExtensionName() string { return "AutomaticPersistedQueries" }

// Validate implements graphql.HandlerExtension.
func (a APQ) Validate(graphql.ExecutableSchema) error {
	if a.Cache == nil {
		return errors.New("documents.APQ needs a Cache")
	}
	return nil
}

// apqPending is what a request asks to register, kept in the operation's
// stats until the registrar stores it.
type apqPending struct{ hash, query string }

// apqRefused, in the operation's stats in place of its apqPending, says
// that Admit refused it and the response does not say so yet.
type apqRefused struct{}

const apqStats = "documents.APQ"

// MutateOperationParameters implements graphql.OperationParameterMutator:
// it puts the query in place of its hash, or checks the hash of a query
// sent with one.
func (a APQ) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	raw, ok := p.Extensions["persistedQuery"]
	if !ok || raw == nil {
		return nil
	}
	pq, _ := raw.(map[string]any)
	hash, _ := pq["sha256Hash"].(string)
	if v, ok := pq["version"]; !ok || !isOne(v) || hash == "" {
		return refuse(apierror.BadRequest, "unsupported persisted query: send {\"version\": 1, \"sha256Hash\": ...}")
	}
	if p.Query == "" {
		q, found := a.Cache.Get(ctx, hash)
		if !found {
			return refuse(apierror.PersistedQueryNotFound, "PersistedQueryNotFound") // the words Apollo clients look for
		}
		p.Query = q
		return nil
	}
	if Hash(p.Query) != hash {
		return refuse(apierror.BadRequest, "the persisted query hash does not match the query sent with it")
	}
	graphql.GetOperationContext(ctx).Stats.SetExtension(apqStats, apqPending{hash: hash, query: p.Query})
	return nil
}

// isOne reports whether a decoded JSON number is 1.
func isOne(v any) bool {
	switch n := v.(type) {
	case float64:
		return n == 1
	case int64:
		return n == 1
	case int:
		return n == 1
	case interface{ String() string }: // json.Number
		return n.String() == "1"
	}
	return false
}

// Registrar returns the extension that stores a query sent with its hash
// once everything before it in the executor has accepted the operation.
func (a APQ) Registrar() graphql.HandlerExtension { return apqRegistrar(a) }

type apqRegistrar APQ

var _ interface {
	graphql.OperationContextMutator
	graphql.ResponseInterceptor
} = apqRegistrar{}

// ExtensionName implements graphql.HandlerExtension.
func (apqRegistrar) ExtensionName() string { return "AutomaticPersistedQueriesRegistrar" }

// Validate implements graphql.HandlerExtension.
func (r apqRegistrar) Validate(s graphql.ExecutableSchema) error { return APQ(r).Validate(s) }

// MutateOperationContext implements graphql.OperationContextMutator: it
// stores the query, unless Admit refuses. A query held already is stored
// again, and counted: a replica may hold what Redis lost, and clients send
// a query with its hash only after PERSISTED_QUERY_NOT_FOUND.
func (r apqRegistrar) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	p, ok := opCtx.Stats.GetExtension(apqStats).(apqPending)
	if !ok {
		return nil
	}
	if r.Admit != nil && !r.Admit(ctx) {
		opCtx.Stats.SetExtension(apqStats, apqRefused{})
		return nil
	}
	r.Cache.Add(ctx, p.hash, p.query)
	return nil
}

// InterceptResponse implements graphql.ResponseInterceptor: the first
// response of an operation whose query was refused says so.
func (apqRegistrar) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || !graphql.HasOperationContext(ctx) {
		return resp
	}
	stats := &graphql.GetOperationContext(ctx).Stats
	if _, refused := stats.GetExtension(apqStats).(apqRefused); refused {
		stats.SetExtension(apqStats, nil) // said once, not in every deferred payload
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions[RefusedExtension] = map[string]any{"stored": false, "code": string(apierror.RateLimited)}
	}
	return resp
}
