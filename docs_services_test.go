package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/acme/dashboard-gateway/contract"
)

// docs/contract.md's table of the downstream services is
// contract.Services, row for row, and its Endpoints section describes
// every declared endpoint under its service's name: a service added to
// the declaration and not to the contract fails here. (Their flags are
// checked against docs/configuration.md by
// TestConfigurationDocMatchesFlags.)
func TestContractDocListsTheServices(t *testing.T) {
	doc, err := os.ReadFile("docs/contract.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## The downstream services\n")
	if !ok {
		t.Fatal("docs/contract.md has no section ## The downstream services")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	intro, endpoints, ok := strings.Cut(section, "\n### Endpoints\n")
	if !ok {
		t.Fatal("docs/contract.md's downstream services have no ### Endpoints")
	}

	_, table, ok := strings.Cut(intro, "\n| service | endpoints | backs | holds |\n| --- | --- | --- | --- |\n")
	if !ok {
		t.Fatal("docs/contract.md's downstream services have no table | service | endpoints | backs | holds |")
	}
	var rows []string
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "|") {
			break
		}
		rows = append(rows, line)
	}
	services := contract.Services()
	for i, s := range services {
		want := serviceRow(s)
		if i >= len(rows) || rows[i] != want {
			t.Errorf("docs/contract.md: the services table's row %d for %s:\n%s\nwant\n%s", i+1, s.Name, at(rows, i), want)
		}
	}
	if len(rows) > len(services) {
		t.Errorf("docs/contract.md: the services table has %d rows; contract.Services declares %d", len(rows), len(services))
	}

	for _, s := range services {
		_, about, ok := strings.Cut(endpoints, "\n**"+s.Name+"**\n")
		if !ok {
			t.Errorf("docs/contract.md: ### Endpoints has no **%s**", s.Name)
			continue
		}
		about, _, _ = strings.Cut(about, "\n**")
		for _, e := range s.Endpoints {
			if want := "`GET " + example(e); !strings.Contains(about, want) {
				t.Errorf("docs/contract.md: **%s** does not describe %s...`", s.Name, want)
			}
		}
	}
}

// serviceRow is the row of s in docs/contract.md's table of the services.
func serviceRow(s contract.Service) string {
	endpoints := make([]string, len(s.Endpoints))
	for i, e := range s.Endpoints {
		switch e.Kind {
		case contract.Batch:
			endpoints[i] = fmt.Sprintf("`GET %s?%s=` (batch, at most %d ids)", e.Path, e.IDs, e.MaxIDs)
		default:
			endpoints[i] = "`GET " + e.Path + "`"
			if len(e.Params) > 0 {
				endpoints[i] += " (`" + strings.Join(e.Params, "`, `") + "`)"
			}
		}
	}
	return fmt.Sprintf("| `%s` | %s | `%s` | %s |", s.Name, strings.Join(endpoints, ", "), strings.Join(s.Fields, "`, `"), s.Description)
}

// example is how an example call of e starts in the Endpoints section:
// its path, and the name of a batch's ids parameter.
func example(e contract.Endpoint) string {
	if e.Kind == contract.Batch {
		return e.Path + "?" + e.IDs + "="
	}
	return e.Path
}

// at returns rows[i], or "(none)".
func at(rows []string, i int) string {
	if i < len(rows) {
		return rows[i]
	}
	return "(none)"
}

// serviceCount matches where the docs count the services: "seven
// downstream services", "all seven".
var serviceCount = regexp.MustCompile(`(?i)\b(three|four|five|six|seven|eight|nine|ten|eleven|twelve)((\s+(independent|downstream|simulated|REST/JSON|REST|service))*\s+(services|service URLs|URLs)\b)|\ball\s+(three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b`)

// Where the docs count the services, they count those contract.Services
// declares: adding one and not the docs' count fails here.
func TestDocsCountTheServices(t *testing.T) {
	words := []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"}
	n := len(contract.Services())
	if n >= len(words) {
		t.Skipf("%d services: beyond the words this test knows", n)
	}
	docs, _ := filepath.Glob("docs/*.md")
	for _, path := range append(docs, "README.md", "deploy/README.md", "deploy/base/deployment.yaml") {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range serviceCount.FindAllStringSubmatch(string(b), -1) {
			if word := strings.ToLower(m[1] + m[6]); word != words[n] {
				t.Errorf("%s: %q counts %s services; contract.Services declares %s", path, m[0], word, words[n])
			}
		}
	}
}
