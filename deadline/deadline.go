// Package deadline owns the request-wide deadline of errors.md: it sets one
// deadline per request (the server's limit, or sooner when the client sends
// X-Timeout-Ms), and it makes sure a request whose deadline passed before
// execution began still gets a proper DEADLINE_EXCEEDED answer. It knows
// nothing of fields: the shorter budgets of optional Dashboard fields are
// package budget's, counted from Start.
//
// Why the response is written on time: both executors wait for every
// resolver, so each resolver must return when its context ends. Downstream
// HTTP calls do (net/http aborts dial, headers and body reads when the
// context ends), and so do the loaders' waits, which select on the
// context themselves.
package deadline

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/acme/dashboard-gateway/apierror"
)

// Header lets a client shorten its request's deadline, in milliseconds.
const Header = "X-Timeout-Ms"

// Middleware gives each request a context that ends limit after the request
// arrived, or after the client's X-Timeout-Ms when that is shorter. A header
// that is not a whole number of milliseconds >= 1 is a 400: a client that
// asks for a deadline and silently gets another one would be worse.
func Middleware(limit time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			d, err := Parse(r.Header.Get(Header), limit)
			if err != nil {
				apierror.WriteHTTP(w, http.StatusBadRequest, apierror.BadRequest, err.Error())
				return
			}
			ctx, cancel := context.WithTimeout(context.WithValue(r.Context(), startKey{}, time.Now()), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

type startKey struct{}

// Start returns when the request arrived (recorded by Middleware), or the
// zero time when ctx does not say.
func Start(ctx context.Context) time.Time {
	t, _ := ctx.Value(startKey{}).(time.Time)
	return t
}

// Parse returns the deadline a request gets for the header value v: limit
// when v is empty, else v milliseconds clamped to limit, however many
// digits v has (a number too large for an int64 is clamped too). Its
// errors are written for clients.
func Parse(v string, limit time.Duration) (time.Duration, error) {
	if v == "" {
		return limit, nil
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if errors.Is(err, strconv.ErrRange) && wholeNumber(strings.TrimPrefix(v, "+")) {
		return limit, nil // longer than any deadline, only too long for an int64
	}
	if err != nil || ms < 1 {
		return 0, fmt.Errorf("%s must be a whole number of milliseconds >= 1", Header)
	}
	if ms >= limit.Milliseconds() {
		return limit, nil
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// wholeNumber reports whether v is digits only. ParseInt's ErrRange does
// not say so: it stops at the digit that overflows.
func wholeNumber(v string) bool {
	for _, c := range []byte(v) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return v != ""
}
