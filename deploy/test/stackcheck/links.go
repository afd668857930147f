package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The Grafana datasources file (deploy/grafana/provisioning/datasources/datasources.yml), as far
// as its links between signals go.
type datasourcesFile struct {
	Datasources []struct {
		Name     string `yaml:"name"`
		UID      string `yaml:"uid"`
		JSONData struct {
			ExemplarTraceIDDestinations []struct {
				Name          string `yaml:"name"`
				DatasourceUID string `yaml:"datasourceUid"`
			} `yaml:"exemplarTraceIdDestinations"`
			DerivedFields []struct {
				Name          string `yaml:"name"`
				MatcherType   string `yaml:"matcherType"`
				MatcherRegex  string `yaml:"matcherRegex"`
				URL           string `yaml:"url"`
				DatasourceUID string `yaml:"datasourceUid"`
			} `yaml:"derivedFields"`
			TracesToLogsV2 *struct {
				DatasourceUID string `yaml:"datasourceUid"`
				CustomQuery   bool   `yaml:"customQuery"`
				Query         string `yaml:"query"`
			} `yaml:"tracesToLogsV2"`
		} `yaml:"jsonData"`
	} `yaml:"datasources"`
}

// Jaeger's query API answer for GET /api/traces/<id>.
type jaegerTraces struct {
	Data []struct {
		TraceID string `json:"traceID"`
		Spans   []struct {
			TraceID       string `json:"traceID"`
			SpanID        string `json:"spanID"`
			OperationName string `json:"operationName"`
			Duration      int64  `json:"duration"`
			ProcessID     string `json:"processID"`
			Tags          []struct {
				Key   string `json:"key"`
				Value any    `json:"value"`
			} `json:"tags"`
		} `json:"spans"`
		Processes map[string]struct {
			ServiceName string `json:"serviceName"`
		} `json:"processes"`
	} `json:"data"`
}

// One line of the Collector's file exporter: OTLP/JSON logs.
type otlpLogs struct {
	ResourceLogs []struct {
		Resource struct {
			Attributes []otlpAttribute `json:"attributes"`
		} `json:"resource"`
		ScopeLogs []struct {
			Scope struct {
				Name    string `json:"name"`
				Version string `json:"version"`
			} `json:"scope"`
			LogRecords []struct {
				SeverityText   string          `json:"severityText"`
				SeverityNumber int             `json:"severityNumber"`
				Body           json.RawMessage `json:"body"`
				Attributes     []otlpAttribute `json:"attributes"`
				Flags          uint32          `json:"flags"`
				TraceID        string          `json:"traceId"`
				SpanID         string          `json:"spanId"`
			} `json:"logRecords"`
		} `json:"scopeLogs"`
	} `json:"resourceLogs"`
}

type otlpAttribute struct {
	Key   string `json:"key"`
	Value struct {
		StringValue *string  `json:"stringValue"`
		IntValue    *string  `json:"intValue"`
		DoubleValue *float64 `json:"doubleValue"`
		BoolValue   *bool    `json:"boolValue"`
		KvlistValue *struct {
			Values []otlpAttribute `json:"values"`
		} `json:"kvlistValue"`
	} `json:"value"`
}

// flatten adds the attribute to fields the way Loki stores a log attribute as structured
// metadata: a map's keys joined to its name with _ (err.type -> err_type).
func (a otlpAttribute) flatten(prefix string, fields map[string]string) {
	name := lokiName(prefix + a.Key)
	if kv := a.Value.KvlistValue; kv != nil {
		for _, inner := range kv.Values {
			inner.flatten(name+"_", fields)
		}
		return
	}
	if v, ok := a.String(); ok {
		fields[name] = v
	}
}

func (a otlpAttribute) String() (string, bool) {
	switch v := a.Value; {
	case v.StringValue != nil:
		return *v.StringValue, true
	case v.IntValue != nil:
		return *v.IntValue, true
	case v.DoubleValue != nil:
		return strconv.FormatFloat(*v.DoubleValue, 'f', -1, 64), true
	case v.BoolValue != nil:
		return strconv.FormatBool(*v.BoolValue), true
	}
	return "", false // arrays and maps: not needed by any link
}

// lokiEntry is a log record as Loki's OTLP ingestion stores it: stream labels from the default
// index resource attributes, structured metadata from the other attributes and the record's
// fields, the body as the line. Attribute names are normalized like Prometheus label names.
type lokiEntry struct {
	stream   map[string]string
	metadata map[string]string
	line     string
}

// Loki's default resource attributes stored as index labels (distributor.otlp_config).
var lokiIndexAttributes = map[string]bool{
	"cloud.availability_zone": true, "cloud.region": true, "container.name": true,
	"deployment.environment": true, "deployment.environment.name": true,
	"k8s.cluster.name": true, "k8s.container.name": true, "k8s.cronjob.name": true,
	"k8s.daemonset.name": true, "k8s.deployment.name": true, "k8s.job.name": true,
	"k8s.namespace.name": true, "k8s.pod.name": true, "k8s.replicaset.name": true,
	"k8s.statefulset.name": true, "service.instance.id": true, "service.name": true,
	"service.namespace": true,
}

