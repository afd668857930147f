// stackcheck validates the stack's files with the libraries of the tools that read them, so
// the checks need no running Docker, Kubernetes or Grafana. Run by deploy/test/run.sh:
//
//	stackcheck queries METRICS_DIR RULES_DIR DASHBOARD.json...  panel queries: valid PromQL/LogQL, known metric names and Loki fields
//	stackcheck logql FIELDS_FILE FILE...                         every LogQL query in Markdown, dashboards, datasources: valid, on fields Loki stores
//	stackcheck rules METRICS_DIR RULES_DIR                      rule expressions parse with Prometheus 3 and use known names
//	stackcheck compose ENV_FILE COMPOSE_FILE...                  compose files valid against the compose-spec schema
//	stackcheck k8s < manifests.yaml                              manifests decode strictly into Kubernetes and prometheus-operator types
//	stackcheck configmap NAME KEY < manifests.yaml               prints one key of a ConfigMap (what a pod mounts)
//	stackcheck helm-values KUBE_PROMETHEUS_STACK_VALUES          the Prometheus and Alertmanager specs decode strictly, retention >= 30d
//	stackcheck links DATASOURCES TRACE_JSON LOGS_JSONL EXEMPLARS_JSON UNSAMPLED_TRACE_ID [FIELDS_FILE]
//	                                                             every Grafana link resolves against what the backends returned,
//	                                                             and the log records carry the fields of the Loki field model
//
// Loki's field model (what a LogQL query may filter on): the stream labels of Loki's default OTLP
// index attributes and the structured metadata fields of deploy/test/logs/fields.txt
// ($LOKI_FIELDS_FILE). LogQL is parsed by logql.go (Loki's own parser is AGPL).
//
// Known metric names: METRICS_DIR/services.txt (or $METRIC_NAMES_FILE, one name per line, e.g.
// from a live /metrics scrape), METRICS_DIR/stack.txt (Prometheus built-ins, k6) and every name
// the rules record.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"gopkg.in/yaml.v3"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: stackcheck queries|logql|rules|compose|k8s|configmap|helm-values|links ...")
	}
	var problems []string
	switch os.Args[1] {
	case "queries":
		problems = checkQueries(os.Args[2], os.Args[3], os.Args[4:])
	case "logql":
		problems = checkLogQLFiles(os.Args[2], os.Args[3:])
	case "rules":
		problems = checkRules(os.Args[2], os.Args[3])
	case "compose":
		problems = checkCompose(os.Args[2], os.Args[3:])
	case "k8s":
		problems = checkKubernetes(os.Stdin)
	case "configmap":
		problems = printConfigMapKey(os.Stdin, os.Args[2], os.Args[3])
	case "helm-values":
		problems = checkHelmValues(os.Args[2])
	case "links":
		fields := ""
		if len(os.Args) > 7 {
			fields = os.Args[7]
		}
		problems = checkLinks(os.Args[2], os.Args[3], os.Args[4], os.Args[5], os.Args[6], fields)
	default:
		fail("unknown command " + os.Args[1])
	}
	for _, p := range problems {
		fmt.Println(p)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(2)
}

// knownNames reads the allowed metric names; a histogram's base name also allows its
// _bucket, _sum and _count series.
func knownNames(metricsDir, rulesDir string) map[string]bool {
	names := map[string]bool{}
	services := filepath.Join(metricsDir, "services.txt")
	if f := os.Getenv("METRIC_NAMES_FILE"); f != "" {
		services = f
	}
	for _, file := range []string{services, filepath.Join(metricsDir, "stack.txt")} {
		data, err := os.ReadFile(file)
		if err != nil {
			fail(err.Error())
		}
		for _, line := range strings.Split(string(data), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				names[line] = true
			}
		}
	}
	for _, rule := range loadRules(rulesDir) {
		if rule.Record != "" {
			names[rule.Record] = true
		}
	}
	return names
}

func isKnown(names map[string]bool, name string) bool {
	if names[name] {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if strings.HasSuffix(name, suffix) && names[strings.TrimSuffix(name, suffix)] {
			return true
		}
	}
	return false
}

// checkPromQL parses expr and reports every metric name it selects that is not known.
func checkPromQL(where, expr string, names map[string]bool) []string {
	parsed, err := parser.ParseExpr(expr)
	if err != nil {
		return []string{fmt.Sprintf("%s: invalid PromQL %q: %v", where, expr, err)}
	}
	var problems []string
	parser.Inspect(parsed, func(node parser.Node, _ []parser.Node) error {
		if vs, ok := node.(*parser.VectorSelector); ok {
			name := vs.Name
			for _, m := range vs.LabelMatchers {
				if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
					name = m.Value
				}
			}
			if name == "" {
				problems = append(problems, fmt.Sprintf("%s: selector without a metric name in %q", where, expr))
			} else if !isKnown(names, name) {
				problems = append(problems, fmt.Sprintf("%s: unknown metric %s in %q", where, name, expr))
			}
		}
		return nil
	})
	return problems
}

