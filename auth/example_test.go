package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/acme/dashboard-gateway/auth"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

const exampleSecret = "an HS256 secret of 32 bytes or more"

// A handler behind Middleware finds the caller in its request's context and
// asks the Identity what it may read.
func ExampleVerifier_Middleware() {
	v, err := auth.New(context.Background(), auth.Config{Secret: []byte(exampleSecret)})
	if err != nil {
		panic(err)
	}
	dashboard := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := auth.FromContext(r.Context())
		if !id.CanRead(r.URL.Query().Get("user")) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		fmt.Fprintf(w, "dashboard of %s\n", id.Subject)
	}))

	for _, header := range []string{"", "Bearer " + exampleToken("u1")} {
		req := httptest.NewRequest(http.MethodGet, "/dashboard?user=u1", nil)
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		rec := httptest.NewRecorder()
		dashboard.ServeHTTP(rec, req)
		fmt.Print(rec.Code, " ", rec.Header().Get("WWW-Authenticate"), " ", rec.Body)
	}
	// Output:
	// 401 Bearer {"errors":[{"message":"missing bearer token","extensions":{"code":"UNAUTHENTICATED"}}]}
	// 200  dashboard of u1
}

func ExampleVerifier_Verify() {
	v, err := auth.New(context.Background(), auth.Config{Secret: []byte(exampleSecret)})
	if err != nil {
		panic(err)
	}
	id, err := v.Verify(context.Background(), exampleToken("u1"))
	fmt.Printf("%+v %v\n", id, err)
	_, err = v.Verify(context.Background(), "not.a.token")
	fmt.Println(err != nil)
	// Output:
	// {Subject:u1 Admin:false} <nil>
	// true
}

// exampleToken is what an identity provider would issue to subject.
func exampleToken(subject string) string {
	tok, err := jwt.NewBuilder().Subject(subject).Expiration(time.Now().Add(time.Hour)).Build()
	if err != nil {
		panic(err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.HS256(), []byte(exampleSecret)))
	if err != nil {
		panic(err)
	}
	return string(signed)
}
