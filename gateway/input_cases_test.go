package gateway_test

import (
	"net/url"
	"strings"
)

// decodeCase is a request whose variables or extensions are built to
// cost the gateway while they are decoded: the red team's cases. size is
// about how many bytes of JSON the costly parameter has.
type decodeCase struct {
	name       string
	query      string
	variables  string // JSON text; "" for none
	extensions string // JSON text; "" for none
	reason     string // extensions.reason of the BAD_USER_INPUT refusal
}

// idsQuery takes its ids from $a.
const idsQuery = `query($a: [ID!]!) { dashboards(userIds: $a) { userId } }`

// repeatJSON returns n copies of item, comma separated.
func repeatJSON(item string, n int) string {
	return strings.TrimSuffix(strings.Repeat(item+",", n), ",")
}

// decodeCases are the red team's cases at about size bytes of JSON each
// (250 KB in the finding; less over GET, whose query string the server
// caps at -max-header-bytes) and deep nesting of depth brackets.
func decodeCases(size, depth int) []decodeCase {
	lists := "[" + repeatJSON(`[[0,1],[2,3]]`, size/14) + "]"
	objects := "{" + repeatJSON(`"k":{"a":{"b":1}}`, size/18) + "}"
	deep := strings.Repeat("[", depth) + strings.Repeat("]", depth)
	return []decodeCase{
		{name: "long list of ids", query: idsQuery, variables: `{"a":[` + repeatJSON("1", size/2) + "]}", reason: "json_values"},
		{name: "unused nested lists in variables", query: idsQuery, variables: `{"a":["u1"],"junk":` + lists + "}", reason: "json_values"},
		{name: "unused nested objects in variables", query: idsQuery, variables: `{"a":["u1"],"junk":` + objects + "}", reason: "json_values"},
		{name: "unused nested lists in extensions", query: "{ __typename }", extensions: `{"junk":` + lists + "}", reason: "json_values"},
		{name: "unused nested objects in extensions", query: "{ __typename }", extensions: `{"junk":` + objects + "}", reason: "json_values"},
		{name: "deep nesting in variables", query: idsQuery, variables: `{"a":["u1"],"junk":` + deep + "}", reason: "json_depth"},
		{name: "deep nesting in extensions", query: "{ __typename }", extensions: `{"junk":` + deep + "}", reason: "json_depth"},
		{name: "long string in variables", query: idsQuery, variables: `{"a":["u1"],"junk":"` + strings.Repeat("x", size) + `"}`, reason: "variables_bytes"},
		{name: "long string in extensions", query: "{ __typename }", extensions: `{"junk":"` + strings.Repeat("x", size) + `"}`, reason: "extensions_bytes"},
	}
}

// body is the input as a POST body.
func (in decodeCase) body() string {
	b := `{"query":` + jsonBody(in.query)
	if in.variables != "" {
		b += `,"variables":` + in.variables
	}
	if in.extensions != "" {
		b += `,"extensions":` + in.extensions
	}
	return b + "}"
}

// target is the input as a GET's path and query string.
func (in decodeCase) target() string {
	v := url.Values{"query": {in.query}}
	if in.variables != "" {
		v.Set("variables", in.variables)
	}
	if in.extensions != "" {
		v.Set("extensions", in.extensions)
	}
	return "/query?" + v.Encode()
}
