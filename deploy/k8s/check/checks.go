package main

import (
	"fmt"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/common/model"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

// The names docs/kubernetes.md documents: the Secrets the operator creates before installing.
const (
	grafanaAdminSecret   = "grafana-admin"
	alertReceiverSecret  = "alertmanager-receivers"
	minimumRetentionDays = 30
)

var checks = []struct {
	name string
	run  func(install) []string
}{
	{"Alertmanager: critical -> pager (PagerDuty) and chat (Slack), warning -> chat, Watchdog -> heartbeat, InfoInhibitor -> nowhere", alertRoutes},
	{"Alertmanager: receiver secrets are files of the mounted Secret " + alertReceiverSecret + ", silences on a volume claim", alertmanagerSafety},
	{"Prometheus: a volume claim, retention >= 30d, retentionSize below the claim", prometheusStorage},
	{"Prometheus and Alertmanager have an external URL (the links in alerts and notifications)", externalURLs},
	{"Prometheus: its rule and ServiceMonitor selectors pick every PrometheusRule and ServiceMonitor of the overlays and of observability", prometheusSelectors},
	{"every ServiceMonitor selects an existing Service that has its endpoint ports", serviceMonitorTargets},
	{"Grafana: admin login from the Secret " + grafanaAdminSecret + ", no password rendered anywhere, data on a volume claim", grafanaSafety},
	{"Grafana: the sidecars load the datasource and dashboard ConfigMaps generated from deploy/grafana", grafanaProvisioning},
	{"every in-cluster URL in a container's environment names a rendered Service and port", inClusterURLs},
	{"Loki: single binary with its data on a volume claim", lokiStorage},
	{"Prometheus, Alertmanager, Grafana and Loki run the image versions compose pins", imagesMatchCompose},
	{"dev and production overlays differ in namespace and deployment.environment.name", overlaysApart},
}

// --- Alertmanager ---

func alertmanagerConfig(in install) (*config.Config, *monitoringv1.Alertmanager, []string) {
	am := only[*monitoringv1.Alertmanager](in.stack)
	if len(am) != 1 {
		return nil, nil, []string{fmt.Sprintf("want one Alertmanager, rendered %d", len(am))}
	}
	// The operator reads the config from alertmanager-<name> unless configSecret names another.
	secretName := "alertmanager-" + am[0].Name
	if am[0].Spec.ConfigSecret != "" {
		secretName = am[0].Spec.ConfigSecret
	}
	secret := find[*corev1.Secret](in.stack, am[0].Namespace, secretName)
	if secret == nil {
		return nil, am[0], []string{fmt.Sprintf("no Secret %s/%s with Alertmanager's config", am[0].Namespace, secretName)}
	}
	cfg, err := config.Load(string(secret.Data["alertmanager.yaml"]))
	if err != nil {
		return nil, am[0], []string{fmt.Sprintf("Secret %s, alertmanager.yaml: %v", secretName, err)}
	}
	return cfg, am[0], nil
}

func alertRoutes(in install) []string {
	cfg, _, problems := alertmanagerConfig(in)
	if cfg == nil {
		return problems
	}
	root := dispatch.NewRoute(cfg.Route, nil)
	receivers := map[string]config.Receiver{}
	for _, r := range cfg.Receivers {
		receivers[r.Name] = r
	}
	cases := []struct {
		alert model.LabelSet
		want  []string // receiver names, in order
		kinds []string // the integration each of them must have (PagerdutyConfigs...), "" = any, "none" = none
	}{
		{model.LabelSet{"alertname": "ServiceDown", "severity": "critical", "namespace": "shop", "service": "order-service"}, []string{"pager", "chat"}, []string{"PagerdutyConfigs", "SlackConfigs"}},
		{model.LabelSet{"alertname": "HighLatencyP95", "severity": "warning", "namespace": "shop", "service": "order-service"}, []string{"chat"}, []string{"SlackConfigs"}},
		{model.LabelSet{"alertname": "Watchdog", "severity": "none", "namespace": stackNamespace}, []string{"watchdog"}, []string{""}},
		{model.LabelSet{"alertname": "InfoInhibitor", "severity": "none", "namespace": "shop"}, nil, nil},
	}
	for _, c := range cases {
		var got []string
		for _, route := range root.Match(c.alert) {
			got = append(got, route.RouteOpts.Receiver)
		}
		if c.want == nil { // nowhere: every receiver it reaches has no integration at all
			for _, name := range got {
				if n := integrations(receivers[name], ""); n > 0 {
					problems = append(problems, fmt.Sprintf("%v reaches %s, which has %d integrations", c.alert, name, n))
				}
			}
			continue
		}
		if !slices.Equal(got, c.want) {
			problems = append(problems, fmt.Sprintf("%v goes to %v, want %v", c.alert, got, c.want))
			continue
		}
		for i, name := range got {
			if integrations(receivers[name], c.kinds[i]) == 0 {
				problems = append(problems, fmt.Sprintf("receiver %s has no %s integration", name, strings.TrimSuffix(c.kinds[i], "Configs")))
			}
		}
	}
	return problems
}

// integrations counts a receiver's notifiers of one kind (the Receiver field name, e.g.
// "SlackConfigs"), or of every kind when kind is "".
func integrations(r config.Receiver, kind string) int {
	v := reflect.ValueOf(r)
	n := 0
	for i := 0; i < v.NumField(); i++ {
		field := v.Type().Field(i)
		if strings.HasSuffix(field.Name, "Configs") && (kind == "" || field.Name == kind) && v.Field(i).Kind() == reflect.Slice {
			n += v.Field(i).Len()
		}
	}
	return n
}

var fileSetting = regexp.MustCompile(`(?m)^\s*-?\s*[a-z_]+_file:\s*(\S+)\s*$`)

func alertmanagerSafety(in install) []string {
	cfg, am, problems := alertmanagerConfig(in)
	if cfg == nil {
		return problems
	}
	// Every secret is read from a file the operator mounts from a Secret listed in spec.secrets
	// (/etc/alertmanager/secrets/<name>/<key>): none is written into the rendered config.
	for _, match := range fileSetting.FindAllStringSubmatch(cfg.String(), -1) {
		path := strings.Trim(match[1], `"'`)
		rest, ok := strings.CutPrefix(path, "/etc/alertmanager/secrets/")
		secret, _, _ := strings.Cut(rest, "/")
		if !ok || !slices.Contains(am.Spec.Secrets, secret) {
			problems = append(problems, fmt.Sprintf("%s is not a file of a Secret in spec.secrets %v", path, am.Spec.Secrets))
		}
	}
	if !slices.Contains(am.Spec.Secrets, alertReceiverSecret) {
		problems = append(problems, fmt.Sprintf("spec.secrets %v does not mount %s", am.Spec.Secrets, alertReceiverSecret))
	}
	problems = append(problems, claim("Alertmanager spec.storage", am.Spec.Storage, "1Gi")...)
	return problems
}

// claim holds a storage spec to a volume claim of at least min.
func claim(where string, storage *monitoringv1.StorageSpec, min string) []string {
	if storage == nil || storage.EmptyDir != nil || storage.Ephemeral != nil {
		return []string{where + " is not a volume claim (data lost with the pod)"}
	}
	size := storage.VolumeClaimTemplate.Spec.Resources.Requests[corev1.ResourceStorage]
	if size.Cmp(resource.MustParse(min)) < 0 {
		return []string{fmt.Sprintf("%s claims %s, want at least %s", where, size.String(), min)}
	}
	return nil
}

// --- Prometheus ---

func prometheus(in install) (*monitoringv1.Prometheus, []string) {
	p := only[*monitoringv1.Prometheus](in.stack)
	if len(p) != 1 {
		return nil, []string{fmt.Sprintf("want one Prometheus, rendered %d", len(p))}
	}
	return p[0], nil
}

func prometheusStorage(in install) []string {
	p, problems := prometheus(in)
	if p == nil {
		return problems
	}
	problems = claim("Prometheus spec.storage", p.Spec.Storage, "1Gi")
	retention, err := model.ParseDuration(string(p.Spec.Retention))
	if err != nil || retention < model.Duration(minimumRetentionDays*24*60*60*1e9) {
		problems = append(problems, fmt.Sprintf("retention %q, want at least %dd (the SLO window)", p.Spec.Retention, minimumRetentionDays))
	}
	if p.Spec.Storage != nil && p.Spec.Storage.VolumeClaimTemplate.Spec.Resources.Requests != nil {
		size := p.Spec.Storage.VolumeClaimTemplate.Spec.Resources.Requests[corev1.ResourceStorage]
		// Prometheus reads 48GB and 48GiB alike as powers of two: the quantity 48Gi.
		limit, err := resource.ParseQuantity(strings.TrimSuffix(strings.TrimSuffix(string(p.Spec.RetentionSize), "B"), "i") + "i")
		if err != nil || limit.Cmp(size) >= 0 {
			problems = append(problems, fmt.Sprintf("retentionSize %q must be set and below the claim %s, so the oldest blocks go before the disk is full", p.Spec.RetentionSize, size.String()))
		}
	}
	return problems
}

func prometheusSelectors(in install) []string {
	p, problems := prometheus(in)
	if p == nil {
		return problems
	}
	namespaces := namespaceLabels(in)
	selects := func(kind string, o object, selector, nsSelector *metav1.LabelSelector) {
		// The operator's semantics: a nil selector selects nothing, {} everything; a nil namespace
		// selector means Prometheus' own namespace only.
		if selector == nil {
			problems = append(problems, fmt.Sprintf("%s selector is unset: selects no %s, not even %s", kind, kind, o))
			return
		}
		if !matches(selector, o.labels) {
			problems = append(problems, fmt.Sprintf("%s selector %s does not select %s (labels %v)", kind, metav1.FormatLabelSelector(selector), o, o.labels))
		}
		if nsSelector == nil && o.namespace != p.Namespace {
			problems = append(problems, fmt.Sprintf("%s namespace selector is unset (only %s): misses %s", kind, p.Namespace, o))
		} else if nsSelector != nil && !matches(nsSelector, namespaces(o.namespace)) {
			problems = append(problems, fmt.Sprintf("%s namespace selector %s does not select namespace %s of %s", kind, metav1.FormatLabelSelector(nsSelector), o.namespace, o))
		}
	}
	var project []object // the overlays' and deploy/k8s/observability's, not the charts'
	for _, o := range in.all() {
		if _, isOverlay := in.overlays[o.source]; isOverlay || o.source == "observability" {
			project = append(project, o)
		}
	}
	rules, monitors := 0, 0
	for _, o := range project {
		switch o.typed.(type) {
		case *monitoringv1.PrometheusRule:
			rules++
			selects("ruleSelector", o, p.Spec.RuleSelector, p.Spec.RuleNamespaceSelector)
		case *monitoringv1.ServiceMonitor:
			monitors++
			selects("serviceMonitorSelector", o, p.Spec.ServiceMonitorSelector, p.Spec.ServiceMonitorNamespaceSelector)
		}
	}
	for name := range in.overlays {
		if len(only[*monitoringv1.PrometheusRule](in.overlays[name])) == 0 {
			problems = append(problems, "overlay "+name+" renders no PrometheusRule")
		}
	}
	if monitors == 0 {
		problems = append(problems, "the project renders no ServiceMonitor")
	}
	return problems
}

// namespaceLabels gives a namespace's labels: those of a rendered Namespace object, plus the
// kubernetes.io/metadata.name label the API server sets on every namespace.
func namespaceLabels(in install) func(string) map[string]string {
	return func(name string) map[string]string {
		l := map[string]string{"kubernetes.io/metadata.name": name}
		for _, ns := range only[*corev1.Namespace](in.all()) {
			if ns.Name == name {
				for k, v := range ns.Labels {
					l[k] = v
				}
			}
		}
		return l
	}
}

func matches(selector *metav1.LabelSelector, l map[string]string) bool {
	s, err := metav1.LabelSelectorAsSelector(selector)
	return err == nil && s.Matches(labels.Set(l))
}

// externalURLs wants the address people use, not the chart's default in-cluster one: the links
// in Slack, PagerDuty and Grafana are opened from outside the cluster.
func externalURLs(in install) []string {
	var problems []string
	outside := func(kind, name, address string) {
		u, err := url.Parse(address)
		if err != nil || u.Host == "" || clusterHost.MatchString(u.Hostname()) {
			problems = append(problems, fmt.Sprintf("%s %s: externalUrl %q is not an address outside the cluster", kind, name, address))
		}
	}
	for _, p := range only[*monitoringv1.Prometheus](in.stack) {
		outside("Prometheus", p.Name, p.Spec.ExternalURL)
	}
	for _, a := range only[*monitoringv1.Alertmanager](in.stack) {
		outside("Alertmanager", a.Name, a.Spec.ExternalURL)
	}
	return problems
}

// --- ServiceMonitors ---

// Services every cluster has, or the operator creates at run time, that the chart's own
// ServiceMonitors select: modelled here because no render contains them.
var runtimeServices = []*corev1.Service{
	{ // the API server's Service in every cluster
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "kubernetes", Labels: map[string]string{"component": "apiserver", "provider": "kubernetes"}},
		Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "https", Port: 443}}},
	},
	{ // the operator's kubelet Service (--kubelet-service=kube-system/<release>-kubelet)
		ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "kube-prometheus-stack-kubelet", Labels: map[string]string{
			"app.kubernetes.io/name": "kubelet", "app.kubernetes.io/managed-by": "prometheus-operator", "k8s-app": "kubelet"}},
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "https-metrics", Port: 10250}, {Name: "http-metrics", Port: 10255}, {Name: "cadvisor", Port: 4194}}},
	},
}

