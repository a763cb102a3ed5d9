package graphqlhttp

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net/http"

	"github.com/acme/dashboard-gateway/apierror"
)

// Defaults of InputLimits. A real request needs far less: the schema
// takes scalars and lists of ids only (nesting 2), and at most 10 root
// fields of 50 ids each (about 500 values, 35 KB); extensions hold a
// persisted-query hash and a few flags.
const (
	DefaultMaxVariablesBytes  = 64 << 10
	DefaultMaxExtensionsBytes = 16 << 10
	DefaultMaxJSONValues      = 2000
	DefaultMaxJSONDepth       = 10
)

// MaxJSONDepthCeiling is the highest MaxJSONDepth that makes sense: the
// scanner recurses once per level, and encoding/json refuses 10,000.
const MaxJSONDepthCeiling = 1000

// The reasons (extensions.reason) of the BAD_USER_INPUT errors of
// InputLimits.
const (
	ReasonVariablesBytes  = "variables_bytes"
	ReasonExtensionsBytes = "extensions_bytes"
	ReasonJSONValues      = "json_values"
	ReasonJSONDepth       = "json_depth"
)

// InputLimits bound the JSON of a request's "variables" and "extensions"
// while it is decoded, before anything is built from it (no map, no
// coercion): a request over one costs a scan of the bytes up to the limit.
// They apply over POST and GET alike, before either executor (gqlgen's or
// the fast path) sees the request. Zero fields take their defaults.
type InputLimits struct {
	// MaxVariablesBytes bounds the length of "variables" as sent (JSON
	// text; over GET, after URL decoding). Default 64 KiB.
	MaxVariablesBytes int
	// MaxExtensionsBytes bounds the length of "extensions" as sent.
	// Default 16 KiB.
	MaxExtensionsBytes int
	// MaxJSONValues bounds the JSON values of "variables", of
	// "extensions", and of any other member of a POST body, each: the
	// value itself and every element and member within it, so
	// {"ids":["u1","u2"]} is 4. Default 2,000.
	MaxJSONValues int
	// MaxJSONDepth bounds how deeply arrays and objects nest in the same
	// values; {"ids":["u1"]} nests 2. Default 10; at most
	// MaxJSONDepthCeiling.
	MaxJSONDepth int
}

func (l InputLimits) withDefaults() InputLimits {
	l.MaxVariablesBytes = cmp.Or(l.MaxVariablesBytes, DefaultMaxVariablesBytes)
	l.MaxExtensionsBytes = cmp.Or(l.MaxExtensionsBytes, DefaultMaxExtensionsBytes)
	l.MaxJSONValues = cmp.Or(l.MaxJSONValues, DefaultMaxJSONValues)
	l.MaxJSONDepth = min(cmp.Or(l.MaxJSONDepth, DefaultMaxJSONDepth), MaxJSONDepthCeiling)
	return l
}

// param returns the bounds of the parameter name ("variables",
// "extensions" or another member of a POST body).
func (l InputLimits) param(name string) bounds {
	b := bounds{values: l.MaxJSONValues, depth: l.MaxJSONDepth}
	switch name {
	case "variables":
		b.bytes = l.MaxVariablesBytes
	case "extensions":
		b.bytes = l.MaxExtensionsBytes
	}
	return b
}

// check bounds the JSON text of the parameter name (over GET) as
// checkBody does the members of a POST body, so that the same text meets
// the same limit first; a syntax error is left to the decoding that
// follows, which names it.
func (l InputLimits) check(name string, text []byte) error {
	b := l.param(name)
	if _, res := scanValue(text, 0, b); res != scanOK && res != scanSyntax {
		return refusal(name, res, b)
	}
	return nil
}

// members are the raw JSON texts of a POST body's parameters, each the
// last member whose key encoding/json would decode into it (nil: absent).
type members struct {
	query, operationName, documentID, variables, extensions []byte
}