var notLabelChar = regexp.MustCompile(`[^a-zA-Z0-9_]`)

func lokiName(key string) string { return notLabelChar.ReplaceAllString(key, "_") }

func readLokiEntries(file, traceID string) ([]lokiEntry, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var entries []lokiEntry
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 64<<20)
	for scanner.Scan() {
		if !strings.Contains(scanner.Text(), traceID) {
			continue
		}
		var batch otlpLogs
		if err := json.Unmarshal(scanner.Bytes(), &batch); err != nil {
			return nil, fmt.Errorf("%s: %v", file, err)
		}
		for _, rl := range batch.ResourceLogs {
			stream, resourceMetadata := map[string]string{"service_name": "unknown_service"}, map[string]string{}
			for _, a := range rl.Resource.Attributes {
				if v, ok := a.String(); ok {
					if lokiIndexAttributes[a.Key] {
						stream[lokiName(a.Key)] = v
					} else {
						resourceMetadata[lokiName(a.Key)] = v
					}
				}
			}
			for _, sl := range rl.ScopeLogs {
				for _, r := range sl.LogRecords {
					if r.TraceID != traceID {
						continue
					}
					metadata := map[string]string{"scope_name": sl.Scope.Name, "trace_id": r.TraceID, "span_id": r.SpanID}
					if sl.Scope.Version != "" {
						metadata["scope_version"] = sl.Scope.Version
					}
					for k, v := range resourceMetadata {
						metadata[k] = v
					}
					for _, a := range r.Attributes {
						a.flatten("", metadata)
					}
					if r.SeverityText != "" {
						metadata["severity_text"] = r.SeverityText
						// Loki's discover_log_levels takes an OTLP record's level from its severity.
						metadata["detected_level"] = strings.ToLower(r.SeverityText)
					}
					if r.SeverityNumber != 0 {
						metadata["severity_number"] = strconv.Itoa(r.SeverityNumber)
					}
					if r.Flags != 0 {
						metadata["flags"] = strconv.FormatUint(uint64(r.Flags), 10)
					}
					var body struct {
						StringValue string `json:"stringValue"`
					}
					_ = json.Unmarshal(r.Body, &body)
					entries = append(entries, lokiEntry{stream: stream, metadata: metadata, line: body.StringValue})
				}
			}
		}
	}
	return entries, scanner.Err()
}

// Grafana's ${__span.*} / ${__trace.*} / ${__value.*} variables in a link.
var linkVariable = regexp.MustCompile(`\$\{(__[a-zA-Z]+)\.([a-zA-Z]+)(?:\[\"([^\"]+)\"\]|\.([A-Za-z0-9_.]+))?\}`)