func serviceMonitorTargets(in install) []string {
	var problems []string
	all := in.all()
	services := append(only[*corev1.Service](all), runtimeServices...)
	for _, o := range all {
		sm, ok := o.typed.(*monitoringv1.ServiceMonitor)
		if !ok {
			continue
		}
		inNamespace := func(ns string) bool {
			switch {
			case sm.Spec.NamespaceSelector.Any:
				return true
			case len(sm.Spec.NamespaceSelector.MatchNames) > 0:
				return slices.Contains(sm.Spec.NamespaceSelector.MatchNames, ns)
			default:
				return ns == o.namespace
			}
		}
		var selected []*corev1.Service
		for _, s := range services {
			if inNamespace(s.Namespace) && matches(&sm.Spec.Selector, s.Labels) {
				selected = append(selected, s)
			}
		}
		if len(selected) == 0 {
			problems = append(problems, fmt.Sprintf("%s: selector %s selects no Service", o, metav1.FormatLabelSelector(&sm.Spec.Selector)))
			continue
		}
		for _, s := range selected {
			for _, e := range sm.Spec.Endpoints {
				if !hasPort(s, e) {
					problems = append(problems, fmt.Sprintf("%s: Service %s/%s has no port %s (ports: %s)", o, s.Namespace, s.Name, endpointPort(e), portNames(s)))
				}
			}
		}
	}
	return problems
}

