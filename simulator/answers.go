package simulator

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/acme/dashboard-gateway/contract"
)

// answer returns the healthy answer of service svc to req: its status and
// JSON body. Each service's answers are written here by hand, from its
// data functions; which endpoint req reached, and its arguments, come from
// the service's declaration (see parse).
func (s *Simulator) answer(svc string, req request) (int, []byte) {
	if req.status != 0 {
		return req.status, errorBody(req.errMsg)
	}
	switch svc {
	case Profile:
		if req.kind == contract.Batch {
			return http.StatusOK, mustJSON(struct {
				Users []UserProfile `json:"users"`
			}{batch(s, svc, req.ids, ProfileOf)})
		}
		return found(ProfileOf(req.id))
	case Catalog:
		return http.StatusOK, mustJSON(struct {
			Products []Product `json:"products"`
		}{batch(s, svc, req.ids, ProductOf)})
	case Orders:
		return http.StatusOK, mustJSON(struct {
			Orders []Order `json:"orders"`
		}{limited(OrdersOf(req.id), req.limit)})
	case Recommendations:
		return http.StatusOK, mustJSON(struct {
			Items []Recommendation `json:"items"`
		}{limited(RecommendationsOf(req.id), req.limit)})
	case Notifications:
		return http.StatusOK, notificationsBody(NotificationsOf(req.id), req.limit, req.unreadOnly)
	case Wallet:
		return found(WalletOf(req.id))
	case Shipping:
		return http.StatusOK, mustJSON(struct {
			Shipments []Shipment `json:"shipments"`
		}{batch(s, svc, req.ids, ShipmentOf)})
	}
	return http.StatusNotFound, errorBody("no such endpoint")
}

// found answers a user's resource: v, or 404 for an unknown user.
func found[T any](v T, ok bool) (int, []byte) {
	if !ok {
		return http.StatusNotFound, errorBody("user not found")
	}
	return http.StatusOK, mustJSON(v)
}

// notificationsBody counts the unread among all notifications, then
// filters and limits the items.
func notificationsBody(all []Notification, limit int, unreadOnly bool) []byte {
	body := struct {
		UnreadCount int            `json:"unreadCount"`
		Items       []Notification `json:"items"`
	}{Items: make([]Notification, 0, limit)}
	for _, n := range all {
		if n.Read {
			continue
		}
		body.UnreadCount++
	}
	for _, n := range all {
		if len(body.Items) == limit {
			break
		}
		if !unreadOnly || !n.Read {
			body.Items = append(body.Items, n)
		}
	}
	return mustJSON(body)
}

// batch looks up each distinct id once and returns what exists, never nil,
// in an order drawn from the stream of svc (see shuffle).
func batch[T any](s *Simulator, svc string, ids []string, lookup func(string) (T, bool)) []T {
	found := make([]T, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if v, ok := lookup(id); ok {
			found = append(found, v)
		}
	}
	s.shuffle(svc, len(found), func(i, j int) { found[i], found[j] = found[j], found[i] })
	return found
}

// limited returns at most limit elements of all, never nil.
func limited[T any](all []T, limit int) []T {
	if len(all) > limit {
		return all[:limit]
	}
	if all == nil {
		return []T{}
	}
	return all
}

// shuffle permutes n elements with the stream of svc, the service whose
// batch endpoint answers them.
func (s *Simulator) shuffle(svc string, n int, swap func(i, j int)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.services[svc].rng.Shuffle(n, swap)
}

// mustJSON marshals values that cannot fail to marshal.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("simulator: marshal: " + err.Error())
	}
	return b
}

// errorBody returns {"error": msg}.
func errorBody(msg string) []byte {
	return mustJSON(struct {
		Error string `json:"error"`
	}{msg})
}

// writeBody writes a complete JSON answer.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if status == http.StatusMethodNotAllowed {
		h.Set("Allow", http.MethodGet)
	}
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck // the caller is gone; nothing to do
}

// writeError writes {"error": msg} with status.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeBody(w, status, errorBody(msg))
}
