package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// loadFieldModel reads the structured metadata fields (deploy/test/logs/fields.txt: one name a
// line, "optional" after the ones a request's records may lack); the stream labels are Loki's
// default index resource attributes.
func loadFieldModel(file string) (model lokiFieldModel, required []string) {
	data, err := os.ReadFile(file)
	if err != nil {
		fail(err.Error())
	}
	model = lokiFieldModel{labels: map[string]bool{}, metadata: map[string]bool{}}
	for attribute := range lokiIndexAttributes {
		model.labels[lokiName(attribute)] = true
	}
	for _, line := range strings.Split(string(data), "\n") {
		words := strings.Fields(line)
		if len(words) == 0 || strings.HasPrefix(words[0], "#") {
			continue
		}
		model.metadata[words[0]] = true
		if len(words) == 1 {
			required = append(required, words[0])
		}
	}
	return model, required
}

// checkLogQL parses a query (Grafana's variables replaced by sample values, as Grafana does
// before Loki sees it) and checks the names it uses against the field model.
func checkLogQL(where, query string, model lokiFieldModel) []string {
	expr, err := parseLogQL(substituteVariables(query))
	if err != nil {
		return []string{fmt.Sprintf("%s: invalid LogQL %q: %v", where, query, err)}
	}
	var problems []string
	for _, p := range model.checkFields(expr) {
		problems = append(problems, fmt.Sprintf("%s: %q: %s", where, query, p))
	}
	return problems
}

// A code span that is a LogQL query: a stream selector first, or a function over one. A bare
// selector ({service!=""}) is also PromQL: it counts as LogQL when a pipeline follows it or it
// selects on a stream label.
var (
	logqlPipeline    = regexp.MustCompile(`\}\s*(\||!=|!~)`)
	streamLabelFirst = regexp.MustCompile(`^\{\s*(service_name|deployment_environment_name|k8s_[a-z_]+|service_namespace|service_instance_id)\s*(=|!=|=~|!~)`)
	codeSpan         = regexp.MustCompile("`([^`\n]+)`")
	logqlStart       = regexp.MustCompile(`^\{\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"`)
	logqlInsideRange = regexp.MustCompile(`^[a-z_]+[\s(].*\(\s*\{\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"`)
)

// logQueriesInMarkdown returns every LogQL code span and every line of a ```logql block.
func logQueriesInMarkdown(text string) []string {
	var queries []string
	inLogQL, inFence := false, false
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			inFence = !inFence
			inLogQL = inFence && strings.TrimPrefix(trimmed, "```") == "logql"
			continue
		}
		if inLogQL && trimmed != "" {
			queries = append(queries, trimmed)
			continue
		}
		if inFence {
			continue
		}
		for _, m := range codeSpan.FindAllStringSubmatch(line, -1) {
			span := strings.TrimSpace(m[1])
			bareSelector := logqlStart.MatchString(span)
			if bareSelector && (logqlPipeline.MatchString(span) || streamLabelFirst.MatchString(span)) || logqlInsideRange.MatchString(span) {
				queries = append(queries, span)
			}
		}
	}
	return queries
}

// logQueriesInDashboard returns the expr of every target on the Loki datasource.
func logQueriesInDashboard(data []byte) ([]string, error) {
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	dsVars := datasourceVariables(d)
	var queries []string
	var walk func(panels []panel)
	walk = func(panels []panel) {
		for _, p := range panels {
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
				if uid == "loki" {
					queries = append(queries, t.Expr)
				}
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return queries, nil
}

// logQueriesInDatasources returns the trace-to-logs queries of a Grafana datasources file, with
// its link variables (${__trace.traceId}, ...) replaced by a sample value.
func logQueriesInDatasources(data []byte) ([]string, error) {
	var ds datasourcesFile
	if err := yaml.Unmarshal([]byte(strings.ReplaceAll(string(data), "$$", "$")), &ds); err != nil {
		return nil, err
	}
	var queries []string
	for _, d := range ds.Datasources {
		if t := d.JSONData.TracesToLogsV2; t != nil && t.CustomQuery {
			queries = append(queries, linkVariable.ReplaceAllString(t.Query, "sample"))
		}
	}
	return queries, nil
}

// checkLogQLFiles finds every LogQL query in the given files (Markdown code spans and ```logql
// blocks, dashboard JSON, Grafana datasources YAML) and checks each against the field model.
func checkLogQLFiles(fieldsFile string, files []string) []string {
	model, _ := loadFieldModel(fieldsFile)
	var problems []string
	total := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			fail(err.Error())
		}
		var queries []string
		switch ext := filepath.Ext(file); {
		case ext == ".md":
			queries = logQueriesInMarkdown(string(data))
		case ext == ".json":
			queries, err = logQueriesInDashboard(data)
		case ext == ".yml" || ext == ".yaml":
			queries, err = logQueriesInDatasources(data)
		default:
			err = fmt.Errorf("not a Markdown, dashboard or datasources file")
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", file, err))
		}
		for _, q := range queries {
			problems = append(problems, checkLogQL(file, q, model)...)
		}
		total += len(queries)
	}
	fmt.Fprintf(os.Stderr, "# %d LogQL queries in %d files checked\n", total, len(files))
	if total == 0 {
		problems = append(problems, "no LogQL query found: the extraction is broken")
	}
	return problems
}
