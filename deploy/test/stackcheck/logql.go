package main

// A parser and evaluator for the subset of LogQL this repository writes, after the grammar of
// Loki's query language documentation (https://grafana.com/docs/loki/latest/query/): log queries
// (stream selector, line filters, label filters, line_format/label_format/keep/drop/decolorize,
// the json/logfmt/regexp/pattern/unpack parsers) and metric queries (range aggregations over a
// log range, unwrap, vector aggregations with by/without, topk/bottomk, sort, scalar arithmetic).
// Loki's own parser is AGPL, so the checks use this one; anything outside the subset is an error,
// never silently accepted. Tests: logql_test.go.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

type logMatcher struct{ name, op, value string }

// A pipeline stage of a log query.
type logStage struct {
	kind    string // line, label, parser, line_format, label_format, keep, drop, decolorize, unwrap
	op      string // line: |= != |~ !~ |> !>; label: = != =~ !~ > >= < <= ==
	values  []string
	filter  *labelFilter
	parser  string
	targets []string // labels a stage reads (label_format sources, keep/drop, unwrap)
	outputs []string // labels a stage creates (label_format targets, regexp/pattern captures)
}

// labelFilter is a boolean expression of comparisons on one label each.
type labelFilter struct {
	and, or  *[2]*labelFilter
	name, op string
	value    string
	numeric  bool
}

type logQuery struct {
	matchers []logMatcher
	stages   []logStage
}

// logqlExpr is a parsed query: a log query, or a metric query with the log queries it ranges over
// and the labels it groups by.
type logqlExpr struct {
	log     *logQuery
	ranges  []*logQuery
	groupBy []string
}

type logqlParser struct {
	src string
	pos int
}

func parseLogQL(src string) (*logqlExpr, error) {
	p := &logqlParser{src: src}
	expr := &logqlExpr{}
	p.skipSpace()
	if p.peek("{") {
		q, err := p.logQuery()
		if err != nil {
			return nil, err
		}
		expr.log = q
	} else if err := p.metric(expr); err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		return nil, p.errorf("unexpected %q", p.rest(12))
	}
	return expr, nil
}

func (p *logqlParser) errorf(format string, args ...any) error {
	return fmt.Errorf("at %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *logqlParser) rest(n int) string {
	r := p.src[p.pos:]
	if len(r) > n {
		r = r[:n]
	}
	return r
}

func (p *logqlParser) skipSpace() {
	for p.pos < len(p.src) && unicode.IsSpace(rune(p.src[p.pos])) {
		p.pos++
	}
}

func (p *logqlParser) peek(s string) bool {
	p.skipSpace()
	return strings.HasPrefix(p.src[p.pos:], s)
}

func (p *logqlParser) accept(s string) bool {
	if p.peek(s) {
		p.pos += len(s)
		return true
	}
	return false
}

func (p *logqlParser) expect(s string) error {
	if !p.accept(s) {
		return p.errorf("expected %q, found %q", s, p.rest(12))
	}
	return nil
}

var identifierPattern = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*`)

func (p *logqlParser) identifier() (string, error) {
	p.skipSpace()
	id := identifierPattern.FindString(p.src[p.pos:])
	if id == "" {
		return "", p.errorf("expected a name, found %q", p.rest(12))
	}
	p.pos += len(id)
	return id, nil
}

// keyword accepts a whole word (not a prefix of a longer name).
func (p *logqlParser) keyword(word string) bool {
	p.skipSpace()
	if id := identifierPattern.FindString(p.src[p.pos:]); id == word {
		p.pos += len(id)
		return true
	}
	return false
}

// str reads a "double-quoted" (Go escapes) or `backtick` string.
func (p *logqlParser) str() (string, error) {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return "", p.errorf("expected a string, found the end")
	}
	switch p.src[p.pos] {
	case '`':
		end := strings.IndexByte(p.src[p.pos+1:], '`')
		if end < 0 {
			return "", p.errorf("unterminated `string`")
		}
		s := p.src[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
		return s, nil
	case '"':
		for i := p.pos + 1; i < len(p.src); i++ {
			if p.src[i] == '\\' {
				i++
				continue
			}
			if p.src[i] == '"' {
				s, err := strconv.Unquote(p.src[p.pos : i+1])
				if err != nil {
					return "", p.errorf("invalid string %s: %v", p.src[p.pos:i+1], err)
				}
				p.pos = i + 1
				return s, nil
			}
		}
		return "", p.errorf("unterminated \"string\"")
	}
	return "", p.errorf("expected a string, found %q", p.rest(12))
}

