package gateway

import (
	"encoding/json"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/go-chi/chi/v5"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/contract"
)

// restView serves GET /dashboard/{userId}: the seed-compatible view of
// errors.md, {"status":"success"|"partial_success","data":{...},"errors":[...]},
// run on the same executor as /query. When no dashboard could be built at all
// (an invalid id), status is "error" and data is null.
type restView struct {
	exec *executor.Executor
}

type restBody struct {
	Status string          `json:"status"`
	Data   json.RawMessage `json:"data"`
	Errors gqlerror.List   `json:"errors"`
}

func (v restView) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := graphql.StartOperationTrace(r.Context())
	params := &graphql.RawParams{
		Query:     contract.DashboardQuery,
		Variables: map[string]any{"id": chi.URLParam(r, "userId")},
		Headers:   r.Header,
	}
	var resp *graphql.Response
	opCtx, errs := v.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp = v.exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
	} else {
		handler, opCtx := v.exec.DispatchOperation(ctx, opCtx)
		resp = handler(opCtx)
	}

	body := restBody{Status: "success", Errors: resp.Errors, Data: json.RawMessage("null")}
	var data struct {
		Dashboard json.RawMessage `json:"dashboard"`
	}
	if len(resp.Data) > 0 && json.Unmarshal(resp.Data, &data) == nil && len(data.Dashboard) > 0 && string(data.Dashboard) != "null" {
		body.Data = data.Dashboard
	}
	status := http.StatusOK
	switch {
	case string(body.Data) == "null":
		body.Status = "error"
		status = http.StatusServiceUnavailable
		if len(resp.Errors) > 0 {
			code, _ := resp.Errors[0].Extensions["code"].(string)
			status = apierror.Status(apierror.Code(code))
		}
	case len(resp.Errors) > 0:
		body.Status = "partial_success"
	}
	if body.Errors == nil {
		body.Errors = gqlerror.List{}
	}
	for _, e := range body.Errors {
		e.Locations = nil // they point into a query the caller never wrote
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