func hasPort(s *corev1.Service, e monitoringv1.Endpoint) bool {
	for _, p := range s.Spec.Ports {
		switch {
		case e.Port != "":
			if p.Name == e.Port {
				return true
			}
		case e.TargetPort != nil:
			if p.TargetPort == *e.TargetPort || (e.TargetPort.IntValue() != 0 && p.TargetPort.IntValue() == 0 && p.Port == int32(e.TargetPort.IntValue())) {
				return true
			}
		}
	}
	return false
}

func endpointPort(e monitoringv1.Endpoint) string {
	if e.Port != "" {
		return e.Port
	}
	if e.TargetPort != nil {
		return "targetPort " + e.TargetPort.String()
	}
	return "(none)"
}

func portNames(s *corev1.Service) string {
	var names []string
	for _, p := range s.Spec.Ports {
		names = append(names, fmt.Sprintf("%s:%d", p.Name, p.Port))
	}
	return strings.Join(names, ", ")
}

// --- Grafana ---

func grafana(in install) (*appsv1.Deployment, *corev1.Container, []string) {
	for _, d := range only[*appsv1.Deployment](in.stack) {
		if d.Labels["app.kubernetes.io/name"] != "grafana" {
			continue
		}
		for i, c := range d.Spec.Template.Spec.Containers {
			if c.Name == "grafana" {
				return d, &d.Spec.Template.Spec.Containers[i], nil
			}
		}
	}
	return nil, nil, []string{"no Grafana Deployment with a grafana container"}
}

