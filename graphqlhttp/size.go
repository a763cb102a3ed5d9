package graphqlhttp

import (
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/apierror"
)

// The answer of an operation is bounded in size (Handler.MaxResponseBytes):
// past the cap, what would have gone out is replaced by a
// RESPONSE_TOO_LARGE error. The cap is on what the executor produced, not
// on the work: the cost limit bounds that. A client whose answer is too
// large asks for less (fewer dashboards, smaller pages, fewer fields).

// tooLarge is the RESPONSE_TOO_LARGE error at path (nil: the answer's).
func tooLarge(path ast.Path, maxBytes int) *gqlerror.Error {
	e := apierror.Errorf(apierror.ResponseTooLarge,
		"the answer would be larger than the %d bytes this server sends; ask for fewer dashboards, smaller pages or fewer fields", maxBytes).GraphQL()
	e.Path = path
	return e
}

// tooLargeAnswer is the answer that takes the place of one past maxBytes:
// null data and the one error.
func tooLargeAnswer(maxBytes int) []byte {
	b := appendJSON([]byte(`{"errors":`), gqlerror.List{tooLarge(nil, maxBytes)}) // an error always encodes
	return append(b, `,"data":null}`...)
}

// tooLargeParts are the parts rs failed with RESPONSE_TOO_LARGE: null
// data, their path and label, the one error.
func tooLargeParts(rs []*graphql.Response, maxBytes int) []*graphql.Response {
	out := make([]*graphql.Response, len(rs))
	for i, r := range rs {
		out[i] = &graphql.Response{Path: r.Path, Label: r.Label, Errors: gqlerror.List{tooLarge(r.Path, maxBytes)}}
	}
	return out
}
