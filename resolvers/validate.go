package resolvers

import (
	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/downstream"
)

// The argument limits of the public contract.
const (
	// MaxUserIDs is the most ids dashboards(userIds) takes.
	MaxUserIDs = 50
	// MaxFirst is the largest `first` a list field takes.
	MaxFirst = 50
	// defaultFirst is `first` when a client passes null explicitly; the
	// schema's default (10) applies when it passes nothing.
	defaultFirst = 10
)

func checkUserID(id string) error {
	if !downstream.ValidID(id) {
		return apierror.BadInput("userId must be 1 to 64 characters from A-Z, a-z, 0-9, _ and -")
	}
	return nil
}

// firstArg returns the validated `first` argument.
func firstArg(arg *int) (int, error) {
	if arg == nil {
		return defaultFirst, nil
	}
	if *arg < 0 || *arg > MaxFirst {
		return 0, apierror.BadInput("first must be between 0 and %d", MaxFirst)
	}
	return *arg, nil
}
