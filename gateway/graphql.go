package gateway

import (
	"net/http"
	"net/url"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/deadline"
	"github.com/acme/dashboard-gateway/loaders"
	"github.com/acme/dashboard-gateway/observability"
)

// newExecutor returns the one executor both /query and the REST view run
// operations on.
func newExecutor(opts Options) *executor.Executor {
	exec := executor.New(opts.Schema)
	exec.SetErrorPresenter(apierror.Presenter(opts.Logger))
	exec.SetRecoverFunc(apierror.Recover(opts.Logger))
	exec.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	exec.Use(extension.Introspection{})
	exec.Use(deadline.Guard{})
	obs := observability.Extension{Metrics: opts.Metrics, FieldTiming: opts.FieldTiming}
	if opts.Tracing != nil {
		obs.Tracer = opts.Tracing.Tracer()
	}
	exec.Use(obs) // before the loaders: their calls belong to the operation's span
	exec.Use(loaders.Extension{Clients: opts.Clients, Wait: opts.LoaderWait})
	return exec
}

// graphqlHandler serves GraphQL over HTTP with gqlgen's transports on our
// executor (handler.Server would build an executor of its own).
type graphqlHandler struct {
	exec *executor.Executor
}

var transports = []graphql.Transport{
	transport.Options{AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions}},
	transport.GET{},
	transport.POST{},
}

func (h graphqlHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		// gqlgen's GET transport echoes Go's parse error to the client.
		if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
			apierror.WriteHTTP(w, http.StatusBadRequest, apierror.BadRequest, "the query string is not valid URL encoding")
			return
		}
	}
	r = r.WithContext(graphql.StartOperationTrace(r.Context()))
	for _, t := range transports {
		if t.Supports(r) {
			t.Do(w, r, h.exec)
			return
		}
	}
	if r.Method == http.MethodPost {
		apierror.WriteHTTP(w, http.StatusUnsupportedMediaType, apierror.BadRequest,
			"Content-Type must be application/json")
		return
	}
	apierror.WriteHTTP(w, http.StatusMethodNotAllowed, apierror.BadRequest, "method not allowed")
}
