package gateway

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/go-chi/chi/v5"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/contract"
	"github.com/acme/dashboard-gateway/documents"
	"github.com/acme/dashboard-gateway/graphqlhttp"
)

// restView serves GET /dashboard/{userId}: the seed-compatible view of
// errors.md, run on the same executor as /query and answered by
// apierror.WriteREST ({"status":"success"|"partial_success","data":{...},
// "errors":[...]}; status "error" and null data when no dashboard could be
// built at all, e.g. an invalid id). Its document is the gateway's own, so
// it runs in the trusted-documents mode too (documents.WithOwn).
type restView struct {
	exec *executor.Executor
}

func (v restView) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, recycle := graphqlhttp.WithRecycling(graphql.StartOperationTrace(documents.WithOwn(r.Context(), contract.DashboardQuery)))
	defer recycle() // once the answer is written
	params := &graphql.RawParams{
		Query:     contract.DashboardQuery,
		Variables: map[string]any{"id": chi.URLParam(r, "userId")},
		Headers:   r.Header,
	}
	var resp *graphql.Response
	opCtx, refused := v.exec.CreateOperationContext(ctx, params)
	if refused != nil {
		resp = v.exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), refused)
	} else {
		handler, opCtx := v.exec.DispatchOperation(ctx, opCtx)
		resp = handler(opCtx)
	}

	// The data is {"dashboard":...}, as the executor wrote it: the
	// dashboard is cut out, not parsed again.
	var data json.RawMessage
	if d, ok := bytes.CutPrefix(resp.Data, []byte(`{"dashboard":`)); ok && len(d) > 1 {
		data = d[:len(d)-1]
	}
	apierror.WriteREST(w, data, resp.Errors, resp.Extensions["stale"])
}
