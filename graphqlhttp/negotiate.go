package graphqlhttp

import (
	"mime"
	"strconv"
	"strings"
)

// The response media types of the GraphQL-over-HTTP specification.
const (
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaJSON            = "application/json"
)

// negotiate picks the response media type from an Accept header: the
// acceptable type with the highest q, application/graphql-response+json
// winning ties; */*, application/* and a missing header mean
// application/json (as the specification's audits expect of servers during
// the transition). multipart/mixed alone (incremental delivery) means
// application/json for every answer that is not incremental. It reports
// false when nothing acceptable is offered.
func negotiate(accept string) (string, bool) {
	if strings.TrimSpace(accept) == "" {
		return mediaJSON, true
	}
	best, bestQ := "", 0.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q, ok := quality(params)
		if !ok || q == 0 {
			continue
		}
		var candidate string
		switch mt {
		case mediaGraphQLResponse:
			candidate = mediaGraphQLResponse
		case mediaJSON, "*/*", "application/*":
			candidate = mediaJSON
		case mediaMultipart:
			// Only operations with @defer are answered in it; the others,
			// and request errors, in application/json.
			candidate, q = mediaJSON, q/2
		default:
			continue
		}
		if q > bestQ || q == bestQ && candidate == mediaGraphQLResponse {
			best, bestQ = candidate, q
		}
	}
	return best, best != ""
}

// quality returns the q parameter of a media range (1 when absent); ok is
// false when it is not a number from 0 to 1.
func quality(params map[string]string) (q float64, ok bool) {
	v, found := params["q"]
	if !found {
		return 1, true
	}
	q, err := strconv.ParseFloat(v, 64)
	return q, err == nil && q >= 0 && q <= 1
}
