// Package prometheus tests the Prometheus rules (rules.yaml) and the
// Grafana dashboard (../grafana) shipped for the gateway: promtool checks
// and unit-tests the rules, a real Prometheus scrapes a real gateway and
// evaluates them, and every metric either names is one the gateway
// exports. It holds tests only.
package prometheus

import (
	"slices"
	"strings"
)

// selector is one metric name in a PromQL expression with the labels its
// matchers name (e.g. gateway_requests_total{status=~"5.."}: status).
type selector struct {
	metric string
	labels []string
}

// notMetrics are the PromQL words an identifier may be that name no
// metric: keywords, and aggregations written before "by" or "without".
var notMetrics = []string{"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
	"group_left", "group_right", "inf", "nan", "sum", "min", "max", "avg", "count", "stddev", "stdvar",
	"topk", "bottomk", "quantile", "count_values", "group"}

// labelLists are the keywords followed by a list of label names.
var labelLists = []string{"by", "without", "on", "ignoring", "group_left", "group_right"}

// selectors returns the metric selectors of expr, a PromQL expression that
// may hold Grafana variables ($__rate_interval, ${service}). It is a
// small lexer, not a parser: an identifier followed by "(" is a function,
// words of notMetrics are skipped, ranges ([5m]) and label lists (by (x))
// are skipped, and any other identifier is a metric name.
func selectors(expr string) []selector {
	var out []selector
	s := expr
	prevKeyword := "" // the last identifier, when it takes a label list
	for len(s) > 0 {
		c := s[0]
		switch {
		case c == '$': // a Grafana variable
			s = s[1:]
			if strings.HasPrefix(s, "{") {
				s = skipPast(s, '}')
			} else {
				s = s[identLen(s):]
			}
		case c == '"' || c == '\'' || c == '`':
			s = s[stringLen(s):]
		case c == '[':
			s = skipPast(s, ']')
		case c == '(' && prevKeyword != "":
			s = skipPast(s, ')')
			prevKeyword = ""
		case c == '{': // matchers without a metric name
			labels, n := matchers(s)
			out = append(out, selector{labels: labels})
			s = s[n:]
		case c >= '0' && c <= '9' || c == '.':
			n := 1
			for n < len(s) && (isIdent(s[n]) || s[n] == '.') {
				n++
			}
			s = s[n:]
		case isIdent(c):
			n := identLen(s)
			word := s[:n]
			s = s[n:]
			rest := strings.TrimLeft(s, " \t\n")
			prevKeyword = ""
			switch {
			case slices.Contains(labelLists, strings.ToLower(word)):
				prevKeyword = word
			case strings.HasPrefix(rest, "("), slices.Contains(notMetrics, strings.ToLower(word)):
			default:
				sel := selector{metric: word}
				if strings.HasPrefix(rest, "{") {
					labels, n := matchers(rest)
					sel.labels = labels
					s = rest[n:]
				}
				out = append(out, sel)
			}
		default:
			s = s[1:]
		}
	}
	return out
}

// matchers returns the label names of the matchers s starts with
// ({a="x", b=~"y"}) and their length.
func matchers(s string) (labels []string, n int) {
	i := 1
	for i < len(s) && s[i] != '}' {
		switch c := s[i]; {
		case c == '"' || c == '\'' || c == '`':
			i += stringLen(s[i:])
		case isIdent(c):
			l := identLen(s[i:])
			labels = append(labels, s[i:i+l])
			i += l
		default:
			i++
		}
	}
	return labels, min(i+1, len(s))
}

func isIdent(c byte) bool {
	return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func identLen(s string) int {
	n := 0
	for n < len(s) && isIdent(s[n]) {
		n++
	}
	return n
}

// stringLen is the length of the quoted string s starts with, quotes
// included; backslash escapes count in "..." and '...'.
func stringLen(s string) int {
	q := s[0]
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '\\' && q != '`':
			i++
		case s[i] == q:
			return i + 1
		}
	}
	return len(s)
}

// skipPast returns what follows the first b in s, or "" without one.
func skipPast(s string, b byte) string {
	if i := strings.IndexByte(s, b); i >= 0 {
		return s[i+1:]
	}
	return ""
}
