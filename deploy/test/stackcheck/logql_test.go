package main

import (
	"strings"
	"testing"
)

// Queries in the forms of Loki's query documentation: each must parse.
var validLogQL = []string{
	`{service_name="order-service"}`,
	`{service_name=~"order-.*", k8s_namespace_name!="kube-system"}`,
	`{service_name="a"} |= "error" != "timeout" |~ "5[0-9]{2}" !~ "probe"`,
	`{service_name="a"} |= "x" or "y"`,
	"{service_name=`a`} |~ `\\d+`",
	`{service_name="a"} | severity_text="error"`,
	`{service_name="a"} | detected_level=~"error|fatal"`,
	`{service_name="a"} | duration_ms > 250 and status_code >= 500`,
	`{service_name="a"} | (route="/api/orders" or route="/api/products"), method="POST"`,
	`{service_name="a"} | duration_ms >= 1.5s`,
	`{service_name="a"} | json | level="error"`,
	`{service_name="a"} | logfmt`,
	`{service_name="a"} | regexp "(?P<verb>GET|POST) (?P<target>\\S+)" | verb="POST"`,
	`{service_name="a"} | pattern "<_> <verb> <_>" | verb="GET"`,
	`{service_name="a"} | line_format "{{.route}} {{.status_code}}"`,
	`{service_name="a"} | label_format code=status_code, env="prod" | code="500"`,
	`{service_name="a"} | keep service_name, route | drop trace_id`,
	`{service_name="a"} | decolorize`,
	`count_over_time({service_name="a"}[5m])`,
	`sum by (service_name) (rate({service_name=~".+"} | severity_text="error" [5m]))`,
	`sum(count_over_time({service_name="a"}[1h])) by (route)`,
	`topk(10, sum by (route) (rate({service_name="a"}[5m])))`,
	`quantile_over_time(0.99, {service_name="a"} | unwrap duration_ms [5m]) by (route)`,
	`avg_over_time({service_name="a"} | unwrap duration(duration_ms) [1m])`,
	`sum(rate({service_name="a"} |= "error" [5m])) / sum(rate({service_name="a"}[5m])) * 100`,
	`{service_name="a"} | trace_id="4bf92f3577b34da6a3ce929d0e0e4736"`,
}

// Each is wrong in one way the grammar forbids.
var invalidLogQL = map[string]string{
	`service_name="a"`:                                   "no stream selector",
	`{}`:                                                 "empty selector",
	`{service_name="a"`:                                  "unclosed selector",
	`{service_name=a}`:                                   "unquoted matcher value",
	`{service_name=="a"}`:                                "== is not a matcher",
	`{service_name="a"} |= error`:                        "unquoted line filter",
	`{service_name="a"} | severity_text=`:                "no value",
	`{service_name="a"} | duration_ms > "5"`:             "> on a string",
	`{service_name="a"} | level=~"(["`:                   "invalid regexp",
	`{service_name="a"} | json level="error"`:            "json parameters outside the subset",
	`count_over_time({service_name="a"})`:                "no range",
	`count_over_time({service_name="a"}[5])`:             "a range without a unit",
	`sum_over_time({service_name="a"}[5m])`:              "sum_over_time without unwrap",
	`rate({service_name="a"} | unwrap duration_ms [5m])`: "rate with unwrap",
	`topk(sum(rate({service_name="a"}[5m])))`:            "topk without k",
	`histogram_quantile(0.9, {service_name="a"})`:        "a PromQL function",
	`{service_name="a"} "error"`:                         "a string with no operator",
}

func TestLogQLGrammar(t *testing.T) {
	for _, q := range validLogQL {
		if _, err := parseLogQL(q); err != nil {
			t.Errorf("valid query rejected: %s: %v", q, err)
		}
	}
	for q, why := range invalidLogQL {
		if _, err := parseLogQL(q); err == nil {
			t.Errorf("invalid query (%s) accepted: %s", why, q)
		}
	}
}

func testModel() lokiFieldModel {
	return lokiFieldModel{
		labels:   map[string]bool{"service_name": true, "k8s_namespace_name": true, "deployment_environment_name": true},
		metadata: map[string]bool{"severity_text": true, "trace_id": true, "detected_level": true, "route": true, "duration_ms": true},
	}
}

func TestFieldModel(t *testing.T) {
	model := testModel()
	cases := map[string]string{
		`{service_name="a", k8s_namespace_name="shop"} | severity_text="error"`:              "",
		`sum by (route) (count_over_time({service_name="a"} | detected_level="error" [5m]))`: "",
		`{service_name="a"} | regexp "(?P<verb>GET|POST)" | verb="GET"`:                      "",
		`{service_name="a"} | json | level="error"`:                                          "| json",
		`{service_name="a"} | logfmt`:                                                        "| logfmt",
		`{service_name="a"} | level="error"`:                                                 "level: no such",
		`{severity_text="error"}`:                                                            "structured metadata, not a stream label",
		`{namespace="shop"}`:                                                                 "namespace",
		`sum by (pod) (count_over_time({service_name="a"}[5m]))`:                             "by (pod)",
	}
	for q, want := range cases {
		expr, err := parseLogQL(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		problems := strings.Join(model.checkFields(expr), "; ")
		if want == "" && problems != "" {
			t.Errorf("%s: unexpected problems: %s", q, problems)
		}
		if want != "" && !strings.Contains(problems, want) {
			t.Errorf("%s: want a problem containing %q, got %q", q, want, problems)
		}
	}
}

func TestMatch(t *testing.T) {
	entry := lokiEntry{
		stream:   map[string]string{"service_name": "order-service"},
		metadata: map[string]string{"severity_text": "error", "trace_id": "abc", "duration_ms": "312"},
		line:     "request failed",
	}
	cases := map[string]bool{
		`{service_name="order-service"}`:                                             true,
		`{service_name=~".+"} | trace_id="abc"`:                                      true,
		`{service_name=~".+"} | trace_id="abd"`:                                      false,
		`{service_name="user-service"}`:                                              false,
		`{service_name="order-service"} |= "failed"`:                                 true,
		`{service_name="order-service"} != "failed"`:                                 false,
		`{service_name="order-service"} |~ "req.*fail"`:                              true,
		`{service_name="order-service"} | duration_ms > 300`:                         true,
		`{service_name="order-service"} | duration_ms > 400`:                         false,
		`{service_name="order-service"} | severity_text=~"warn|err.*"`:               true,
		`{service_name="order-service"} | severity_text="info" or duration_ms > 300`: true,
		`{service_name="order-service"} | severity_text="info", duration_ms > 300`:   false,
		`{service_name="order-service"} | route="/x"`:                                false,
	}
	for q, want := range cases {
		n, err := matchLogQL(q, []lokiEntry{entry})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if (n == 1) != want {
			t.Errorf("%s: matched %d, want %v", q, n, want)
		}
	}
}

func TestLogQueriesInMarkdown(t *testing.T) {
	text := "Run `{service_name=\"<service>\"} | severity_text=\"error\"`, or `sum(rate(http_requests_total{service=\"a\"}[5m]))`,\n" +
		"and `sum by (route) (count_over_time({service_name=\"a\"}[5m]))`.\n```logql\n{service_name=\"b\"}\n```\n```\n{not=\"a query\"}\n```\n"
	got := logQueriesInMarkdown(text)
	want := []string{`{service_name="<service>"} | severity_text="error"`, `sum by (route) (count_over_time({service_name="a"}[5m]))`, `{service_name="b"}`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q, want %q", got, want)
	}
}
