package graphqlhttp

import "testing"

func TestAcceptsIncremental(t *testing.T) {
	tests := []struct {
		accept string
		want   bool
	}{
		{"multipart/mixed;deferSpec=20220824,application/json", true}, // Apollo Client
		{"multipart/mixed, application/graphql-response+json, application/json", true},
		{`multipart/mixed; boundary="-"; deferSpec=20220824`, true},
		{"multipart/mixed;deferSpec=20230621, application/json", false},
		{"multipart/mixed;q=0, application/json", false},
		{"application/json", false},
		{"*/*", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := AcceptsIncremental(tt.accept); got != tt.want {
			t.Errorf("AcceptsIncremental(%q) = %v; want %v", tt.accept, got, tt.want)
		}
	}
}

// multipart/mixed alone is acceptable: what is not incremental goes in
// application/json.
func TestNegotiateMultipartOnly(t *testing.T) {
	if media, ok := negotiate("multipart/mixed;deferSpec=20220824"); !ok || media != mediaJSON {
		t.Errorf("negotiate(multipart/mixed) = %q, %v; want %q, true", media, ok, mediaJSON)
	}
	if media, _ := negotiate("multipart/mixed, application/graphql-response+json"); media != mediaGraphQLResponse {
		t.Errorf("negotiate(multipart/mixed, application/graphql-response+json) = %q; want %q", media, mediaGraphQLResponse)
	}
}
