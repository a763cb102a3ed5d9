// Package limits refuses GraphQL requests that would cost the gateway or
// its services too much, before any of it runs. It has two gqlgen
// extensions:
//
//   - Document measures the query text before gqlgen parses and validates
//     it: length, tokens, operations, fragments, variables, selections as
//     written and, with every fragment expanded (each fragment measured
//     once and the figure reused), fields, spreads, depth, aliases, root
//     fields, the nodes validation walks and the repeated fields it must
//     compare. Its work is linear in the document, so no document, however
//     its fragments spread one another, keeps a core busy.
//   - Operation checks the operation to run once its variables are known:
//     the contract's arguments (id format, at most 50 userIds, first in
//     0..50) and its cost.
//
// ValidationRules are the validation rules the executor should use: without
// name suggestions, whose cost those limits could not bound.
//
// It does not read the HTTP request (package graphqlhttp caps the body and
// the query's length before) and it does not execute anything.
package limits

import (
	"cmp"

	"github.com/acme/dashboard-gateway/apierror"
)

// Defaults of Document and Operation.
const (
	DefaultMaxQueryBytes = 20000
	DefaultMaxTokens     = 5000
	DefaultMaxCost       = 50000
)

// Defaults of Limits.
const (
	DefaultMaxDepth      = 15
	DefaultMaxAliases    = 20
	DefaultMaxRootFields = 10
	DefaultMaxFields     = 2000
	DefaultMaxSelections = 1000
	DefaultMaxSpreads    = 500
	DefaultMaxOperations = 20
	DefaultMaxFragments  = 50
	DefaultMaxNodes      = 1500
	DefaultMaxVariables  = 100
	DefaultMaxRepeats    = 2000
	DefaultMaxDeferred   = 10
)

// Limits are the limits on a document and its operations. Zero fields take
// their defaults. Every field counts, `__typename` and introspection
// included: a document is work whatever it asks for.
type Limits struct {
	// MaxDepth bounds how deeply fields nest in any operation, fragments
	// expanded (dashboard > orders > items > product > price > formatted
	// is 6; the introspection query GraphiQL sends nests 15). Default 15.
	MaxDepth int
	// MaxAliases bounds the aliased fields of any operation, fragments
	// expanded. Default 20.
	MaxAliases int
	// MaxRootFields bounds the top-level fields of any operation,
	// fragments expanded. Default 10.
	MaxRootFields int
	// MaxFields bounds the fields of any operation with every fragment
	// expanded, against documents that are small but expand hugely.
	// Default 2,000.
	MaxFields int
	// MaxSpreads bounds the fragment spreads and inline fragments entered
	// while expanding any operation; execution walks them again for every
	// object it resolves. Default 500.
	MaxSpreads int

	// MaxSelections bounds the selections (fields, fragment spreads,
	// inline fragments) written in the whole document. Default 1,000.
	MaxSelections int
	// MaxOperations bounds the operations a document defines. Default 20.
	MaxOperations int
	// MaxFragments bounds the fragments a document defines or spreads
	// (by name); validation compares them pairwise. Default 50.
	MaxFragments int
	// MaxNodes bounds the nodes (fields, arguments and their values,
	// directives, fragments, variables) of every operation and every
	// fragment definition, with the fragments each uses expanded: what
	// validation walks, and the errors it can find (up to two per
	// node). Default 1,500.
	MaxNodes int
	// MaxVariables bounds the variables an operation defines: validation
	// looks each use of a variable up among them one by one. Default 100.
	MaxVariables int
	// MaxRepeats bounds the pairs of fields that share a name at the same
	// place (fields repeated, directly or through fragments), weighted by
	// their arguments: validation compares every such pair, so repetition
	// costs it the square of its count. Default 2,000.
	MaxRepeats int
	// MaxDeferred bounds the @defer fragments of any operation, fragments
	// expanded: each one deferred on an object is a part of the answer of
	// its own, so 50 dashboards multiply them. Default 10.
	MaxDeferred int
}

func (l Limits) withDefaults() Limits {
	l.MaxDepth = cmp.Or(l.MaxDepth, DefaultMaxDepth)
	l.MaxAliases = cmp.Or(l.MaxAliases, DefaultMaxAliases)
	l.MaxRootFields = cmp.Or(l.MaxRootFields, DefaultMaxRootFields)
	l.MaxFields = cmp.Or(l.MaxFields, DefaultMaxFields)
	l.MaxSpreads = cmp.Or(l.MaxSpreads, DefaultMaxSpreads)
	l.MaxSelections = cmp.Or(l.MaxSelections, DefaultMaxSelections)
	l.MaxOperations = cmp.Or(l.MaxOperations, DefaultMaxOperations)
	l.MaxFragments = cmp.Or(l.MaxFragments, DefaultMaxFragments)
	l.MaxNodes = cmp.Or(l.MaxNodes, DefaultMaxNodes)
	l.MaxVariables = cmp.Or(l.MaxVariables, DefaultMaxVariables)
	l.MaxRepeats = cmp.Or(l.MaxRepeats, DefaultMaxRepeats)
	l.MaxDeferred = cmp.Or(l.MaxDeferred, DefaultMaxDeferred)
	return l
}

// The reasons (extensions.reason) of LIMIT_EXCEEDED errors.
const (
	ReasonQueryLength = "query_length"
	ReasonTokens      = "tokens"
	ReasonDepth       = "depth"
	ReasonAliases     = "aliases"
	ReasonRootFields  = "root_fields"
	ReasonFields      = "fields"
	ReasonSpreads     = "spreads"
	ReasonSelections  = "selections"
	ReasonOperations  = "operations"
	ReasonFragments   = "fragments"
	ReasonNodes       = "nodes"
	ReasonVariables   = "variables"
	ReasonRepeats     = "repeated_fields"
	ReasonDeferred    = "deferred"
	ReasonCost        = "cost"
)

func limit(reason, format string, args ...any) error {
	return apierror.Limit(reason, format, args...)
}
