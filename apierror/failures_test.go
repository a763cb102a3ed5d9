package apierror_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/acme/dashboard-gateway/apierror"
	"github.com/acme/dashboard-gateway/downstream"
)

func TestDownstream(t *testing.T) {
	tests := []struct {
		kind    downstream.Kind
		service downstream.Service
		report  string // the resilience layers' reason
		want    apierror.Error
	}{
		{downstream.KindNotFound, downstream.Profile, "", apierror.Error{Code: apierror.NotFound, Message: "user not found"}},
		{downstream.KindNotFound, downstream.Catalog, "", apierror.Error{Code: apierror.NotFound, Message: "product not found"}},
		{downstream.KindDeadline, downstream.Orders, "", apierror.Error{Code: apierror.DeadlineExceeded, Message: "orders service did not answer before the request deadline"}},
		{downstream.KindCanceled, downstream.Wallet, "", apierror.Error{Code: apierror.Cancelled, Message: "the request was cancelled"}},
		{downstream.KindTimeout, downstream.Orders, "", apierror.Error{Code: apierror.UpstreamTimeout, Message: "orders service timed out"}},
		{downstream.KindBudget, downstream.Orders, "", apierror.Error{Code: apierror.UpstreamTimeout, Reason: "field_budget", Message: "orders service did not answer within the field's budget"}},
		{downstream.KindCircuitOpen, downstream.Catalog, "", apierror.Error{Code: apierror.CircuitOpen, Message: "catalog service is failing; calls to it are paused"}},
		{downstream.KindShed, downstream.Wallet, "", apierror.Error{Code: apierror.UpstreamError, Reason: "bulkhead_full", Message: "wallet service has too many calls in flight"}},
		{downstream.KindBadStatus, downstream.Orders, "", apierror.Error{Code: apierror.UpstreamError, Reason: "bad_status", Message: "orders service unavailable"}},
		{downstream.KindBadStatus, downstream.Orders, "retry_budget_exhausted", apierror.Error{Code: apierror.UpstreamError, Reason: "retry_budget_exhausted", Message: "orders service unavailable"}},
		{downstream.KindConnection, downstream.Profile, "", apierror.Error{Code: apierror.UpstreamError, Reason: "connection_failed", Message: "profile service unavailable"}},
		{downstream.KindInvalidRequest, downstream.Profile, "", apierror.Error{Code: apierror.BadUserInput, Reason: "invalid_argument", Message: "the request has an argument the profile service cannot take"}},
		{downstream.KindTooLarge, downstream.Catalog, "", apierror.Error{Code: apierror.UpstreamError, Reason: "response_too_large", Message: "catalog service sent an invalid response"}},
		{downstream.KindInvalidResponse, downstream.Catalog, "", apierror.Error{Code: apierror.UpstreamError, Reason: "invalid_response", Message: "catalog service sent an invalid response"}},
		{downstream.KindInvalidResponse, downstream.Shipping, "", apierror.Error{Code: apierror.UpstreamError, Reason: "invalid_response", Message: "shipping service sent an invalid response"}},
		{downstream.Kind(99), downstream.Recommendations, "", apierror.Error{Code: apierror.UpstreamError, Reason: "invalid_response", Message: "recommendations service sent an invalid response"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v/%s/%s", tt.kind, tt.service, tt.report), func(t *testing.T) {
			e := &downstream.Error{Service: tt.service, Op: "get", Kind: tt.kind}
			e.Report.Reason = tt.report
			if got := apierror.Downstream(e); *got != tt.want {
				t.Errorf("Downstream = %+v; want %+v", *got, tt.want)
			}
		})
	}
}

func TestFromContext(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want *apierror.Error
	}{
		{"deadline", fmt.Errorf("measure: %w", context.DeadlineExceeded), &apierror.Error{Code: apierror.DeadlineExceeded, Message: "the request deadline passed before the operation started"}},
		{"cancelled", context.Canceled, &apierror.Error{Code: apierror.Cancelled, Message: "the request was cancelled"}},
		{"other", errors.New("boom"), nil},
	}
	for _, tt := range tests {
		got := apierror.FromContext(tt.err)
		if (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
			t.Errorf("%s: FromContext = %+v; want %+v", tt.name, got, tt.want)
		}
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		code apierror.Code
		want int
	}{
		{apierror.BadUserInput, 400}, {apierror.BadRequest, 400}, {apierror.LimitExceeded, 400}, {apierror.DocumentNotTrusted, 400},
		{apierror.Unauthenticated, 401}, {apierror.Forbidden, 403}, {apierror.RateLimited, 429},
		{apierror.DeadlineExceeded, 504}, {apierror.Internal, 500},
		{apierror.UpstreamError, 503}, {apierror.Overloaded, 503}, {apierror.NotFound, 503},
	}
	for _, tt := range tests {
		if got := apierror.Status(tt.code); got != tt.want {
			t.Errorf("Status(%s) = %d; want %d", tt.code, got, tt.want)
		}
	}
}
