// Command goclient is a typed Go client of the dashboard gateway: genqlient
// generates generated.go from the schema and the operations the example
// clients share in ../operations (`go tool genqlient` in this directory).
// It prints a dashboard, and for each field that is null, the error that
// says why.
//
//	go run ./examples/goclient -url http://localhost:8080/query -user u1
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "goclient:", err)
		os.Exit(1)
	}
}

// run parses args, fetches one dashboard and prints it to stdout.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("goclient", flag.ContinueOnError)
	url := fs.String("url", "http://localhost:8080/query", "the gateway's GraphQL endpoint")
	user := fs.String("user", "u1", "whose dashboard to fetch")
	if err := fs.Parse(args); err != nil {
		return err
	}
	client := graphql.NewClient(*url, &http.Client{Timeout: 5 * time.Second})
	dash, partial, err := fetchDashboard(ctx, client, *user)
	if err != nil {
		return err
	}
	printDashboard(stdout, dash, partial)
	return nil
}

// fetchDashboard returns the dashboard of userID and, apart from it, the
// errors of a partial answer: each names the null field (Path) and why
// (Extensions["code"]). err is for an answer without data.
func fetchDashboard(ctx context.Context, client graphql.Client, userID string) (*DashboardDashboard, gqlerror.List, error) {
	resp, err := Dashboard(ctx, client, userID, nil)
	var partial gqlerror.List
	if err != nil && !errors.As(err, &partial) {
		return nil, nil, fmt.Errorf("get dashboard %s: %w", userID, err)
	}
	// genqlient returns GraphQL errors as a gqlerror.List beside the data
	// it decoded. userId is non-null, so it is empty only when there is no
	// data at all: a request error, not a partial answer.
	if resp == nil || resp.Dashboard.UserId == "" {
		return nil, nil, fmt.Errorf("get dashboard %s: no data: %w", userID, err)
	}
	return &resp.Dashboard, partial, nil
}

// printDashboard writes what arrived, and the reason for what did not.
func printDashboard(w io.Writer, d *DashboardDashboard, partial gqlerror.List) {
	fmt.Fprintf(w, "dashboard of %s\n", d.UserId)
	if p := d.Profile; p != nil {
		fmt.Fprintf(w, "  profile: %s (%s), member since %s\n", p.Name, p.Tier, p.MemberSince.Format(time.DateOnly))
	}
	if d.Orders != nil && len(d.Orders) == 0 { // nil: orders failed
		fmt.Fprintln(w, "  no orders")
	}
	for _, o := range d.Orders {
		fmt.Fprintf(w, "  order %s: %s, %s, placed %s\n", o.Id, o.Status, o.Total.Formatted, o.PlacedAt.Format(time.DateOnly))
		for _, it := range o.Items {
			name := "(product unavailable)"
			if it.Product != nil { // a null product is nil, not an empty struct
				name = it.Product.Name
			}
			fmt.Fprintf(w, "    %d x %s\n", it.Quantity, name)
		}
	}
	if d.Wallet != nil {
		fmt.Fprintf(w, "  loyalty points: %d\n", d.Wallet.LoyaltyPoints)
	}
	for _, e := range partial {
		fmt.Fprintf(w, "  missing %s: %v (%s)\n", e.Path, e.Extensions["code"], e.Message)
	}
}
