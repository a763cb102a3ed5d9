package cache

import "errors"

// errEntry is an entry this package did not write, or cut short.
var errEntry = errors.New("cache: malformed entry")