func (p *logqlParser) oneOf(ops ...string) string {
	for _, op := range ops {
		if p.accept(op) {
			return op
		}
	}
	return ""
}

func (p *logqlParser) logQuery() (*logQuery, error) {
	q := &logQuery{}
	if err := p.expect("{"); err != nil {
		return nil, err
	}
	for !p.accept("}") {
		if len(q.matchers) > 0 {
			if err := p.expect(","); err != nil {
				return nil, err
			}
		}
		name, err := p.identifier()
		if err != nil {
			return nil, err
		}
		op := p.oneOf("=~", "!~", "!=", "=")
		if op == "" {
			return nil, p.errorf("expected a matcher operator after %s", name)
		}
		value, err := p.str()
		if err != nil {
			return nil, err
		}
		if op == "=~" || op == "!~" {
			if _, err := regexp.Compile(value); err != nil {
				return nil, p.errorf("invalid regexp %q: %v", value, err)
			}
		}
		q.matchers = append(q.matchers, logMatcher{name, op, value})
	}
	if len(q.matchers) == 0 {
		return nil, p.errorf("a stream selector needs at least one matcher")
	}
	for {
		if op := p.oneOf("|=", "|~", "|>", "!=", "!~", "!>"); op != "" {
			stage := logStage{kind: "line", op: op}
			for {
				value, err := p.str()
				if err != nil {
					return nil, err
				}
				if (op == "|~" || op == "!~") && !validRegexp(value) {
					return nil, p.errorf("invalid regexp %q", value)
				}
				stage.values = append(stage.values, value)
				if !p.keyword("or") {
					break
				}
			}
			q.stages = append(q.stages, stage)
			continue
		}
		if !p.accept("|") {
			return q, nil
		}
		stage, err := p.stage()
		if err != nil {
			return nil, err
		}
		q.stages = append(q.stages, stage)
	}
}

func validRegexp(s string) bool { _, err := regexp.Compile(s); return err == nil }

var captureName = regexp.MustCompile(`\(\?P?<([a-zA-Z_][a-zA-Z0-9_]*)>`)
var patternCapture = regexp.MustCompile(`<([a-zA-Z_][a-zA-Z0-9_]*)>`)

func (p *logqlParser) stage() (logStage, error) {
	save := p.pos
	name := ""
	if !p.peek("(") {
		var err error
		if name, err = p.identifier(); err != nil {
			return logStage{}, err
		}
	}
	switch name {
	case "json", "logfmt", "unpack":
		// Their parameters (json a="b.c", logfmt --strict) are outside the subset.
		return logStage{kind: "parser", parser: name}, nil
	case "regexp", "pattern":
		value, err := p.str()
		if err != nil {
			return logStage{}, err
		}
		capture := patternCapture
		if name == "regexp" {
			if !validRegexp(value) {
				return logStage{}, p.errorf("invalid regexp %q", value)
			}
			capture = captureName
		}
		stage := logStage{kind: "parser", parser: name}
		for _, m := range capture.FindAllStringSubmatch(value, -1) {
			stage.outputs = append(stage.outputs, m[1])
		}
		return stage, nil
	case "line_format":
		value, err := p.str()
		return logStage{kind: "line_format", values: []string{value}}, err
	case "decolorize":
		return logStage{kind: "decolorize"}, nil
	case "keep", "drop":
		stage := logStage{kind: name}
		for {
			label, err := p.identifier()
			if err != nil {
				return logStage{}, err
			}
			stage.targets = append(stage.targets, label)
			if p.oneOf("=~", "!~", "!=", "=") != "" {
				if _, err := p.str(); err != nil {
					return logStage{}, err
				}
			}
			if !p.accept(",") {
				return stage, nil
			}
		}
	case "label_format":
		stage := logStage{kind: "label_format"}
		for {
			target, err := p.identifier()
			if err != nil {
				return logStage{}, err
			}
			if err := p.expect("="); err != nil {
				return logStage{}, err
			}
			stage.outputs = append(stage.outputs, target)
			if p.peek(`"`) || p.peek("`") {
				if _, err := p.str(); err != nil {
					return logStage{}, err
				}
			} else {
				source, err := p.identifier()
				if err != nil {
					return logStage{}, err
				}
				stage.targets = append(stage.targets, source)
			}
			if !p.accept(",") {
				return stage, nil
			}
		}
	case "unwrap":
		stage := logStage{kind: "unwrap"}
		label, err := p.identifier()
		if err != nil {
			return logStage{}, err
		}
		if label == "duration" || label == "duration_seconds" || label == "bytes" {
			if p.accept("(") {
				if label, err = p.identifier(); err != nil {
					return logStage{}, err
				}
				if err := p.expect(")"); err != nil {
					return logStage{}, err
				}
			}
		}
		stage.targets = []string{label}
		return stage, nil
	}
	p.pos = save
	filter, err := p.labelOr()
	if err != nil {
		return logStage{}, err
	}
	return logStage{kind: "label", filter: filter}, nil
}

