package graphqlhttp

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/acme/dashboard-gateway/apierror"
)

// scanValue finds where a value ends and which bound it meets first, at
// each bound exactly and one past it.
func TestScanValue(t *testing.T) {
	tests := []struct {
		text string
		b    bounds
		want scanResult
		end  int // for scanOK
	}{
		{`{"ids":["u1","u2"]} tail`, bounds{}, scanOK, 19},
		{`{"ids":["u1","u2"]}`, bounds{values: 4}, scanOK, 19},
		{`{"ids":["u1","u2"]}`, bounds{values: 3}, scanValues, 0},
		{`{"ids":["u1"]}`, bounds{depth: 2}, scanOK, 14},
		{`{"ids":["u1"]}`, bounds{depth: 1}, scanDepth, 0},
		{`{"ids":["u1"]}`, bounds{bytes: 14}, scanOK, 14},
		{`{"ids":["u1"]}`, bounds{bytes: 13}, scanBytes, 0},
		{`12345,`, bounds{bytes: 5}, scanOK, 5},
		{`123456,`, bounds{bytes: 5}, scanBytes, 0},
		{`"abcd"`, bounds{bytes: 5}, scanBytes, 0},
		{`true`, bounds{bytes: 3}, scanBytes, 0},
		{`-0.5e+10]`, bounds{}, scanOK, 8},
		{`"\u00e9\n\"\\\/"`, bounds{}, scanOK, 16},
		{`[` + strings.Repeat("[", 100_000), bounds{depth: 10}, scanDepth, 0},
		{`[` + strings.Repeat("1,", 100_000) + `1]`, bounds{values: 2000}, scanValues, 0},
		{`{"a" 1}`, bounds{}, scanSyntax, 0},
		{`[1,]`, bounds{}, scanSyntax, 0},
		{`[01]`, bounds{}, scanSyntax, 0},
		{`"\x"`, bounds{}, scanSyntax, 0},
		{"\"a\tb\"", bounds{}, scanSyntax, 0},
		{`[1`, bounds{}, scanSyntax, 0},
		{`nul`, bounds{}, scanSyntax, 0},
	}
	for _, tt := range tests {
		end, got := scanValue([]byte(tt.text), 0, tt.b)
		if got != tt.want || got == scanOK && end != tt.end {
			t.Errorf("scanValue(%.40q, %+v) = %d, %v; want %d, %v", tt.text, tt.b, end, got, tt.end, tt.want)
		}
	}
}

// The scanner reads JSON as encoding/json does: what it accepts, whole, is
// valid JSON, and what it refuses is not.
func FuzzScanValue(f *testing.F) {
	for _, seed := range []string{`{"a":[1,2.5e3,"x\u0041",true,false,null]}`, `[[]]`, `"\"`, `-`, `1.`, `{"a":}`, ` 1 `} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		if !utf8.Valid(text) || len(text) == 0 || strings.ContainsAny(string(text[:1]), " \t\r\n") {
			return // the callers check UTF-8 and skip space first
		}
		end, res := scanValue(text, 0, bounds{})
		whole := res == scanOK && strings.TrimLeft(string(text[end:]), " \t\r\n") == ""
		if valid := json.Valid(text); whole != valid {
			t.Fatalf("scanValue(%q) = %d, %v; json.Valid = %v", text, end, res, valid)
		}
	})
}

// DecodePOST and DecodeGET refuse variables and extensions over a limit
// with BAD_USER_INPUT, 400 and the limit's reason, and accept them at it.
func TestInputLimits(t *testing.T) {
	l := InputLimits{MaxVariablesBytes: 40, MaxExtensionsBytes: 30, MaxJSONValues: 6, MaxJSONDepth: 3}
	pad := func(n int) string { return `{"p":"` + strings.Repeat("x", n-8) + `"}` } // n bytes
	tests := []struct {
		name       string
		variables  string
		extensions string
		reason     string // "" for accepted
	}{
		{"variables at the byte limit", pad(40), "", ""},
		{"variables over the byte limit", pad(41), "", ReasonVariablesBytes},
		{"extensions at the byte limit", "", pad(30), ""},
		{"extensions over the byte limit", "", pad(31), ReasonExtensionsBytes},
		{"values at the limit", `{"a":[1,2,3,4]}`, "", ""},
		{"values over the limit", `{"a":[1,2,3,4,5]}`, "", ReasonJSONValues},
		{"values over the limit in extensions", "", `{"a":[1,2,3,4,5]}`, ReasonJSONValues},
		{"depth at the limit", `{"a":[[1]]}`, "", ""},
		{"depth over the limit", `{"a":[[[1]]]}`, "", ReasonJSONDepth},
		{"depth over the limit in extensions", "", `{"a":[[[]]]}`, ReasonJSONDepth},
	}
	for _, tt := range tests {
		body := `{"query":"{ a }"`
		get := url.Values{"query": {"{ a }"}}
		if tt.variables != "" {
			body += `,"variables":` + tt.variables
			get.Set("variables", tt.variables)
		}
		if tt.extensions != "" {
			body += `,"extensions":` + tt.extensions
			get.Set("extensions", tt.extensions)
		}
		body += "}"
		for method, decode := range map[string]func() (*Request, error){
			"POST": func() (*Request, error) { return DecodePOST([]byte(body), 0, l) },
			"GET":  func() (*Request, error) { return DecodeGET(get.Encode(), 0, l) },
		} {
			t.Run(tt.name+"/"+method, func(t *testing.T) {
				_, err := decode()
				checkRefusal(t, err, tt.reason)
			})
		}
	}
}

// A POST body's other members are bounded too, and a key encoding/json
// reads as "variables" gets the variables' limits.
func TestInputLimitsOfOtherMembers(t *testing.T) {
	l := InputLimits{MaxVariablesBytes: 40, MaxJSONValues: 6, MaxJSONDepth: 3}
	tests := []struct {
		body, reason string
	}{
		{`{"query":"{ a }","junk":[1,2,3,4,5,6]}`, ReasonJSONValues},
		{`{"query":"{ a }","junk":[1,2,3,4,5]}`, ""},
		{`{"query":"{ a }","junk":[[[[]]]]}`, ReasonJSONDepth},
		{`{"query":"{ a }","junk":"` + strings.Repeat("x", 100) + `"}`, ""},
		{`{"query":"{ a }","Variables":{"p":"` + strings.Repeat("x", 40) + `"}}`, ReasonVariablesBytes},
		{`{"query":"{ a }","\u0076ariables":{"p":"` + strings.Repeat("x", 40) + `"}}`, ReasonVariablesBytes},
	}
	for _, tt := range tests {
		_, err := DecodePOST([]byte(tt.body), 0, l)
		t.Run(tt.body[:30], func(t *testing.T) { checkRefusal(t, err, tt.reason) })
	}
}

// checkRefusal fails unless err is the refusal of reason ("": no error).
func checkRefusal(t *testing.T, err error, reason string) {
	t.Helper()
	if reason == "" {
		if err != nil {
			t.Errorf("error %v; want none", err)
		}
		return
	}
	e, ok := errors.AsType[*apierror.Error](err)
	if !ok || e.Code != apierror.BadUserInput || e.Reason != reason || e.HTTPStatus != 400 || !strings.Contains(e.Message, "limit of") {
		t.Errorf("error %#v; want BAD_USER_INPUT, 400, reason %s, naming the limit", err, reason)
	}
}
