package gateway

import (
	"bytes"
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

func (v restView) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := graphql.StartOperationTrace(r.Context())
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

	data := json.RawMessage("null")
	// The data is {"dashboard":...}, as the executor wrote it: the
	// dashboard is cut out, not parsed again.
	if d, ok := bytes.CutPrefix(resp.Data, []byte(`{"dashboard":`)); ok && len(d) > 1 && !bytes.Equal(d, []byte("null}")) {
		data = d[:len(d)-1]
	}
	status, outcome := http.StatusOK, "success"
	switch {
	case string(data) == "null":
		outcome, status = "error", http.StatusServiceUnavailable
		if len(resp.Errors) > 0 {
			code, _ := resp.Errors[0].Extensions["code"].(string)
			status = apierror.Status(apierror.Code(code))
		}
	case len(resp.Errors) > 0:
		outcome = "partial_success"
	}
	errs := resp.Errors
	if errs == nil {
		errs = gqlerror.List{}
	}
	for _, e := range errs {
		e.Locations = nil // they point into a query the caller never wrote
	}
	encoded, err := json.Marshal(errs)
	if err != nil {
		apierror.WriteHTTP(w, http.StatusInternalServerError, apierror.Internal, "internal error")
		return
	}
	b := make([]byte, 0, len(`{"status":"partial_success","data":,"errors":}`)+len(data)+len(encoded)+1)
	b = append(append(b, `{"status":"`...), outcome...)
	b = append(append(b, `","data":`...), data...)
	b = append(append(b, `,"errors":`...), encoded...)
	b = append(b, '}', '\n')
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