func envVar(c *corev1.Container, name string) *corev1.EnvVar {
	for i := range c.Env {
		if c.Env[i].Name == name {
			return &c.Env[i]
		}
	}
	return nil
}

func grafanaSafety(in install) []string {
	d, c, problems := grafana(in)
	if d == nil {
		return problems
	}
	for _, name := range []string{"GF_SECURITY_ADMIN_USER", "GF_SECURITY_ADMIN_PASSWORD"} {
		v := envVar(c, name)
		if v == nil || v.ValueFrom == nil || v.ValueFrom.SecretKeyRef == nil || v.ValueFrom.SecretKeyRef.Name != grafanaAdminSecret {
			problems = append(problems, fmt.Sprintf("%s does not come from the Secret %s", name, grafanaAdminSecret))
		}
	}
	// The Secret is the operator's: rendering one (or any admin password) would put a password
	// in the chart's output, regenerated on every render.
	for _, o := range in.all() {
		if s, ok := o.typed.(*corev1.Secret); ok {
			for key := range mergeKeys(s) {
				if strings.Contains(key, "admin-password") || (o.name == grafanaAdminSecret) {
					problems = append(problems, fmt.Sprintf("%s renders a password (%s)", o, key))
				}
			}
		}
	}
	volumeClaim := false
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Name == "storage" && v.PersistentVolumeClaim != nil && find[*corev1.PersistentVolumeClaim](in.stack, d.Namespace, v.PersistentVolumeClaim.ClaimName) != nil {
			volumeClaim = true
		}
	}
	if !volumeClaim {
		problems = append(problems, "Grafana's storage volume is not a rendered PersistentVolumeClaim")
	}
	if d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		problems = append(problems, fmt.Sprintf("Grafana's strategy %q: a rolling update waits forever for the old pod's ReadWriteOnce volume", d.Spec.Strategy.Type))
	}
	return problems
}

