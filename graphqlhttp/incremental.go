package graphqlhttp

import (
	"mime"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Incremental delivery (@defer) has two formats on the wire, both in
// multipart/mixed; the client's Accept header picks one:
//
//   - the 2022 format (deferSpec=20220824: Apollo Client 3, Apollo Client
//     4's Defer20220824Handler, urql, Apollo Router): the initial payload
//     {"data", "errors", "hasNext": true}, then
//     {"incremental": [{"data", "path", "label", "errors", "extensions"}], "hasNext"};
//   - the format of graphql-js 17.0.0-alpha.9 (incrementalSpec=v0.2: Apollo
//     Client 4's GraphQL17Alpha9Handler, Apollo Server 5.1+): the initial
//     payload announces every part to come, {"data", "errors",
//     "pending": [{"id", "path", "label"}], "hasNext": true}; then
//     {"incremental": [{"id", "data", "errors", "extensions"}],
//     "completed": [{"id", "errors"}], "hasNext"}, a part naming its
//     announcement by id.
//
// The second needs the executor to announce the parts with the first
// response (PendingExtension); when it does not, or when the client takes
// no multipart/mixed, the parts are merged into one JSON answer (merge.go).

// PendingExtension is the key, in the Extensions of the first response of
// an operation answered incrementally (HasNext true), under which its
// executor announces every part that will follow, as a []Pending. The
// handler removes the key before writing anything, whatever the format.
// An executable schema run by gqlgen's executor.Executor registers it with
// graphql.RegisterExtension on the context its ResponseHandler is called
// with for the first response: the Executor replaces each response's
// Extensions with those registered there.
//
// An executor that announces its parts promises that every later response
// has the Path and Label of exactly one announced Pending ((Path, Label)
// pairs are unique in an operation), and that a later response whose Data
// is null (or empty) is a deferred fragment that failed as a whole, its
// Errors saying why. Without the announcement (gqlgen's own executor), the
// parts cannot go out in the incrementalSpec=v0.2 format: a client asking
// for it gets one JSON answer with every part merged in.
const PendingExtension = "graphqlhttp.pending"

// BatchExtension is the key, in the Extensions of a later response, under
// which an executor hands over further parts that were ready with it, as
// a []*graphql.Response in order: a batch of parts then costs one trip
// through gqlgen's response chain rather than one each. The batch's
// HasNext is the response's; each carried part has its own Data, Path,
// Label and Errors. The handler removes the key before writing anything;
// a response interceptor that looks at every part's errors finds the
// carried ones with Batch.
const BatchExtension = "graphqlhttp.batch"

// Batch returns the parts r carries besides itself (BatchExtension),
// leaving r as it is.
func Batch(r *graphql.Response) []*graphql.Response {
	if r == nil {
		return nil
	}
	more, _ := r.Extensions[BatchExtension].([]*graphql.Response)
	return more
}

// unbatch appends r and the parts it carries to out, the key removed from
// r: every part but the last has HasNext true, the last r's HasNext.
func unbatch(out []*graphql.Response, r *graphql.Response) []*graphql.Response {
	more := Batch(r)
	if more == nil {
		return append(out, r)
	}
	delete(r.Extensions, BatchExtension)
	if len(r.Extensions) == 0 {
		r.Extensions = nil
	}
	hasNext := r.HasNext
	yes := true
	r.HasNext = &yes
	out = append(out, r)
	for i, m := range more {
		m.HasNext = &yes
		if i == len(more)-1 {
			m.HasNext = hasNext
		}
		out = append(out, m)
	}
	return out
}

// Pending is one part of an operation announced with its first response:
// the deferred fragment labelled Label ("": none) of the object at Path.
type Pending struct {
	Path  ast.Path
	Label string
}

// takePending removes the announcement from r's Extensions and returns it;
// ok reports whether r had one.
func takePending(r *graphql.Response) (pending []Pending, ok bool) {
	if r == nil {
		return nil, false
	}
	v, found := r.Extensions[PendingExtension]
	if !found {
		return nil, false
	}
	delete(r.Extensions, PendingExtension)
	if len(r.Extensions) == 0 {
		r.Extensions = nil
	}
	pending, ok = v.([]Pending)
	return pending, ok
}

// format is an incremental delivery format a client may ask for.
type format int

const (
	noIncremental  format = iota
	defer2022             // deferSpec=20220824
	incrementalV02        // incrementalSpec=v0.2
)

// The values of the media type parameters naming each format.
const (
	deferSpec       = "20220824"
	incrementalSpec = "v0.2"
)

// AcceptsIncremental reports whether an Accept header takes incremental
// delivery in a format this handler writes: multipart/mixed with no
// parameter naming a format, deferSpec=20220824, or incrementalSpec=v0.2.
func AcceptsIncremental(accept string) bool {
	return incrementalFormat(accept) != noIncremental
}

// NeedsPending reports whether the incremental format an Accept header
// asks for (incrementalSpec=v0.2) announces the parts in its first
// payload, and so needs PendingExtension; without it the executor may
// save itself the announcement.
func NeedsPending(accept string) bool {
	return incrementalFormat(accept) == incrementalV02
}

// incrementalFormat returns the format an Accept header prefers: that of
// its multipart/mixed range with the highest q, incrementalSpec=v0.2 on a
// tie (the current format; a range without parameters names the 2022 one).
func incrementalFormat(accept string) format {
	best, bestQ := noIncremental, 0.0
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || mt != mediaMultipart {
			continue
		}
		q, ok := quality(params)
		if !ok || q == 0 {
			continue
		}
		f := defer2022
		if spec, named := params["incrementalspec"]; named {
			if spec != incrementalSpec {
				continue
			}
			f = incrementalV02
		} else if spec, named := params["deferspec"]; named && spec != deferSpec {
			continue
		}
		if q > bestQ || q == bestQ && f == incrementalV02 {
			best, bestQ = f, q
		}
	}
	return best
}
