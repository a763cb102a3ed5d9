package simulator

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseBehavior parses the compact form of a [Behavior] used by flags: a
// comma-separated list of parts, each at most once, in any order:
//
//	latency=100ms..1s   uniform delay between two durations
//	latency=20ms        fixed delay
//	latency=lognormal:20ms:0.5  log-normal delay: median 20ms, σ 0.5
//	tail=2%:800ms       2% of calls take 800ms instead
//	fault=500@30%       30% of calls get fault 500
//	fault=503x2         the first 2 calls get fault 503, later ones none
//	fault=hang          every call hangs
//
// Shares are percentages ("30%") or fractions ("0.3") in (0, 1]; counts
// are whole numbers >= 1 (see [Behavior.FaultCalls]); a fault takes a
// share or a count, not both. The empty string is a healthy service.
// Errors name the part that is wrong.
func ParseBehavior(spec string) (Behavior, error) {
	var b Behavior
	seen := make(map[string]bool, 3)
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			if strings.TrimSpace(spec) == "" {
				continue
			}
			return Behavior{}, fmt.Errorf("behavior %q: empty part", spec)
		}
		key, val, ok := strings.Cut(part, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok {
			return Behavior{}, fmt.Errorf("behavior part %q: want key=value", part)
		}
		if seen[key] {
			return Behavior{}, fmt.Errorf("behavior part %q: %s given twice", part, key)
		}
		seen[key] = true
		var err error
		switch key {
		case "latency":
			b.Latency.Min, b.Latency.Max, b.Latency.Sigma, err = parseLatency(val)
		case "tail":
			b.Latency.TailShare, b.Latency.Tail, err = parseTail(val)
		case "fault":
			b.Fault, b.FaultRate, b.FaultCalls, err = parseFault(val)
		default:
			err = errors.New("unknown key (want latency, tail or fault)")
		}
		if err != nil {
			return Behavior{}, fmt.Errorf("behavior part %q: %w", part, err)
		}
	}
	return b, nil
}

// String returns b in the compact form [ParseBehavior] reads; for every
// behaviour ParseBehavior returns, parsing the result gives b back. Parts
// that have no effect (a tail with a zero share, a rate or a count without
// a fault, a rate beside a count) are left out, and the healthy behaviour
// is the empty string.
func (b Behavior) String() string {
	var parts []string
	l := b.Latency
	switch {
	case l.Sigma > 0:
		parts = append(parts, "latency=lognormal:"+l.Min.String()+":"+strconv.FormatFloat(l.Sigma, 'g', -1, 64))
	case l.Max > l.Min:
		parts = append(parts, "latency="+l.Min.String()+".."+l.Max.String())
	case l.Min != 0:
		parts = append(parts, "latency="+l.Min.String())
	}
	if l.TailShare > 0 {
		parts = append(parts, "tail="+formatShare(l.TailShare)+":"+l.Tail.String())
	}
	if b.Fault != FaultNone {
		f := "fault=" + string(b.Fault)
		switch {
		case b.FaultCalls > 0:
			f += "x" + strconv.Itoa(b.FaultCalls)
		case b.FaultRate > 0:
			f += "@" + formatShare(b.FaultRate)
		}
		parts = append(parts, f)
	}
	return strings.Join(parts, ",")
}

// parseLatency reads "lognormal:MEDIAN:SIGMA" or a range.
func parseLatency(s string) (lo, hi time.Duration, sigma float64, err error) {
	rest, ok := strings.CutPrefix(s, "lognormal:")
	if !ok {
		lo, hi, err = parseLatencyRange(s)
		return lo, hi, 0, err
	}
	median, sd, ok := strings.Cut(rest, ":")
	if !ok {
		return 0, 0, 0, errors.New("want lognormal:median:sigma, e.g. lognormal:20ms:0.5")
	}
	if lo, err = parseDelay(median); err != nil {
		return 0, 0, 0, err
	}
	sigma, err = strconv.ParseFloat(sd, 64)
	if err != nil || !(sigma > 0 && sigma <= 3) {
		return 0, 0, 0, fmt.Errorf("sigma %q: want a number in (0, 3]", sd)
	}
	return lo, 0, sigma, nil
}

