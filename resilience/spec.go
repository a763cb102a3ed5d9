package resilience

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParsePolicy reads a compact spec over base, as flags and environment
// variables give it: comma-separated key=value pairs, e.g.
// "timeout=300ms,attempts=3,hedge=auto". Keys: timeout (a duration, or
// deadline: the time the request leaves), attempts, backoff,
// backoff-max, retry-ratio, retry-min, breaker-window, breaker-min-calls,
// breaker-ratio, breaker-consecutive, breaker-open, breaker-probes,
// max-in-flight, share, hedge (off, a delay, or auto; p95 is auto's former name), hedge-ratio, hedge-min, dedupe (on or
// off), layers (on, or off to bypass them all). Ratios take "20%" or "0.2".
// Errors name the bad pair.
func ParsePolicy(spec string, base Policy) (Policy, error) {
	p := base
	for _, pair := range strings.Split(spec, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		key, value, ok := strings.Cut(pair, "=")
		if !ok {
			return base, fmt.Errorf("%q: want key=value", pair)
		}
		if err := p.set(strings.TrimSpace(key), strings.TrimSpace(value)); err != nil {
			return base, fmt.Errorf("%q: %w", pair, err)
		}
	}
	return p, p.Validate()
}

func (p *Policy) set(key, v string) error {
	switch key {
	case "timeout":
		if v == "deadline" {
			p.Timeout = 0
			return nil
		}
		return parseDuration(v, &p.Timeout)
	case "attempts":
		return parseInt(v, &p.Attempts)
	case "backoff":
		return parseDuration(v, &p.Backoff)
	case "backoff-max":
		return parseDuration(v, &p.BackoffMax)
	case "retry-ratio":
		return parseRatio(v, &p.RetryRatio)
	case "retry-min":
		return parseInt(v, &p.RetryMin)
	case "breaker-window":
		return parseDuration(v, &p.BreakerWindow)
	case "breaker-min-calls":
		return parseInt(v, &p.BreakerMinCalls)
	case "breaker-ratio":
		return parseRatio(v, &p.BreakerRatio)
	case "breaker-consecutive":
		return parseInt(v, &p.BreakerConsecutive)
	case "breaker-open":
		return parseDuration(v, &p.BreakerOpen)
	case "breaker-probes":
		return parseInt(v, &p.BreakerProbes)
	case "max-in-flight":
		return parseInt(v, &p.MaxInFlight)
	case "share":
		return parseRatio(v, &p.MaxShare)
	case "hedge":
		switch v {
		case "off":
			p.Hedge, p.HedgeAdaptive = 0, false
			return nil
		case "auto", "p95": // p95: its name before the delay became the budget's percentile
			p.HedgeAdaptive = true
			return nil
		}
		p.HedgeAdaptive = false
		return parseDuration(v, &p.Hedge)
	case "hedge-ratio":
		return parseRatio(v, &p.HedgeRatio)
	case "hedge-min":
		return parseInt(v, &p.HedgeMin)
	case "dedupe":
		on, err := parseOnOff(v)
		p.NoDedupe = !on
		return err
	case "layers":
		on, err := parseOnOff(v)
		p.Off = !on
		return err
	}
	return fmt.Errorf("unknown key %q", key)
}

// String returns p, defaults filled in, in the spec form ParsePolicy reads.
func (p Policy) String() string {
	d := p.withDefaults()
	hedge := "off"
	switch {
	case d.HedgeAdaptive:
		hedge = "auto"
	case d.Hedge > 0:
		hedge = d.Hedge.String()
	}
	dedupe, layers := "on", "on"
	if d.NoDedupe {
		dedupe = "off"
	}
	if d.Off {
		layers = "off"
	}
	timeout := "deadline"
	if d.Timeout > 0 {
		timeout = d.Timeout.String()
	}
	return fmt.Sprintf("timeout=%s,attempts=%d,backoff=%s,backoff-max=%s,retry-ratio=%s,retry-min=%d,"+
		"breaker-window=%s,breaker-min-calls=%d,breaker-ratio=%s,breaker-consecutive=%d,breaker-open=%s,breaker-probes=%d,"+
		"max-in-flight=%d,share=%s,hedge=%s,hedge-ratio=%s,hedge-min=%d,dedupe=%s,layers=%s",
		timeout, d.Attempts, d.Backoff, d.BackoffMax, percent(d.RetryRatio), d.RetryMin,
		d.BreakerWindow, d.BreakerMinCalls, percent(d.BreakerRatio), d.BreakerConsecutive, d.BreakerOpen, d.BreakerProbes,
		d.MaxInFlight, percent(d.MaxShare), hedge, percent(d.HedgeRatio), d.HedgeMin, dedupe, layers)
}

func percent(r float64) string { return strconv.FormatFloat(r*100, 'f', -1, 64) + "%" }

func parseDuration(v string, dst *time.Duration) error {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("want a duration like 250ms")
	}
	*dst = d
	return nil
}

func parseInt(v string, dst *int) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return fmt.Errorf("want a whole number >= 0")
	}
	*dst = n
	return nil
}

func parseRatio(v string, dst *float64) error {
	scale := 1.0
	if s, ok := strings.CutSuffix(v, "%"); ok {
		v, scale = s, 100
	}
	r, err := strconv.ParseFloat(v, 64)
	if err != nil || r < 0 || r/scale > 1 {
		return fmt.Errorf("want a share like 20%% or 0.2")
	}
	*dst = r / scale
	return nil
}

func parseOnOff(v string) (bool, error) {
	switch v {
	case "on", "true":
		return true, nil
	case "off", "false":
		return false, nil
	}
	return false, fmt.Errorf("want on or off")
}