func mergeKeys(s *corev1.Secret) map[string]bool {
	keys := map[string]bool{}
	for k := range s.Data {
		keys[k] = true
	}
	for k := range s.StringData {
		keys[k] = true
	}
	return keys
}

func grafanaProvisioning(in install) []string {
	d, _, problems := grafana(in)
	if d == nil {
		return problems
	}
	sidecars := map[string]string{"grafana-sc-datasources": "datasources", "grafana-sc-dashboard": "dashboards"}
	for _, c := range append(d.Spec.Template.Spec.InitContainers, d.Spec.Template.Spec.Containers...) {
		what, ok := sidecars[c.Name]
		if !ok {
			continue
		}
		delete(sidecars, c.Name)
		label, value := envValue(&c, "LABEL"), envValue(&c, "LABEL_VALUE")
		// NAMESPACE: unset = Grafana's own, ALL = every namespace, else a comma-separated list.
		watched := d.Namespace
		if ns := envValue(&c, "NAMESPACE"); ns != "" {
			watched = ns
		}
		watches := func(ns string) bool { return watched == "ALL" || slices.Contains(strings.Split(watched, ","), ns) }
		found := 0
		for _, o := range in.stack {
			if o.source == "observability" && o.kind == "ConfigMap" && watches(o.namespace) && o.labels[label] == value {
				found++
			}
		}
		if found == 0 {
			problems = append(problems, fmt.Sprintf("the %s sidecar (%s=%q in %s) finds no ConfigMap of deploy/k8s/observability", what, label, value, watched))
		}
	}
	for name := range sidecars {
		problems = append(problems, "no sidecar container "+name)
	}
	return problems
}

func envValue(c *corev1.Container, name string) string {
	if v := envVar(c, name); v != nil {
		return v.Value
	}
	return ""
}

// --- addresses ---

var clusterHost = regexp.MustCompile(`^([a-z0-9-]+)(?:\.([a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?)?$`)

// inClusterURLs resolves every http(s) URL in a container's env (literal values and ConfigMaps
// loaded with envFrom) whose host is a Service name (name, name.namespace, ...svc.cluster.local)
// against the rendered Services: the datasource URLs Grafana reads, the Collector's exporters,
// the services' OTLP endpoint.
func inClusterURLs(in install) []string {
	var problems []string
	all := in.all()
	services := only[*corev1.Service](all)
	for _, o := range all {
		spec := podSpec(o.typed)
		if spec == nil {
			continue
		}
		for _, c := range append(spec.InitContainers, spec.Containers...) {
			values := containerEnv(all, o, c)
			for name, value := range values {
				if problem := resolve(value, o.namespace, services); problem != "" {
					problems = append(problems, fmt.Sprintf("%s container %s %s=%s: %s", o, c.Name, name, value, problem))
				}
			}
		}
	}
	return problems
}

