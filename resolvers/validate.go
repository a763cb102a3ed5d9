package resolvers

import (
	"context"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/auth"
	"github.com/acme/dashboard-gateway/limits"
)

// Arguments are checked against the contract before execution starts (see
// package limits), so that a bad argument costs no downstream call at all;
// resolvers only apply defaults and authorize.

// firstArg returns the `first` argument, or the default for null (the
// schema's default, the same, applies when a client passes nothing).
func firstArg(arg *int) int {
	if arg == nil {
		return limits.DefaultFirst
	}
	return *arg
}

// authorize returns FORBIDDEN unless the caller may read the dashboards of
// every one of userIDs: its own, or any with the admin scope. Without an
// identity in the context authentication is off, unless the resolvers were
// told it is required.
func (r *Resolver) authorize(ctx context.Context, userIDs ...string) error {
	id, ok := auth.FromContext(ctx)
	if !ok {
		if r.requireIdentity {
			return apierror.Denied(apierror.Unauthenticated, "authentication required")
		}
		return nil
	}
	for _, userID := range userIDs {
		if !id.CanRead(userID) {
			return apierror.Denied(apierror.Forbidden, "you may read only your own dashboard")
		}
	}
	return nil
}