// parseLatencyRange reads "D" (Max left zero) or "D1..D2".
func parseLatencyRange(s string) (lo, hi time.Duration, err error) {
	a, z, isRange := strings.Cut(s, "..")
	if lo, err = parseDelay(a); err != nil {
		return 0, 0, err
	}
	if !isRange {
		return lo, 0, nil
	}
	if hi, err = parseDelay(z); err != nil {
		return 0, 0, err
	}
	if hi < lo {
		return 0, 0, fmt.Errorf("maximum %s below minimum %s", hi, lo)
	}
	return lo, hi, nil
}

// parseTail reads "SHARE:D".
func parseTail(s string) (float64, time.Duration, error) {
	share, d, ok := strings.Cut(s, ":")
	if !ok {
		return 0, 0, errors.New("want share:duration, e.g. 2%:800ms")
	}
	f, err := parseShare(share)
	if err != nil {
		return 0, 0, err
	}
	tail, err := parseDelay(d)
	if err != nil {
		return 0, 0, err
	}
	return f, tail, nil
}

// parseFault reads "NAME", "NAME@SHARE" or "NAMExCOUNT".
func parseFault(s string) (Fault, float64, int, error) {
	name, share, hasShare := strings.Cut(s, "@")
	name, count, hasCount := cutCount(name)
	if hasShare {
		if _, _, shareCount := cutCount(share); shareCount {
			hasCount = true
		}
	}
	if hasShare && hasCount {
		return "", 0, 0, errors.New("a fault takes a share (@) or a count (x), not both")
	}
	f := Fault(strings.TrimSpace(name))
	if f == FaultNone || !f.valid() {
		return "", 0, 0, fmt.Errorf("unknown fault %q (want one of %s)", name, faultNames())
	}
	switch {
	case hasShare:
		rate, err := parseShare(share)
		if err != nil {
			return "", 0, 0, err
		}
		return f, rate, 0, nil
	case hasCount:
		n, err := strconv.Atoi(strings.TrimSpace(count))
		if err != nil || n < 1 {
			return "", 0, 0, fmt.Errorf("count %q is not a whole number >= 1", count)
		}
		return f, 0, n, nil
	}
	return f, 0, 0, nil
}

// cutCount splits "NAMExCOUNT" at its last x when NAME is a known fault or
// a share, so that a fault name holding an x would still read as a name.
func cutCount(s string) (before, count string, found bool) {
	i := strings.LastIndexByte(s, 'x')
	if i < 0 {
		return s, "", false
	}
	head := strings.TrimSpace(s[:i])
	if f := Fault(head); f != FaultNone && f.valid() {
		return s[:i], s[i+1:], true
	}
	if _, err := parseShare(head); err == nil {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

func faultNames() string {
	names := make([]string, len(faults))
	for i, f := range faults {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// parseDelay reads a non-negative duration.
func parseDelay(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	if d < 0 {
		return 0, fmt.Errorf("negative duration %s", d)
	}
	return d, nil
}

// parseShare reads "30%" or "0.3" as a share in (0, 1].
func parseShare(s string) (float64, error) {
	s = strings.TrimSpace(s)
	num, percent := strings.CutSuffix(s, "%")
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("share %q is not a number", s)
	}
	if percent {
		f /= 100
	}
	if !(f > 0 && f <= 1) {
		return 0, fmt.Errorf("share %q is not in (0%%, 100%%]", s)
	}
	return f, nil
}

// formatShare writes a share as the shortest percentage that parseShare
// reads back as exactly the same float.
func formatShare(f float64) string {
	for decimals := 0; decimals <= 20; decimals++ {
		s := strconv.FormatFloat(f*100, 'f', decimals, 64)
		if back, err := strconv.ParseFloat(s, 64); err == nil && back/100 == f {
			return s + "%"
		}
	}
	// Some shares have no percentage that divides back exactly.
	return strconv.FormatFloat(f, 'g', -1, 64)
}
