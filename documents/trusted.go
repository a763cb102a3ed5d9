package documents

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/apierror"
)

// Trusted is the gqlgen extension of the trusted-documents mode: a request
// runs only a document of the manifest, named by "documentId" or by an APQ
// hash (extensions.persistedQuery.sha256Hash), or sent as text that is,
// to the byte, one of the manifest's documents; or the gateway's own
// document that its context carries (WithOwn).
type Trusted struct {
	Manifest Manifest
	bodies   map[string]bool
}

// NewTrusted returns the extension for m.
func NewTrusted(m Manifest) *Trusted {
	t := &Trusted{Manifest: m, bodies: make(map[string]bool, len(m))}
	for _, doc := range m {
		t.bodies[doc] = true
	}
	return t
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = (*Trusted)(nil)

// ExtensionName implements graphql.HandlerExtension.
func (*Trusted) ExtensionName() string { return "TrustedDocuments" }

// Validate implements graphql.HandlerExtension.
func (*Trusted) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters implements graphql.OperationParameterMutator.
func (t *Trusted) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	id := requestedID(p.Extensions)
	delete(p.Extensions, "persistedQuery") // nothing downstream of this may register a document
	if id == "" {
		if t.bodies[p.Query] || isOwn(ctx, p.Query) {
			return nil
		}
		return refuse(apierror.DocumentNotTrusted, "this server runs only its trusted documents; send a known documentId")
	}
	doc, ok := t.Manifest.lookup(id)
	if !ok {
		return refuse(apierror.PersistedQueryNotFound, "no trusted document has this id")
	}
	if p.Query != "" && p.Query != doc {
		return refuse(apierror.PersistedQueryMismatch, "the query sent is not the document its id names")
	}
	p.Query = doc
	return nil
}

type ownKey struct{}

// WithOwn returns ctx carrying query as the gateway's own document (the
// REST view's), which Trusted runs whatever the manifest holds: it is
// the gateway's, not a client's. Only server code can set it; a request
// to /query that sends the same text is still refused.
func WithOwn(ctx context.Context, query string) context.Context {
	return context.WithValue(ctx, ownKey{}, query)
}

// isOwn reports whether query is the own document ctx carries.
func isOwn(ctx context.Context, query string) bool {
	own, ok := ctx.Value(ownKey{}).(string)
	return ok && own == query
}

// requestedID returns the document id a request names, if any.
func requestedID(ext map[string]any) string {
	if id, ok := ext["documentId"].(string); ok && id != "" {
		return id
	}
	pq, _ := ext["persistedQuery"].(map[string]any)
	hash, _ := pq["sha256Hash"].(string)
	return hash
}

// refuse returns the request error of a refused document.
func refuse(code apierror.Code, message string) *gqlerror.Error {
	return (&apierror.Error{Code: code, Message: message}).GraphQL()
}
