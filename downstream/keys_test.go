package downstream

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// profile is a valid profile answer but for what rest adds after its
// members (and before the closing brace).
func profile(rest string) string {
	return `{"id":"u2","name":"Grace Hopper","tier":"GOLD","memberSince":"2021-03-04T00:00:00Z"` + rest + `}`
}

func TestDecodeAnswerKeys(t *testing.T) {
	tests := []struct {
		name string
		body string
		want error // nil: accepted
	}{
		{"exact keys", profile(""), nil},
		{"unknown key", profile(`,"nickname":"amazing"`), nil},
		{"unknown keys, each once", profile(`,"a":1,"b":2,"c":{"a":1,"b":2}`), nil},
		{"the same key in sibling objects", `{"users":[` + profile("") + `,` + strings.Replace(profile(""), "u2", "u3", 1) + `]}`, nil},
		{"a name as a value", profile(`,"x":"Id","y":["ID","id"]`), nil},
		{"escaped name", `{"\u0069d":"u2","name":"Grace Hopper","tier":"GOLD","memberSince":"2021-03-04T00:00:00Z"}`, nil},
		{"quote escaped in an unknown key", profile(`,"i\"d":1,"id\\":2`), nil},

		{"duplicate name", profile(`,"id":"u1"`), errDuplicateKey},
		{"duplicate name, same value", profile(`,"tier":"GOLD"`), errDuplicateKey},
		{"duplicate unknown key", profile(`,"x":1,"x":2`), errDuplicateKey},
		{"duplicate name in a nested object", `{"balance":{"amountMinor":1,"currency":"EUR","currency":"USD"},"loyaltyPoints":1}`, errDuplicateKey},
		{"duplicate name, one escaped", profile(`,"\u0069d":"u1"`), errDuplicateKey},
		{"duplicate unknown key, one escaped", profile(`,"x":1,"\u0078":2`), errDuplicateKey},
		{"many unknown keys, each once", profile(manyUnknown(40)), nil},
		{"duplicate among many unknown keys", profile(manyUnknown(40) + `,"k39":0`), errDuplicateKey},
		{"deep nesting", profile(`,"deep":` + nested(100, `{"a":1,"b":{"a":1}}`)), nil},
		{"duplicate deep down", profile(`,"deep":` + nested(100, `{"a":1,"b":2,"a":3}`)), errDuplicateKey},
		{"duplicate after deep nesting", profile(`,"deep":` + nested(100, `{"a":1}`) + `,"deep":1`), errDuplicateKey},
		{"case variant beside the name", profile(`,"Id":"u1"`), errCaseVariant},
		{"case variant instead of the name", `{"ID":"u2","name":"Grace Hopper","tier":"GOLD","memberSince":"2021-03-04T00:00:00Z"}`, errCaseVariant},
		{"case variant of a name of another object", profile(`,"AmountMinor":1`), errCaseVariant},
		{"case variant, escaped", profile(`,"\u0049d":"u1"`), errCaseVariant},
		{"case variant by Unicode folding", profile(`,"ſtatus":"x"`), errCaseVariant}, // ſ (U+017F) folds to s
		{"case variant, Kelvin sign", `{"balance":{"amountMinor":1,"currency":"EUR"},"loyaltyPoints":1,"\u212aind":1}`, errCaseVariant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			into := response(new(UserProfile))
			if strings.HasPrefix(tt.body, `{"users"`) {
				into = new(usersResponse)
			} else if strings.HasPrefix(tt.body, `{"balance"`) {
				into = new(UserWallet)
			}
			err := decodeAnswer([]byte(tt.body), into)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("decodeAnswer(%s) = %v; want %v", tt.body, err, tt.want)
			}
			if p, ok := into.(*UserProfile); ok && err == nil && p.ID != "u2" {
				t.Errorf("decodeAnswer(%s) read id %q; want u2", tt.body, p.ID)
			}
		})
	}
}

// manyUnknown returns n unknown members, k0 to k(n-1), each after a comma.
func manyUnknown(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(`,"k` + strconv.Itoa(i) + `":0`)
	}
	return b.String()
}

// nested returns inner inside n arrays, each in an object {"x":...}.
func nested(n int, inner string) string {
	return strings.Repeat(`{"x":[`, n) + inner + strings.Repeat(`]}`, n)
}

// TestKeyErrorNamesTheKey checks that the error, for the log, names the
// offending key, quoted and cut short.
func TestKeyErrorNamesTheKey(t *testing.T) {
	long := strings.Repeat("k", 1000)
	tests := []struct{ body, want string }{
		{profile(`,"Id":"u1"`), `key differs from a field name only in letter case: "Id"`},
		{profile(`,"` + long + `":1,"` + long + `":2`), `key appears twice in an object: "` + long[:64] + `"`},
		{profile(`,"\n":1,"\n":2`), `key appears twice in an object: "\\n"`},
	}
	for _, tt := range tests {
		err := checkKeys([]byte(tt.body), answerKeys)
		if err == nil || err.Error() != tt.want {
			t.Errorf("checkKeys(%.80s...) = %v; want %s", tt.body, err, tt.want)
		}
	}
}
