package gateway

import (
	"cmp"
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/bytelru"
	"github.com/acme/dashboard-gateway/coercion"
	"github.com/acme/dashboard-gateway/deadline"
	"github.com/acme/dashboard-gateway/documents"
	"github.com/acme/dashboard-gateway/fastpath"
	"github.com/acme/dashboard-gateway/graph"
	"github.com/acme/dashboard-gateway/limits"
	"github.com/acme/dashboard-gateway/loaders"
	"github.com/acme/dashboard-gateway/observability"
	"github.com/acme/dashboard-gateway/resolvers"
)

// newExecutor returns the one executor both /query and the REST view run
// operations on. Its extensions run in the order added: the outer ones
// first.
func newExecutor(opts Options) *executor.Executor {
	// The fast path runs what it can plan, calling the same resolvers;
	// gqlgen's executor the rest (introspection).
	root := resolvers.New(opts.Dashboards)
	var schema graphql.ExecutableSchema = graph.NewExecutableSchema(graph.Config{Resolvers: root})
	if opts.GqlgenOnly {
		schema = fastpath.WithoutDefer(schema) // only the fast path defers
	} else {
		fo := fastpath.Options{}
		if m := opts.Metrics; m != nil {
			for _, r := range fastpath.Reasons() {
				m.ShowFallbacks(string(r))
			}
			fo.Fallback = func(r fastpath.Reason) { m.Fallback(string(r)) }
		}
		schema = fastpath.New(schema, root, fo)
	}
	exec := executor.New(schema)
	exec.SetErrorPresenter(apierror.Presenter(opts.Logger))
	exec.SetRecoverFunc(apierror.Recover(opts.Logger))
	// Parsed documents by their text, bounded by their size in memory: a
	// document's syntax tree is 15-110 times its text.
	validated := bytelru.New(cmp.Or(opts.QueryCacheBytes, DefaultQueryCacheBytes), 0,
		func(_ string, doc *ast.QueryDocument) int { return documents.Size(doc) }) // the text is the document's source: counted there
	exec.SetQueryCache(validated)
	exec.SetParserTokenLimit(opts.MaxTokens)
	// No "did you mean" suggestions: they cost validation the length of
	// every unknown name times its candidates' (limits.ValidationRules).
	exec.SetDefaultRulesFn(limits.ValidationRules)
	exec.SetDisableSuggestion(true)

	// Which document runs: trusted documents only, or any query with APQ.
	var apq *documents.APQ
	if opts.Trusted != nil {
		exec.Use(documents.NewTrusted(opts.Trusted))
	} else if opts.APQCacheSize > 0 {
		apq = &documents.APQ{Cache: bytelru.New(cmp.Or(opts.APQCacheBytes, DefaultAPQCacheBytes), opts.APQCacheSize,
			func(hash, query string) int { return len(hash) + len(query) })}
		var shared RateCounter // not a nil Shared in the interface
		if opts.Shared != nil {
			shared = opts.Shared
			apq.Cache = documents.SharedCache{Local: apq.Cache, Shared: opts.Shared,
				TTL: opts.SharedAPQ.TTL, MaxBytes: opts.SharedAPQ.MaxBytes, Budget: opts.SharedAPQ.Budget}
		}
		apq.Admit = apqAdmit(opts.APQRegisterLimit, shared)
		exec.Use(apq)
	}
	// The document's limits before gqlgen parses and validates it, unless
	// it did already (then it was measured too).
	exec.Use(limits.Document{
		Limits:        opts.Limits,
		MaxQueryBytes: opts.MaxQueryBytes,
		MaxTokens:     opts.MaxTokens,
		Known: func(ctx context.Context, query string) bool {
			_, ok := validated.Get(ctx, query)
			return ok
		},
	})
	if opts.Introspection {
		exec.Use(extension.Introspection{})
	} else {
		exec.Use(noIntrospection{})
	}
	// Once the variables are known, before anything runs: the
	// specification's rules for nulls gqlgen lets through, then the
	// contract's arguments and the cost.
	exec.Use(coercion.Extension{})
	exec.Use(limits.Operation{MaxCost: opts.MaxCost, Schema: schema.Schema()})
	if apq != nil {
		exec.Use(apq.Registrar()) // only what passed everything above is remembered
	}

	// Outside the deadline's guard and everything that reports errors: the
	// answer's errors cap counts them all.
	exec.Use(apierror.ErrorLimit{Max: opts.MaxErrors, Logger: opts.Logger})
	exec.Use(deadline.Guard{})
	obs := observability.Extension{Metrics: opts.Metrics, FieldTiming: opts.FieldTiming, TraceDocument: opts.TraceDocument}
	if opts.Tracing != nil {
		obs.Tracer = opts.Tracing.Tracer()
	}
	exec.Use(obs) // before the loaders: their calls belong to the operation's span
	exec.Use(loaders.Extension{Clients: opts.Clients, Wait: opts.LoaderWait, Joins: &loaders.Joins{}})
	return exec
}
