package simulator

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/acme/dashboard-gateway/contract"
)

// request is a parsed request: the kind of endpoint it reached and its
// validated arguments, or the error answer it gets.
type request struct {
	kind       contract.EndpointKind // zero: no endpoint
	id         string                // the path id
	ids        []string              // batch ids as sent
	limit      int
	unreadOnly bool

	status int    // non-zero: answer this error status ...
	errMsg string // ... with {"error": errMsg}
}

// Handler returns the http.Handler of one service's endpoints. It panics
// on an unknown service name. A Handler mounted elsewhere, say with
// httptest.NewServer, behaves as one served by [Simulator.Start], except
// that Close does not close its connections.
func (s *Simulator) Handler(service string) http.Handler {
	mustKnow(service)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serve(service, w, r)
	})
}

// route returns the endpoint of svc's declaration that the escaped path of
// a request names, and the escaped id the path holds where the endpoint's
// has "{id}"; false when it names none.
func route(svc contract.Service, escapedPath string) (contract.Endpoint, string, bool) {
	segs := strings.Split(escapedPath, "/")
	for _, e := range svc.Endpoints {
		want := strings.Split(e.Path, "/")
		if len(want) != len(segs) {
			continue
		}
		id, ok := "", true
		for i, w := range want {
			if w == "{id}" {
				id = segs[i]
			} else if w != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return e, id, true
		}
	}
	return contract.Endpoint{}, "", false
}

// parse validates a request to svc. Path first (404), then method (405),
// then the path id and the query (400).
func parse(svc contract.Service, r *http.Request) request {
	e, rawID, ok := route(svc, r.URL.EscapedPath())
	if !ok {
		return request{status: http.StatusNotFound, errMsg: "no such endpoint"}
	}
	req := request{kind: e.Kind}
	q := r.URL.Query()
	if e.Kind == contract.Batch {
		req.ids = splitIDs(q[e.IDs])
	}
	if r.Method != http.MethodGet {
		return request{kind: e.Kind, ids: req.ids, status: http.StatusMethodNotAllowed, errMsg: "method not allowed"}
	}
	fail := func(msg string) request {
		req.status, req.errMsg = http.StatusBadRequest, msg
		return req
	}
	if e.Kind == contract.Batch {
		if len(req.ids) < 1 || len(req.ids) > e.MaxIDs {
			return fail(fmt.Sprintf("%s must list 1 to %d comma-separated ids", e.IDs, e.MaxIDs))
		}
		for _, id := range req.ids {
			if !validID(id) {
				return fail(e.IDs + " must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -")
			}
		}
		return req
	}
	id, err := url.PathUnescape(rawID)
	if err != nil || !validID(id) {
		return fail("id must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -")
	}
	req.id = id
	for _, name := range e.Params {
		if msg := req.param(name, q[name]); msg != "" {
			return fail(msg)
		}
	}
	return req
}

// param reads the values of the query parameter name, one a user's
// resource declares, into req; it returns what is wrong with them, or "".
func (req *request) param(name string, values []string) string {
	switch name {
	case "limit":
		req.limit = 10
		if len(values) > 0 {
			n, err := strconv.Atoi(values[0])
			if err != nil || n < 0 || n > 100 {
				return "limit must be an integer from 0 to 100"
			}
			req.limit = n
		}
	case "unreadOnly":
		if len(values) > 0 {
			switch values[0] {
			case "true":
				req.unreadOnly = true
			case "false":
			default:
				return "unreadOnly must be true or false"
			}
		}
	default:
		return "the simulator cannot read the declared parameter " + name
	}
	return ""
}

// splitIDs joins the comma-separated lists of every ids parameter; nil if
// there is none.
func splitIDs(vals []string) []string {
	var ids []string
	for _, v := range vals {
		ids = append(ids, strings.Split(v, ",")...)
	}
	return ids
}

// validID reports whether id is an id as the contract defines them:
// 1 to 64 characters of [A-Za-z0-9_-].
func validID(id string) bool {
	if len(id) < 1 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// checkHeaders returns what is wrong with the contract's headers, or "".
func checkHeaders(h http.Header) string {
	if h.Get("X-Request-Id") == "" {
		return "missing X-Request-Id header"
	}
	if _, ok := timeoutBudget(h); !ok {
		return "X-Timeout-Ms must be an integer >= 1"
	}
	return ""
}
