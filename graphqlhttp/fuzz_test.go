package graphqlhttp

import (
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/acme/dashboard-gateway/apierror"
)

// FuzzDecodePOST: any body decodes to a request or an *apierror.Error, never a
// panic; what decodes has a string query within the cap, or a document id,
// or a persisted-query extension.
func FuzzDecodePOST(f *testing.F) {
	for _, seed := range []string{
		`{"query":"{ __typename }"}`,
		`{"query":"query Q($id: ID!) { dashboard(userId: $id) { userId } }","variables":{"id":"u1"},"operationName":"Q"}`,
		`{"documentId":"sha256:0123"}`,
		`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"ab"}}}`,
		`[{"query":"{ a }"}]`, `{"query":`, `null`, `{}`, "\xff",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := DecodePOST(body, 1000, InputLimits{})
		if err != nil {
			var re *apierror.Error
			if !errors.As(err, &re) || re.Message == "" || !utf8.ValidString(re.Message) {
				t.Fatalf("error %v (%T); want an *apierror.Error with a message", err, err)
			}
			return
		}
		if len(req.Params.Query) > 1000 {
			t.Fatalf("query of %d bytes passed the 1000-byte cap", len(req.Params.Query))
		}
		if req.Params.Query == "" && req.DocumentID == "" && req.Params.Extensions["persistedQuery"] == nil {
			t.Fatalf("decoded a request with nothing to run: %+v", req)
		}
		if _, err := json.Marshal(req.Params.Variables); err != nil {
			t.Fatalf("variables do not re-encode: %v", err)
		}
	})
}

// FuzzDecodeGET: any query string decodes or gives an *apierror.Error.
func FuzzDecodeGET(f *testing.F) {
	for _, seed := range []string{"query=%7B+a+%7D", "query=x&variables=%7B%7D", "query=%zz", "variables=[", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if _, err := DecodeGET(raw, 1000, InputLimits{}); err != nil {
			var re *apierror.Error
			if !errors.As(err, &re) {
				t.Fatalf("error %v (%T); want an *apierror.Error", err, err)
			}
		}
	})
}
