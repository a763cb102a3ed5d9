package prometheus

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// rulesFile is the rule file Prometheus loads (rule_files).
const rulesFile = "rules.yaml"

// ruleGroups is the subset of a Prometheus rule file the tests read.
type ruleGroups struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []rule `yaml:"rules"`
	} `yaml:"groups"`
}

// rule is one recording or alerting rule.
type rule struct {
	Record      string            `yaml:"record"`
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// readRules decodes rules.yaml.
func readRules(tb testing.TB) []rule {
	tb.Helper()
	data, err := os.ReadFile(rulesFile)
	if err != nil {
		tb.Fatal(err)
	}
	var g ruleGroups
	if err := yaml.Unmarshal(data, &g); err != nil {
		tb.Fatalf("%s: %v", rulesFile, err)
	}
	var rules []rule
	for _, group := range g.Groups {
		rules = append(rules, group.Rules...)
	}
	if len(rules) == 0 {
		tb.Fatalf("%s: no rules", rulesFile)
	}
	return rules
}

// tool returns the path of one of the Debian package prometheus's
// programs (prometheus, promtool); the test fails without it.
func tool(tb testing.TB, name string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		tb.Fatalf("%s is not installed (%v): run .ci/run, which installs it (apt-get install prometheus)", name, err)
	}
	return path
}

// TestPromtool runs promtool's syntax check of rules.yaml and its unit
// tests (rules_test.yaml: every alert firing and not firing).
func TestPromtool(t *testing.T) {
	promtool := tool(t, "promtool")
	for _, args := range [][]string{
		{"check", "rules", rulesFile},
		{"test", "rules", "rules_test.yaml"},
	} {
		t.Run(strings.Join(args[:2], " "), func(t *testing.T) {
			out, err := exec.CommandContext(t.Context(), promtool, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		})
	}
}

// TestAlertsAreComplete checks every alert has a severity the routing
// knows, a summary, a description and a for, and every alert is tested
// in rules_test.yaml.
func TestAlertsAreComplete(t *testing.T) {
	tests, err := os.ReadFile("rules_test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range readRules(t) {
		if r.Alert == "" {
			continue
		}
		if s := r.Labels["severity"]; s != "critical" && s != "warning" {
			t.Errorf("%s: severity %q; want critical or warning", r.Alert, s)
		}
		if r.Annotations["summary"] == "" || r.Annotations["description"] == "" || r.For == "" {
			t.Errorf("%s: summary %q, description %q, for %q; want all three", r.Alert, r.Annotations["summary"], r.Annotations["description"], r.For)
		}
		if !strings.Contains(string(tests), "alertname: "+r.Alert+"\n") {
			t.Errorf("%s: not in rules_test.yaml", r.Alert)
		}
	}
}

// TestSelectors checks the metric names and matcher labels found in PromQL
// expressions.
func TestSelectors(t *testing.T) {
	tests := []struct {
		expr string
		want []selector
	}{
		{`up`, []selector{{metric: "up"}}},
		{`sum by (service) (rate(gateway_graphql_errors_total{service!="none", code!~"NOT_FOUND|CANCELLED"}[5m])) / on () group_left () sum(rate(x_total[5m]))`,
			[]selector{{metric: "gateway_graphql_errors_total", labels: []string{"service", "code"}}, {metric: "x_total"}}},
		{`histogram_quantile(0.99, sum without (operation) (rate(a_bucket{le!="1.5"}[$__rate_interval])))`,
			[]selector{{metric: "a_bucket", labels: []string{"le"}}}},
		{`max(max_over_time(b{state="open"}[2m])) == 1 and c offset 5m > 14.4 * 0.001`,
			[]selector{{metric: "b", labels: []string{"state"}}, {metric: "c"}}},
		{`sum(rate(d{service=~"${service:regex}", x='a\'}'}[5m])) or vector(0)`,
			[]selector{{metric: "d", labels: []string{"service", "x"}}}},
		{"record:name:ratio_rate5m > bool 0.5 unless {__name__=\"e\"}",
			[]selector{{metric: "record:name:ratio_rate5m"}, {labels: []string{"__name__"}}}},
	}
	for _, tt := range tests {
		if got := selectors(tt.expr); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("selectors(%s): got %+v; want %+v", tt.expr, got, tt.want)
		}
	}
}

// absRulesFile is rules.yaml's absolute path, for a Prometheus run
// elsewhere.
func absRulesFile(tb testing.TB) string {
	tb.Helper()
	p, err := filepath.Abs(rulesFile)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}