func resolve(value, namespace string, services []*corev1.Service) string {
	u, err := url.Parse(value)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	m := clusterHost.FindStringSubmatch(u.Hostname())
	if m == nil || u.Hostname() == "localhost" {
		return ""
	}
	name, ns := m[1], m[2]
	if ns == "" {
		ns = namespace
	}
	port := u.Port()
	for _, s := range services {
		if s.Name != name || s.Namespace != ns {
			continue
		}
		for _, p := range s.Spec.Ports {
			if port == "" || fmt.Sprint(p.Port) == port {
				return ""
			}
		}
		return fmt.Sprintf("Service %s/%s has no port %s (ports: %s)", ns, name, port, portNames(s))
	}
	return fmt.Sprintf("no Service %s in namespace %s", name, ns)
}

func podSpec(typed any) *corev1.PodSpec {
	switch o := typed.(type) {
	case *appsv1.Deployment:
		return &o.Spec.Template.Spec
	case *appsv1.StatefulSet:
		return &o.Spec.Template.Spec
	case *appsv1.DaemonSet:
		return &o.Spec.Template.Spec
	}
	return nil
}

// --- Loki ---

func lokiStorage(in install) []string {
	for _, s := range only[*appsv1.StatefulSet](in.stack) {
		if s.Labels["app.kubernetes.io/name"] != "loki" || s.Labels["app.kubernetes.io/component"] != "single-binary" {
			continue
		}
		for _, c := range s.Spec.VolumeClaimTemplates {
			if c.Name == "storage" && !c.Spec.Resources.Requests.Storage().IsZero() {
				return nil
			}
		}
		return []string{fmt.Sprintf("StatefulSet %s has no storage volume claim template", s.Name)}
	}
	return []string{"no single-binary Loki StatefulSet"}
}

// --- images ---

func imagesMatchCompose(in install) []string {
	data, err := os.ReadFile(in.compose)
	if err != nil {
		return []string{err.Error()}
	}
	var compose struct {
		Services map[string]struct {
			Image string `json:"image"`
		} `json:"services"`
	}
	if err := yaml.Unmarshal(data, &compose); err != nil {
		return []string{fmt.Sprintf("%s: %v", in.compose, err)}
	}
	composeTag := map[string]string{} // image name without registry/owner -> tag
	for _, s := range compose.Services {
		name, tag := splitImage(s.Image)
		composeTag[name] = tag
	}
	running := map[string]string{} // image name -> tag, as the charts render them
	add := func(image string) {
		if name, tag := splitImage(image); name != "" {
			running[name] = tag
		}
	}
	for _, o := range in.stack {
		switch t := o.typed.(type) {
		case *monitoringv1.Prometheus:
			add(ptrValue(t.Spec.Image))
		case *monitoringv1.Alertmanager:
			add(ptrValue(t.Spec.Image))
		}
		if spec := podSpec(o.typed); spec != nil {
			for _, c := range spec.Containers {
				add(c.Image)
			}
		}
	}
	var problems []string
	for _, name := range []string{"prometheus", "alertmanager", "grafana", "loki"} {
		want, got := composeTag[name], running[name]
		if want == "" || got == "" || want != got {
			problems = append(problems, fmt.Sprintf("%s: compose pins %q, the charts run %q", name, want, got))
		}
	}
	return problems
}

// splitImage turns registry/owner/name:tag into (name, tag).
func splitImage(image string) (string, string) {
	ref, tag, ok := strings.Cut(image[strings.LastIndex(image, "/")+1:], ":")
	if !ok {
		return ref, ""
	}
	return ref, tag
}