// checkLinks proves that every link between signals in the Grafana datasources resolves against
// what the backends really return: the trace-to-logs query against Jaeger's JSON for a span and
// the Loki entries that span's logs become; the exemplar destination against Prometheus'
// exemplar labels; each Loki derived field against those Loki entries (sampled lines only).
func checkLinks(datasourcesPath, tracePath, logsPath, exemplarsPath, unsampledTraceID, fieldsFile string) []string {
	var problems []string
	var ds datasourcesFile
	data, err := os.ReadFile(datasourcesPath)
	if err != nil {
		fail(err.Error())
	}
	// Grafana expands $VAR in provisioning files; $$ is a literal $.
	if err := yaml.Unmarshal([]byte(strings.ReplaceAll(string(data), "$$", "$")), &ds); err != nil {
		return []string{fmt.Sprintf("%s: %v", datasourcesPath, err)}
	}
	var traces jaegerTraces
	if data, err = os.ReadFile(tracePath); err == nil {
		err = json.Unmarshal(data, &traces)
	}
	if err != nil || len(traces.Data) == 0 || len(traces.Data[0].Spans) == 0 {
		return []string{fmt.Sprintf("%s: no Jaeger trace (%v)", tracePath, err)}
	}
	trace := traces.Data[0]
	entries, err := readLokiEntries(logsPath, trace.TraceID)
	if err != nil || len(entries) == 0 {
		return []string{fmt.Sprintf("%s: no log records of trace %s (%v)", logsPath, trace.TraceID, err)}
	}
	// The field model the LogQL checks trust: each field it requires is on the trace's records.
	if fieldsFile != "" {
		_, required := loadFieldModel(fieldsFile)
		for _, field := range required {
			found := false
			for _, e := range entries {
				_, found = e.metadata[field]
				if found {
					break
				}
			}
			if !found {
				problems = append(problems, fmt.Sprintf("%s: field %s is on none of trace %s's %d log records as Loki would store them", fieldsFile, field, trace.TraceID, len(entries)))
			}
		}
	}
	unsampledEntries, err := readLokiEntries(logsPath, unsampledTraceID)
	if err != nil || len(unsampledEntries) == 0 {
		return []string{fmt.Sprintf("%s: no log records of the unsampled trace %s (%v)", logsPath, unsampledTraceID, err)}
	}
	var exemplars struct {
		Data []struct {
			Exemplars []struct {
				Labels map[string]string `json:"labels"`
			} `json:"exemplars"`
		} `json:"data"`
	}
	if data, err = os.ReadFile(exemplarsPath); err == nil {
		err = json.Unmarshal(data, &exemplars)
	}
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", exemplarsPath, err)}
	}

	checked := 0
	for _, d := range ds.Datasources {
		if t := d.JSONData.TracesToLogsV2; t != nil {
			checked++
			// Every span of the trace must lead to log lines of its trace.
			for _, span := range trace.Spans {
				where := fmt.Sprintf("%s tracesToLogsV2 for span %q of %s", d.Name, span.OperationName, trace.Processes[span.ProcessID].ServiceName)
				tags := map[string]string{}
				for _, tag := range span.Tags {
					tags[tag.Key] = fmt.Sprint(tag.Value)
				}
				var missing []string
				query := linkVariable.ReplaceAllStringFunc(t.Query, func(v string) string {
					m := linkVariable.FindStringSubmatch(v)
					key := m[3] + m[4]
					switch m[1] + "." + m[2] {
					case "__trace.traceId", "__span.traceId":
						return trace.TraceID
					case "__span.spanId":
						return span.SpanID
					case "__span.name", "__trace.name":
						return span.OperationName
					case "__span.tags":
						if value, ok := tags[key]; ok {
							return value
						}
					}
					missing = append(missing, v)
					return ""
				})
				if len(missing) > 0 {
					// Grafana hides the link when a variable has no value.
					problems = append(problems, fmt.Sprintf("%s: %v not in Jaeger's span (tags: %v)", where, missing, keys(tags)))
					continue
				}
				matched, err := matchLogQL(query, entries)
				if err != nil {
					problems = append(problems, fmt.Sprintf("%s: %q: %v", where, query, err))
				} else if matched == 0 {
					problems = append(problems, fmt.Sprintf("%s: %q matches none of the trace's %d log lines", where, query, len(entries)))
				}
			}
		}
		for _, dest := range d.JSONData.ExemplarTraceIDDestinations {
			checked++
			found := false
			for _, series := range exemplars.Data {
				for _, e := range series.Exemplars {
					found = found || e.Labels[dest.Name] == trace.TraceID
				}
			}
			if !found {
				problems = append(problems, fmt.Sprintf("%s exemplarTraceIdDestinations: no exemplar label %q carries trace %s", d.Name, dest.Name, trace.TraceID))
			}
		}
		for _, field := range d.JSONData.DerivedFields {
			checked++
			where := fmt.Sprintf("%s derived field %q", d.Name, field.Name)
			if strings.Contains(strings.ReplaceAll(field.URL, "${__value.raw}", ""), "${") {
				problems = append(problems, fmt.Sprintf("%s: url %q uses a variable other than ${__value.raw}", where, field.URL))
			}
			linked := 0
			for _, e := range entries {
				value, ok := derivedValue(field.MatcherType, field.MatcherRegex, e)
				if ok && value != trace.TraceID {
					problems = append(problems, fmt.Sprintf("%s: links %q, not the trace id %s", where, value, trace.TraceID))
				}
				if ok {
					linked++
				}
			}
			if linked == 0 {
				problems = append(problems, fmt.Sprintf("%s: links none of the sampled trace's %d log lines", where, len(entries)))
			}
			// A line of a trace that was not sampled must not link: that trace was never exported.
			for _, e := range unsampledEntries {
				if value, ok := derivedValue(field.MatcherType, field.MatcherRegex, e); ok {
					problems = append(problems, fmt.Sprintf("%s: links %q from a line of an unsampled trace (never exported)", where, value))
					break
				}
			}
		}
	}
	if checked == 0 {
		problems = append(problems, datasourcesPath+": no links found")
	}
	fmt.Printf("# %d links checked against trace %s (%d spans) and its %d log lines\n", checked, trace.TraceID, len(trace.Spans), len(entries))
	return problems
}

// derivedValue is what Grafana's derived field takes from an entry: a regex group on the line,
// or (matcherType label) the value of the label or structured metadata field the regex names.
func derivedValue(matcherType, matcherRegex string, e lokiEntry) (string, bool) {
	re, err := regexp.Compile(matcherRegex)
	if err != nil {
		return "", false
	}
	if matcherType == "label" {
		for _, fields := range []map[string]string{e.stream, e.metadata} {
			for k, v := range fields {
				if re.MatchString(k) {
					return v, true
				}
			}
		}
		return "", false
	}
	m := re.FindStringSubmatch(e.line)
	if len(m) < 2 {
		return "", false
	}
	return m[1], true
}

// matchLogQL counts the entries a LogQL log query selects.
func matchLogQL(query string, entries []lokiEntry) (int, error) {
	expr, err := parseLogQL(query)
	if err != nil {
		return 0, err
	}
	if expr.log == nil {
		return 0, fmt.Errorf("a metric query, not a log query")
	}
	count := 0
	for _, e := range entries {
		selected, err := expr.log.match(e)
		if err != nil {
			return 0, err
		}
		if selected {
			count++
		}
	}
	return count, nil
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
