package resilience

import (
	"errors"

	"github.com/sony/gobreaker/v2"
)

// isBreakerRefusal reports whether err is gobreaker refusing a call: open,
// or half-open with every probe slot taken. Both mean "not now".
func isBreakerRefusal(err error) bool {
	return errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests)
}