// Grafana replaces its variables before a query reaches Prometheus or Loki; do the same with
// harmless values so the query parses: $__rate_interval -> 5m, $service -> x.
var grafanaVariable = regexp.MustCompile(`\$\{?(__[a-z_]+|[A-Za-z_][A-Za-z0-9_]*)(:[a-z]+)?\}?`)

func substituteVariables(expr string) string {
	return grafanaVariable.ReplaceAllStringFunc(expr, func(v string) string {
		if strings.Contains(v, "__") {
			return "5m"
		}
		return "x"
	})
}

type dashboard struct {
	Title      string  `json:"title"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

// datasourceVariables maps "${name}" and "$name" of each datasource variable to the plugin type
// it selects (e.g. ${datasource} -> prometheus), so panels using it are checked like the fixed uid.
func datasourceVariables(d dashboard) map[string]string {
	vars := map[string]string{}
	for _, v := range d.Templating.List {
		if plugin, ok := v.Query.(string); ok && v.Type == "datasource" {
			vars["${"+v.Name+"}"] = plugin
			vars["$"+v.Name] = plugin
		}
	}
	return vars
}

type panel struct {
	Title       string `json:"title"`
	Type        string `json:"type"`
	Description string `json:"description"`
	Datasource  *struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		Expr       string `json:"expr"`
		Datasource *struct {
			UID string `json:"uid"`
		} `json:"datasource"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // collapsed rows hold their panels
}

// lokiFieldsFile is deploy/test/logs/fields.txt beside METRICS_DIR, or $LOKI_FIELDS_FILE.
func lokiFieldsFile(metricsDir string) string {
	if f := os.Getenv("LOKI_FIELDS_FILE"); f != "" {
		return f
	}
	return filepath.Join(metricsDir, "..", "logs", "fields.txt")
}

func checkQueries(metricsDir, rulesDir string, files []string) []string {
	names := knownNames(metricsDir, rulesDir)
	model, _ := loadFieldModel(lokiFieldsFile(metricsDir))
	var problems []string
	var walk func(file string, panels []panel, dsVars map[string]string)
	walk = func(file string, panels []panel, dsVars map[string]string) {
		for _, p := range panels {
			where := fmt.Sprintf("%s: panel %q", filepath.Base(file), p.Title)
			if p.Type != "row" && strings.TrimSpace(p.Description) == "" {
				problems = append(problems, where+": no description")
			}
			for _, t := range p.Targets {
				uid := ""
				if p.Datasource != nil {
					uid = p.Datasource.UID
				}
				if t.Datasource != nil && t.Datasource.UID != "" {
					uid = t.Datasource.UID
				}
				if plugin, ok := dsVars[uid]; ok {
					uid = plugin
				}
				expr := substituteVariables(t.Expr)
				switch uid {
				case "prometheus":
					problems = append(problems, checkPromQL(where, expr, names)...)
				case "loki":
					problems = append(problems, checkLogQL(where, t.Expr, model)...)
				case "jaeger":
					// A trace search (service, tags, durations): no query language to parse.
					if t.Expr != "" {
						problems = append(problems, fmt.Sprintf("%s: a Jaeger target with an expr %q", where, t.Expr))
					}
				default:
					problems = append(problems, fmt.Sprintf("%s: query on unknown datasource %q", where, uid))
				}
			}
			walk(file, p.Panels, dsVars)
		}
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			fail(err.Error())
		}
		var d dashboard
		if err := json.Unmarshal(data, &d); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", file, err))
			continue
		}
		walk(file, d.Panels, datasourceVariables(d))
	}
	return problems
}

type rule struct {
	Record string `yaml:"record"`
	Alert  string `yaml:"alert"`
	Expr   string `yaml:"expr"`
}

func loadRules(dir string) []rule {
	files, _ := filepath.Glob(filepath.Join(dir, "*.yml"))
	var rules []rule
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			fail(err.Error())
		}
		var doc struct {
			Groups []struct {
				Rules []rule `yaml:"rules"`
			} `yaml:"groups"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			fail(fmt.Sprintf("%s: %v", file, err))
		}
		for _, g := range doc.Groups {
			rules = append(rules, g.Rules...)
		}
	}
	return rules
}

func checkRules(metricsDir, rulesDir string) []string {
	names := knownNames(metricsDir, rulesDir)
	var problems []string
	for _, r := range loadRules(rulesDir) {
		problems = append(problems, checkPromQL("rule "+r.Record+r.Alert, r.Expr, names)...)
	}
	return problems
}

func checkCompose(envFile string, files []string) []string {
	options, err := cli.NewProjectOptions(files, cli.WithName("stackcheck"), cli.WithEnvFiles(envFile), cli.WithDotEnv)
	if err != nil {
		return []string{err.Error()}
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		return []string{err.Error()}
	}
	fmt.Fprintf(os.Stderr, "# %s: %d services valid\n", strings.Join(files, " + "), len(project.Services))
	return nil
}
