package downstream

import (
	"fmt"
	"strings"
	"time"

	"github.com/acme/dashboard-gateway/resilience"
)

// ParseSpec reads a service's settings over base from the compact form
// flags and environment variables give: the keys of resilience.ParsePolicy
// plus h2c=on|off and the response cache's cache=<ttl> and
// stale-if-error=<max age> (durations, 0: off), e.g.
// "timeout=300ms,hedge=auto,h2c=on,stale-if-error=10m". It leaves URL as it
// is in base.
func ParseSpec(spec string, base ServiceConfig) (ServiceConfig, error) {
	sc := base
	var rest []string
	for _, pair := range strings.Split(spec, ",") {
		key, value, _ := strings.Cut(strings.TrimSpace(pair), "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch key {
		case "cache", "stale-if-error":
			d, err := time.ParseDuration(value)
			if err != nil || d < 0 {
				return base, fmt.Errorf("%q: want a duration like 30s (0: off)", pair)
			}
			if key == "cache" {
				sc.Cache.Fresh = d
			} else {
				sc.Cache.StaleIfError = d
			}
			continue
		case "h2c":
		default:
			rest = append(rest, pair)
			continue
		}
		switch value {
		case "on", "true":
			sc.H2C = true
		case "off", "false":
			sc.H2C = false
		default:
			return base, fmt.Errorf("%q: want h2c=on or h2c=off", pair)
		}
	}
	p, err := resilience.ParsePolicy(strings.Join(rest, ","), base.Policy)
	if err != nil {
		return base, err
	}
	sc.Policy = p
	return sc, nil
}

// String returns the settings (not the URL) in the form ParseSpec reads.
func (sc ServiceConfig) String() string {
	h2c := "off"
	if sc.H2C {
		h2c = "on"
	}
	return sc.Policy.String() + ",h2c=" + h2c + ",cache=" + sc.Cache.Fresh.String() + ",stale-if-error=" + sc.Cache.StaleIfError.String()
}