func ptrValue(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// --- overlays ---

var plainValue = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

var environmentAttribute = regexp.MustCompile(`(?:^|,)\s*deployment\.environment\.name=([^,]+)`)

func overlaysApart(in install) []string {
	var problems []string
	namespaceOf := map[string]string{}
	environmentOf := map[string]string{}
	for _, name := range sortedKeys(in.overlays) {
		namespaces := map[string]bool{}
		environments := map[string]bool{}
		for _, o := range in.overlays[name] {
			if !clusterScoped[o.kind] {
				namespaces[o.namespace] = true
			}
			for _, value := range resourceAttributes(in.overlays[name], o) {
				if m := environmentAttribute.FindStringSubmatch(value); m != nil {
					environments[m[1]] = true
					if !plainValue.MatchString(m[1]) {
						problems = append(problems, fmt.Sprintf("%s: deployment.environment.name=%s is unresolved (a $(VAR) the container does not define?)", o, m[1]))
					}
				}
			}
		}
		if len(namespaces) != 1 {
			problems = append(problems, fmt.Sprintf("overlay %s spans namespaces %v, want one", name, sortedKeys(namespaces)))
		}
		if len(environments) != 1 {
			problems = append(problems, fmt.Sprintf("overlay %s sets deployment.environment.name to %v in OTEL_RESOURCE_ATTRIBUTES, want exactly one value", name, sortedKeys(environments)))
		}
		namespaceOf[name] = strings.Join(sortedKeys(namespaces), ",")
		environmentOf[name] = strings.Join(sortedKeys(environments), ",")
	}
	for _, pair := range [][2]string{{"dev", "production"}} {
		a, b := pair[0], pair[1]
		if _, ok := in.overlays[a]; !ok {
			problems = append(problems, "no overlay "+a)
			continue
		}
		if _, ok := in.overlays[b]; !ok {
			problems = append(problems, "no overlay "+b)
			continue
		}
		if namespaceOf[a] == namespaceOf[b] {
			problems = append(problems, fmt.Sprintf("%s and %s share namespace %s", a, b, namespaceOf[a]))
		}
		if environmentOf[a] == environmentOf[b] {
			problems = append(problems, fmt.Sprintf("%s and %s share deployment.environment.name %q", a, b, environmentOf[a]))
		}
	}
	return problems
}

// resourceAttributes gives the OTEL_RESOURCE_ATTRIBUTES each container of a workload sees.
func resourceAttributes(objects []object, o object) []string {
	var values []string
	if spec := podSpec(o.typed); spec != nil {
		for _, c := range spec.Containers {
			if v, ok := containerEnv(objects, o, c)["OTEL_RESOURCE_ATTRIBUTES"]; ok {
				values = append(values, v)
			}
		}
	}
	return values
}

var dependentVar = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// containerEnv is a container's environment as the kubelet builds it: envFrom ConfigMaps, then
// env in order, each value expanding $(NAME) of the variables before it; the downward API's
// metadata.namespace resolves to the object's namespace, other references stay unresolved.
func containerEnv(objects []object, o object, c corev1.Container) map[string]string {
	env := map[string]string{}
	for _, from := range c.EnvFrom {
		if from.ConfigMapRef == nil {
			continue
		}
		if cm := find[*corev1.ConfigMap](objects, o.namespace, from.ConfigMapRef.Name); cm != nil {
			for k, v := range cm.Data {
				env[from.Prefix+k] = v
			}
		}
	}
	for _, e := range c.Env {
		value := e.Value
		if e.ValueFrom != nil {
			value = "<" + e.Name + ">"
			if e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.namespace" {
				value = o.namespace
			}
			if ref := e.ValueFrom.ConfigMapKeyRef; ref != nil {
				if cm := find[*corev1.ConfigMap](objects, o.namespace, ref.Name); cm != nil {
					value = cm.Data[ref.Key]
				}
			}
		}
		env[e.Name] = dependentVar.ReplaceAllStringFunc(value, func(ref string) string {
			if v, ok := env[ref[2:len(ref)-1]]; ok {
				return v
			}
			return ref
		})
	}
	return env
}

// --- helpers ---

// only returns the decoded objects of one Go type.
func only[T any](objects []object) []T {
	var out []T
	for _, o := range objects {
		if t, ok := o.typed.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

// find returns the object of type T with that namespace and name, or the zero T.
func find[T interface {
	GetNamespace() string
	GetName() string
}](objects []object, namespace, name string) T {
	var zero T
	for _, t := range only[T](objects) {
		if t.GetNamespace() == namespace && t.GetName() == name {
			return t
		}
	}
	return zero
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
