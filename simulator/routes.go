package simulator

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// endpoint names one operation of one service.
type endpoint int

const (
	noEndpoint endpoint = iota
	userProfile
	userProfiles // batch
	userOrders
	products // batch
	userRecommendations
	userNotifications
	userWallet
)

// request is a parsed request: the endpoint and its validated arguments,
// or the error answer it gets.
type request struct {
	endpoint   endpoint
	id         string   // the path id
	ids        []string // batch ids as sent
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

// route maps the escaped path of a request to an endpoint of svc and the
// escaped id in the path, if any.
func route(svc, escapedPath string) (endpoint, string) {
	segs := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	if len(segs) < 2 || segs[0] != "v1" {
		return noEndpoint, ""
	}
	switch {
	case svc == Catalog && len(segs) == 2 && segs[1] == "products":
		return products, ""
	case segs[1] != "users":
		return noEndpoint, ""
	case svc == Profile && len(segs) == 2:
		return userProfiles, ""
	case svc == Profile && len(segs) == 3:
		return userProfile, segs[2]
	case len(segs) != 4:
		return noEndpoint, ""
	}
	if segs[3] != svc {
		return noEndpoint, ""
	}
	switch svc {
	case Orders:
		return userOrders, segs[2]
	case Recommendations:
		return userRecommendations, segs[2]
	case Notifications:
		return userNotifications, segs[2]
	case Wallet:
		return userWallet, segs[2]
	}
	return noEndpoint, ""
}

// parse validates a request to svc. Path first (404), then method (405),
// then the path id and the query (400).
func parse(svc string, r *http.Request) request {
	ep, rawID := route(svc, r.URL.EscapedPath())
	if ep == noEndpoint {
		return request{status: http.StatusNotFound, errMsg: "no such endpoint"}
	}
	req := request{endpoint: ep}
	q := r.URL.Query()
	if ep == userProfiles || ep == products {
		req.ids = splitIDs(q["ids"])
	}
	if r.Method != http.MethodGet {
		return request{endpoint: ep, ids: req.ids, status: http.StatusMethodNotAllowed, errMsg: "method not allowed"}
	}
	fail := func(msg string) request {
		req.status, req.errMsg = http.StatusBadRequest, msg
		return req
	}
	switch ep {
	case userProfiles, products:
		if len(req.ids) < 1 || len(req.ids) > 100 {
			return fail("ids must list 1 to 100 comma-separated ids")
		}
		for _, id := range req.ids {
			if !validID(id) {
				return fail("ids must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -")
			}
		}
		return req
	}
	id, err := url.PathUnescape(rawID)
	if err != nil || !validID(id) {
		return fail("id must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -")
	}
	req.id = id
	if ep == userOrders || ep == userRecommendations || ep == userNotifications {
		req.limit = 10
		if v, ok := q["limit"]; ok {
			n, err := strconv.Atoi(v[0])
			if err != nil || n < 0 || n > 100 {
				return fail("limit must be an integer from 0 to 100")
			}
			req.limit = n
		}
	}
	if ep == userNotifications {
		if v, ok := q["unreadOnly"]; ok {
			switch v[0] {
			case "true":
				req.unreadOnly = true
			case "false":
			default:
				return fail("unreadOnly must be true or false")
			}
		}
	}
	return req
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
