package downstream

import (
	"fmt"
	"strings"

	"github.com/acme/dashboard-gateway/resilience"
)

// ParseSpec reads a service's settings over base from the compact form
// flags and environment variables give: the keys of resilience.ParsePolicy
// plus h2c=on|off, e.g. "timeout=300ms,hedge=p95,h2c=on". It leaves URL as
// it is in base.
func ParseSpec(spec string, base ServiceConfig) (ServiceConfig, error) {
	sc := base
	var rest []string
	for _, pair := range strings.Split(spec, ",") {
		key, value, _ := strings.Cut(strings.TrimSpace(pair), "=")
		if strings.TrimSpace(key) != "h2c" {
			rest = append(rest, pair)
			continue
		}
		switch strings.TrimSpace(value) {
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
	return sc.Policy.String() + ",h2c=" + h2c
}
