package downstream

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/acme/dashboard-gateway/contract"
)

// The contract has two kinds of endpoint (contract.EndpointKind), and each
// service's declaration (contract.Services) gives the paths and parameter
// names of its own: a batch, GET path?ids=a,b,c, whose answer lists the
// items found; and a user's resource, GET /v1/users/{userID}/..., some of
// them lists cut to ?limit=N.

// getBatch calls c's batch endpoint for ids and keys the items of its
// answer (items picks them) by id. No ids, no call. Items are kept in the
// response cache one by one (see each); with perUser each id is a user's.
func getBatch[R any, PR interface {
	*R
	response
}, T any](ctx context.Context, c *client, op string, ids []string, perUser bool, items func(*R) []*T, id func(*T) string) (map[string]*T, error) {
	e := c.endpoint(contract.Batch)
	return each(ctx, c, op, ids, perUser, func(ctx context.Context, ids []string) (map[string]*T, error) {
		if len(ids) == 0 {
			return map[string]*T{}, nil
		}
		query, err := c.idsQuery(op, e, ids)
		if err != nil {
			return nil, err
		}
		r, err := fetch[R, PR](ctx, c, op, e.Path, e.Path, query, nil, false)
		if err != nil {
			return nil, err
		}
		list := items(r)
		out := make(map[string]*T, len(list))
		for _, v := range list {
			out[id(v)] = v
		}
		return out, nil
	})
}

// getUser calls c's resource of userID, GET /v1/users/{userID}...?query
// (see fetch); the answer is about userID.
func getUser[T any, PT interface {
	*T
	response
}](ctx context.Context, c *client, op, userID, query string, notFound bool) (*T, error) {
	path, err := c.userPath(op, userID)
	if err != nil {
		return nil, err
	}
	return fetch[T, PT](ctx, c, op, c.endpoint(contract.PerUser).Path, path, query, []string{userID}, notFound)
}

// getUserList calls a user's list, GET /v1/users/{userID}/...?limit=N,
// and returns at most limit of its items (items picks them). An unknown
// user has none.
func getUserList[R any, PR interface {
	*R
	response
}, T any](ctx context.Context, c *client, op, userID string, limit int, items func(*R) []*T) ([]*T, error) {
	r, err := getUser[R, PR](ctx, c, op, userID, "limit="+strconv.Itoa(limit), false)
	if err != nil {
		return nil, err
	}
	list := items(r)
	return list[:min(len(list), limit)], nil
}

// endpoint returns c's endpoint of kind k. A typed method calling an
// endpoint its service does not declare is a bug that any call shows.
func (c *client) endpoint(k contract.EndpointKind) contract.Endpoint {
	e, ok := c.decl.Endpoint(k)
	if !ok {
		panic(fmt.Sprintf("downstream: contract.Services declares no endpoint of kind %d for the %s service", k, c.service))
	}
	return e
}

// The requests below are checked before any URL is built from client
// input: an id reaches a path or a list only in the contract's format (so it
// can hold no '.', '/', '%' or ','), and a batch never carries more than
// its endpoint's MaxIDs ids. What fails is KindInvalidRequest: no call is
// made and the service's breaker does not hear of it.

// userPath returns the path of c's resource of userID: its declared path
// with userID for "{id}".
func (c *client) userPath(op, userID string) (string, error) {
	if !contract.ValidID(userID) {
		return "", c.fail(op, KindInvalidRequest, 0, fmt.Errorf("user id %s is not of the contract's format", quote(userID)))
	}
	return strings.Replace(c.endpoint(contract.PerUser).Path, "{id}", userID, 1), nil
}

// idsQuery returns "ids=a,b,c" for a batch call to e (with e's parameter
// name), with literal commas as the contract shows.
func (c *client) idsQuery(op string, e contract.Endpoint, ids []string) (string, error) {
	if len(ids) > e.MaxIDs {
		return "", c.fail(op, KindInvalidRequest, 0, fmt.Errorf("%d ids in one batch; the contract allows %d", len(ids), e.MaxIDs))
	}
	n := len(e.IDs) + 1
	for _, id := range ids {
		if !contract.ValidID(id) {
			return "", c.fail(op, KindInvalidRequest, 0, fmt.Errorf("id %s is not of the contract's format", quote(id)))
		}
		n += len(id) + 1
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(e.IDs)
	b.WriteByte('=')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(id)
	}
	return b.String(), nil
}

// quote quotes an id for a log line, cut to a sensible length.
func quote(s string) string {
	const keep = 80
	if len(s) > keep {
		return strconv.Quote(s[:keep]) + "..."
	}
	return strconv.Quote(s)
}