// scanBody bounds every member of a POST body, a JSON object (its first
// byte is '{'), in one pass that stops at the first member over a limit,
// and returns the parameters' texts and where the object ends. It reports
// the body's syntax errors as the decoding would.
func (l InputLimits) scanBody(data []byte) (m members, end int, err error) {
	s := scanner{data: data, pos: 1}
	s.space()
	if s.pos < len(data) && data[s.pos] == '}' {
		return m, s.pos + 1, nil
	}
	for {
		keyStart := s.pos
		if s.pos >= len(data) || data[s.pos] != '"' || s.str() != scanOK {
			return m, 0, errNotJSON()
		}
		name := memberName(data[keyStart:s.pos])
		s.space()
		if s.pos >= len(data) || data[s.pos] != ':' {
			return m, 0, errNotJSON()
		}
		s.pos++
		s.space()
		b := l.param(name)
		start := s.pos
		end, res := scanValue(data, s.pos, b)
		switch res {
		case scanOK:
		case scanSyntax:
			return m, 0, errNotJSON()
		default:
			if name != "variables" && name != "extensions" {
				name = "" // named as before: "a member of the request body"
			}
			return m, 0, refusal(name, res, b)
		}
		if dst := m.param(name); dst != nil {
			*dst = data[start:end]
		}
		s.pos = end
		s.space()
		if s.pos >= len(data) {
			return m, 0, errNotJSON()
		}
		switch data[s.pos] {
		case ',':
			s.pos++
			s.space()
		case '}':
			return m, s.pos + 1, nil
		default:
			return m, 0, errNotJSON()
		}
	}
}

// param returns where the text of the parameter name goes; nil for "".
func (m *members) param(name string) *[]byte {
	switch name {
	case "query":
		return &m.query
	case "operationName":
		return &m.operationName
	case "documentId":
		return &m.documentID
	case "variables":
		return &m.variables
	case "extensions":
		return &m.extensions
	}
	return nil
}

// memberName returns the parameter ("query", "operationName",
// "documentId", "variables" or "extensions") that encoding/json would
// decode a key (JSON text, quoted) into: it matches keys without regard to
// case, after unescaping; "" for any other key. A key longer than
// maxMemberKey cannot be one, and is not unescaped.
func memberName(key []byte) string {
	if len(key) > maxMemberKey {
		return ""
	}
	if bytes.IndexByte(key, '\\') >= 0 {
		var k string
		if json.Unmarshal(key, &k) != nil {
			return ""
		}
		key = []byte(k)
	} else {
		key = key[1 : len(key)-1]
	}
	for _, name := range [...]string{"query", "operationName", "documentId", "variables", "extensions"} {
		if bytes.EqualFold(key, []byte(name)) {
			return name
		}
	}
	return ""
}

// maxMemberKey is the longest key (JSON text, quoted) that can name a
// parameter: each of operationName's 13 letters escaped as \uXXXX.
const maxMemberKey = 2 + 13*6

// refusal is the BAD_USER_INPUT error of the parameter name (""
// for another member of a POST body) over the limit res names.
func refusal(name string, res scanResult, b bounds) error {
	what := "a member of the request body"
	if name != "" {
		what = `"` + name + `"`
	}
	var e *apierror.Error
	switch res {
	case scanBytes:
		e = apierror.Errorf(apierror.BadUserInput, "%s is longer than the limit of %d bytes", what, b.bytes)
		e.Reason = ReasonVariablesBytes
		if name == "extensions" {
			e.Reason = ReasonExtensionsBytes
		}
	case scanValues:
		e = apierror.Errorf(apierror.BadUserInput, "%s holds more than the limit of %d JSON values (arrays, objects and their elements and members)", what, b.values)
		e.Reason = ReasonJSONValues
	default:
		e = apierror.Errorf(apierror.BadUserInput, "%s nests arrays and objects deeper than the limit of %d", what, b.depth)
		e.Reason = ReasonJSONDepth
	}
	// Refused while the request was read, as a malformed one is: 400
	// under either media type.
	e.HTTPStatus = http.StatusBadRequest
	return e
}

func errNotJSON() error { return badRequest("the request body is not valid JSON") }
