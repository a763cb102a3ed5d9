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
}

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

var _ graphql.OperationContextMutator = apqRegistrar{}

// ExtensionName implements graphql.HandlerExtension.
func (apqRegistrar) ExtensionName() string { return "AutomaticPersistedQueriesRegistrar" }

// Validate implements graphql.HandlerExtension.
func (r apqRegistrar) Validate(s graphql.ExecutableSchema) error { return APQ(r).Validate(s) }

// MutateOperationContext implements graphql.OperationContextMutator.
func (r apqRegistrar) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if p, ok := opCtx.Stats.GetExtension(apqStats).(apqPending); ok {
		r.Cache.Add(ctx, p.hash, p.query)
	}
	return nil
}