func (p *logqlParser) labelOr() (*labelFilter, error) {
	left, err := p.labelAnd()
	if err != nil {
		return nil, err
	}
	for p.keyword("or") {
		right, err := p.labelAnd()
		if err != nil {
			return nil, err
		}
		left = &labelFilter{or: &[2]*labelFilter{left, right}}
	}
	return left, nil
}

func (p *logqlParser) labelAnd() (*labelFilter, error) {
	left, err := p.labelComparison()
	if err != nil {
		return nil, err
	}
	for {
		if !p.keyword("and") && !p.accept(",") {
			return left, nil
		}
		right, err := p.labelComparison()
		if err != nil {
			return nil, err
		}
		left = &labelFilter{and: &[2]*labelFilter{left, right}}
	}
}

var numberOrDuration = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([a-zA-Z]+)?`)

func (p *logqlParser) labelComparison() (*labelFilter, error) {
	if p.accept("(") {
		f, err := p.labelOr()
		if err != nil {
			return nil, err
		}
		return f, p.expect(")")
	}
	name, err := p.identifier()
	if err != nil {
		return nil, err
	}
	op := p.oneOf("=~", "!~", "!=", "==", ">=", "<=", ">", "<", "=")
	if op == "" {
		return nil, p.errorf("expected a label filter operator after %s, found %q", name, p.rest(12))
	}
	if p.peek(`"`) || p.peek("`") {
		value, err := p.str()
		if err != nil {
			return nil, err
		}
		if op != "=" && op != "!=" && op != "=~" && op != "!~" {
			return nil, p.errorf("%s %s needs a number, not a string", name, op)
		}
		if (op == "=~" || op == "!~") && !validRegexp(value) {
			return nil, p.errorf("invalid regexp %q", value)
		}
		return &labelFilter{name: name, op: op, value: value}, nil
	}
	p.skipSpace()
	number := numberOrDuration.FindString(p.src[p.pos:])
	if number == "" || op == "=~" || op == "!~" {
		return nil, p.errorf("expected a value after %s %s, found %q", name, op, p.rest(12))
	}
	p.pos += len(number)
	return &labelFilter{name: name, op: op, value: number, numeric: true}, nil
}

var rangeAggregations = map[string]bool{
	"count_over_time": true, "rate": true, "bytes_over_time": true, "bytes_rate": true,
	"absent_over_time": true, "rate_counter": true, "sum_over_time": true, "avg_over_time": true,
	"max_over_time": true, "min_over_time": true, "first_over_time": true, "last_over_time": true,
	"stdvar_over_time": true, "stddev_over_time": true, "quantile_over_time": true,
}

// The range aggregations that need an unwrapped value.
var unwrapAggregations = map[string]bool{
	"rate_counter": true, "sum_over_time": true, "avg_over_time": true, "max_over_time": true,
	"min_over_time": true, "first_over_time": true, "last_over_time": true, "stdvar_over_time": true,
	"stddev_over_time": true, "quantile_over_time": true,
}

var vectorAggregations = map[string]bool{
	"sum": true, "avg": true, "min": true, "max": true, "count": true, "stddev": true,
	"stdvar": true, "topk": true, "bottomk": true, "sort": true, "sort_desc": true,
}

var durationPattern = regexp.MustCompile(`^([0-9]+(ms|s|m|h|d|w|y))+`)

// metric parses a metric query: terms joined by arithmetic/comparison operators.
func (p *logqlParser) metric(expr *logqlExpr) error {
	for {
		if err := p.metricTerm(expr); err != nil {
			return err
		}
		if p.oneOf("+", "-", "*", "/", "%", "^", "==", "!=", ">=", "<=", ">", "<") == "" {
			p.skipSpace()
			if !(p.keyword("and") || p.keyword("or") || p.keyword("unless")) {
				return nil
			}
		}
		p.keyword("bool")
	}
}

func (p *logqlParser) grouping(expr *logqlExpr) error {
	if !p.keyword("by") && !p.keyword("without") {
		return nil
	}
	if err := p.expect("("); err != nil {
		return err
	}
	for !p.accept(")") {
		if len(expr.groupBy) > 0 && !p.accept(",") {
			return p.errorf("expected , or ) in a grouping")
		}
		label, err := p.identifier()
		if err != nil {
			return err
		}
		expr.groupBy = append(expr.groupBy, label)
	}
	return nil
}

func (p *logqlParser) metricTerm(expr *logqlExpr) error {
	p.skipSpace()
	if number := numberOrDuration.FindString(p.src[p.pos:]); number != "" {
		p.pos += len(number)
		return nil
	}
	if p.accept("(") {
		if err := p.metric(expr); err != nil {
			return err
		}
		return p.expect(")")
	}
	name, err := p.identifier()
	if err != nil {
		return err
	}
	switch {
	case rangeAggregations[name]:
		if err := p.expect("("); err != nil {
			return err
		}
		if name == "quantile_over_time" {
			if number := numberOrDuration.FindString(strings.TrimLeft(p.src[p.pos:], " ")); number == "" {
				return p.errorf("quantile_over_time needs a quantile first")
			}
			p.skipSpace()
			p.pos += len(numberOrDuration.FindString(p.src[p.pos:]))
			if err := p.expect(","); err != nil {
				return err
			}
		}
		q, err := p.logQuery()
		if err != nil {
			return err
		}
		unwrapped := len(q.stages) > 0 && q.stages[len(q.stages)-1].kind == "unwrap"
		if unwrapAggregations[name] != unwrapped {
			return p.errorf("%s: an unwrap stage is %s", name, map[bool]string{true: "required", false: "not allowed"}[unwrapAggregations[name]])
		}
		if err := p.expect("["); err != nil {
			return err
		}
		p.skipSpace()
		d := durationPattern.FindString(p.src[p.pos:])
		if d == "" {
			return p.errorf("expected a range duration, found %q", p.rest(12))
		}
		p.pos += len(d)
		if err := p.expect("]"); err != nil {
			return err
		}
		expr.ranges = append(expr.ranges, q)
		if err := p.expect(")"); err != nil {
			return err
		}
		return p.grouping(expr)
	case vectorAggregations[name]:
		if err := p.grouping(expr); err != nil {
			return err
		}
		if err := p.expect("("); err != nil {
			return err
		}
		if name == "topk" || name == "bottomk" {
			p.skipSpace()
			if k := numberOrDuration.FindString(p.src[p.pos:]); k == "" {
				return p.errorf("%s needs a number first", name)
			} else {
				p.pos += len(k)
			}
			if err := p.expect(","); err != nil {
				return err
			}
		}
		if err := p.metric(expr); err != nil {
			return err
		}
		if err := p.expect(")"); err != nil {
			return err
		}
		return p.grouping(expr)
	}
	return p.errorf("unknown function %q (not a LogQL range or vector aggregation)", name)
}

// --- evaluation over Loki entries (stackcheck links) ---

func (m logMatcher) matches(value string) bool {
	switch m.op {
	case "=":
		return value == m.value
	case "!=":
		return value != m.value
	case "=~":
		return regexp.MustCompile("^(?:" + m.value + ")$").MatchString(value)
	default:
		return !regexp.MustCompile("^(?:" + m.value + ")$").MatchString(value)
	}
}

func (f *labelFilter) matches(fields map[string]string) bool {
	switch {
	case f.and != nil:
		return f.and[0].matches(fields) && f.and[1].matches(fields)
	case f.or != nil:
		return f.or[0].matches(fields) || f.or[1].matches(fields)
	case f.numeric:
		got, err1 := strconv.ParseFloat(fields[f.name], 64)
		want, err2 := strconv.ParseFloat(f.value, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		switch f.op {
		case "=", "==":
			return got == want
		case "!=":
			return got != want
		case ">":
			return got > want
		case ">=":
			return got >= want
		case "<":
			return got < want
		default:
			return got <= want
		}
	}
	return logMatcher{f.name, f.op, f.value}.matches(fields[f.name])
}

func (f *labelFilter) names() []string {
	switch {
	case f.and != nil:
		return append(f.and[0].names(), f.and[1].names()...)
	case f.or != nil:
		return append(f.or[0].names(), f.or[1].names()...)
	}
	return []string{f.name}
}

// match reports whether a log query selects the entry: the stream selector on the stream labels,
// line filters on the line, label filters on the labels and structured metadata.
func (q *logQuery) match(e lokiEntry) (bool, error) {
	for _, m := range q.matchers {
		if !m.matches(e.stream[m.name]) {
			return false, nil
		}
	}
	fields := map[string]string{}
	for _, source := range []map[string]string{e.stream, e.metadata} {
		for k, v := range source {
			fields[k] = v
		}
	}
	for _, s := range q.stages {
		switch s.kind {
		case "line":
			any := false
			for _, v := range s.values {
				switch s.op {
				case "|=", "!=":
					any = any || strings.Contains(e.line, v)
				case "|~", "!~":
					any = any || regexp.MustCompile(v).MatchString(e.line)
				default:
					return false, fmt.Errorf("line filter %s is not evaluated here", s.op)
				}
			}
			if any == (s.op == "!=" || s.op == "!~") {
				return false, nil
			}
		case "label":
			if !s.filter.matches(fields) {
				return false, nil
			}
		case "decolorize", "keep", "drop", "line_format":
			// No effect on which entries a query selects (line_format only changes what is shown).
		default:
			return false, fmt.Errorf("stage %s is not evaluated here", s.kind)
		}
	}
	return true, nil
}

// --- the field model: which names a query may use ---

// lokiFieldModel is what Loki stores for a log record that arrives over OTLP: stream labels (from
// the index resource attributes) and structured metadata (everything else). The line is the
// record's body: pino's message, plain text, so a json or logfmt parser errors on every line.
type lokiFieldModel struct {
	labels   map[string]bool
	metadata map[string]bool
}

// checkFields reports every name a query uses that Loki does not store, and every parser that
// cannot parse the stored line.
func (m lokiFieldModel) checkFields(expr *logqlExpr) []string {
	var problems []string
	queries := expr.ranges
	if expr.log != nil {
		queries = append(queries, expr.log)
	}
	known := map[string]bool{}
	for _, q := range queries {
		for _, matcher := range q.matchers {
			if !m.labels[matcher.name] {
				kind := "not a stream label"
				if m.metadata[matcher.name] {
					kind = "structured metadata, not a stream label: filter it after the selector (| " + matcher.name + "=...)"
				}
				problems = append(problems, fmt.Sprintf("stream selector on %s: %s", matcher.name, kind))
			}
		}
		for k := range m.labels {
			known[k] = true
		}
		for k := range m.metadata {
			known[k] = true
		}
		for _, s := range q.stages {
			var used []string
			switch s.kind {
			case "parser":
				if s.parser == "json" || s.parser == "logfmt" || s.parser == "unpack" {
					problems = append(problems, fmt.Sprintf("| %s: the line is the record's plain message (OTLP body), not %s; filter the structured metadata instead", s.parser, s.parser))
				}
			case "label":
				used = s.filter.names()
			case "keep", "drop", "unwrap", "label_format":
				used = s.targets
			}
			for _, name := range used {
				if !known[name] {
					problems = append(problems, fmt.Sprintf("%s: no such stream label or structured metadata field", name))
				}
			}
			for _, name := range s.outputs {
				known[name] = true
			}
		}
	}
	for _, name := range expr.groupBy {
		if !known[name] {
			problems = append(problems, fmt.Sprintf("by (%s): no such stream label or structured metadata field", name))
		}
	}
	return problems
}
