package config

import (
	"fmt"
	"strings"
)

// CheckEnviron refuses environment variables (environ, as os.Environ
// gives them) that look like the gateway's service-URL or policy
// variables but are not one: a name ending in _URL or _POLICY within two
// edits of one of ours, such as ORDER_URL for ORDERS_URL. Read as nobody's,
// such a variable would leave its service simulated or its policy the
// default without a word. Other variables (DATABASE_URL) are not ours to
// judge.
func CheckEnviron(environ []string) error {
	var known []string
	for _, f := range FlagNames() {
		if n := EnvName(f); strings.HasSuffix(n, "_URL") || strings.HasSuffix(n, "_POLICY") {
			known = append(known, n)
		}
	}
	var errs []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasSuffix(name, "_URL") && !strings.HasSuffix(name, "_POLICY") {
			continue
		}
		best, bestDist := "", 3
		for _, k := range known {
			if k == name {
				best = ""
				break
			}
			if d := editDistance(name, k); d < bestDist {
				best, bestDist = k, d
			}
		}
		if best != "" {
			errs = append(errs, fmt.Sprintf("%s: not a setting of this gateway; did you mean %s?", name, best))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("environment: %s", strings.Join(errs, "; "))
	}
	return nil
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
