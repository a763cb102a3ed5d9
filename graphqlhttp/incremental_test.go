package graphqlhttp

import (
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

func TestIncrementalFormat(t *testing.T) {
	tests := []struct {
		accept string
		want   format
	}{
		{"multipart/mixed;deferSpec=20220824,application/json", defer2022}, // Apollo Client 3
		{"multipart/mixed;deferSpec=20220824,application/graphql-response+json,application/json;q=0.9", defer2022},
		{"multipart/mixed;incrementalSpec=v0.2,application/graphql-response+json,application/json;q=0.9", incrementalV02},                // Apollo Client 4, GraphQL17Alpha9Handler
		{"application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed", defer2022}, // urql
		{`multipart/mixed; boundary="-"; deferSpec=20220824`, defer2022},
		{`multipart/mixed; incrementalSpec="v0.2"`, incrementalV02},
		{"multipart/mixed, multipart/mixed;incrementalSpec=v0.2", incrementalV02},                     // a tie: the current format
		{"multipart/mixed;incrementalSpec=v0.2;q=0.5, multipart/mixed;deferSpec=20220824", defer2022}, // q decides
		{"multipart/mixed;incrementalSpec=v0.2;q=0, multipart/mixed;deferSpec=20220824;q=0.1", defer2022},
		{"multipart/mixed;deferSpec=20230621, application/json", noIncremental},
		{"multipart/mixed;incrementalSpec=v0.1, application/json", noIncremental},
		{"multipart/mixed;q=0, application/json", noIncremental},
		{"multipart/mixed;q=0.0", noIncremental},
		{"multipart/mixed;q=2", noIncremental},
		{"application/json", noIncremental},
		{"*/*", noIncremental},
		{"", noIncremental},
	}
	for _, tt := range tests {
		if got := incrementalFormat(tt.accept); got != tt.want {
			t.Errorf("incrementalFormat(%q) = %v; want %v", tt.accept, got, tt.want)
		}
		if got, want := AcceptsIncremental(tt.accept), tt.want != noIncremental; got != want {
			t.Errorf("AcceptsIncremental(%q) = %v; want %v", tt.accept, got, want)
		}
	}
}

// multipart/mixed alone is acceptable: what is not incremental goes in
// application/json.
func TestNegotiateMultipartOnly(t *testing.T) {
	for _, accept := range []string{"multipart/mixed;deferSpec=20220824", "multipart/mixed;incrementalSpec=v0.2"} {
		if media, ok := negotiate(accept); !ok || media != mediaJSON {
			t.Errorf("negotiate(%s) = %q, %v; want %q, true", accept, media, ok, mediaJSON)
		}
	}
	if media, _ := negotiate("multipart/mixed, application/graphql-response+json"); media != mediaGraphQLResponse {
		t.Errorf("negotiate(multipart/mixed, application/graphql-response+json) = %q; want %q", media, mediaGraphQLResponse)
	}
}

// The announcement leaves the response's extensions, whatever it holds;
// other extensions stay.
func TestTakePending(t *testing.T) {
	announced := []Pending{{Path: path("dashboard"), Label: "w"}}
	tests := []struct {
		name    string
		ext     map[string]any
		want    []Pending
		ok      bool
		leftExt int
	}{
		{"announced", map[string]any{PendingExtension: announced}, announced, true, 0},
		{"announced with others", map[string]any{PendingExtension: announced, "stale": []string{"wallet"}}, announced, true, 1},
		{"none announced", map[string]any{PendingExtension: []Pending{}}, []Pending{}, true, 0},
		{"not a []Pending", map[string]any{PendingExtension: "0"}, nil, false, 0},
		{"no announcement", map[string]any{"stale": []string{"wallet"}}, nil, false, 1},
		{"no extensions", nil, nil, false, 0},
	}
	for _, tt := range tests {
		r := &graphql.Response{Extensions: tt.ext}
		got, ok := takePending(r)
		if ok != tt.ok || len(got) != len(tt.want) || len(got) > 0 && got[0].Label != tt.want[0].Label {
			t.Errorf("%s: takePending = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
		if _, left := r.Extensions[PendingExtension]; left || len(r.Extensions) != tt.leftExt || tt.leftExt == 0 && r.Extensions != nil {
			t.Errorf("%s: extensions left %v; want %d others (nil when none)", tt.name, r.Extensions, tt.leftExt)
		}
	}
	if got, ok := takePending(nil); got != nil || ok {
		t.Errorf("takePending(nil) = %v, %v; want nil, false", got, ok)
	}
}
