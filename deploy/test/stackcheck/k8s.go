package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/prometheus/common/model"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	yaml3 "gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// The kinds deploy/k8s renders, each with the API type it must decode into without unknown
// or mistyped fields (what the API server's strict field validation would reject).
var kinds = map[string]func() any{
	"v1/Namespace":                      func() any { return &corev1.Namespace{} },
	"v1/ConfigMap":                      func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                         func() any { return &corev1.Secret{} },
	"v1/Service":                        func() any { return &corev1.Service{} },
	"v1/ServiceAccount":                 func() any { return &corev1.ServiceAccount{} },
	"apps/v1/Deployment":                func() any { return &appsv1.Deployment{} },
	"rbac.authorization.k8s.io/v1/Role": func() any { return &rbacv1.Role{} },
	"rbac.authorization.k8s.io/v1/RoleBinding": func() any { return &rbacv1.RoleBinding{} },
	"policy/v1/PodDisruptionBudget":            func() any { return &policyv1.PodDisruptionBudget{} },
	"autoscaling/v2/HorizontalPodAutoscaler":   func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"networking.k8s.io/v1/NetworkPolicy":       func() any { return &networkingv1.NetworkPolicy{} },
	"monitoring.coreos.com/v1/ServiceMonitor":  func() any { return &monitoringv1.ServiceMonitor{} },
	"monitoring.coreos.com/v1/PrometheusRule":  func() any { return &monitoringv1.PrometheusRule{} },
}

func checkKubernetes(in io.Reader) []string {
	decoder := yaml3.NewDecoder(in)
	var problems []string
	count := 0
	for {
		var node map[string]any
		if err := decoder.Decode(&node); err == io.EOF {
			break
		} else if err != nil {
			return append(problems, err.Error())
		}
		if node == nil {
			continue
		}
		count++
		raw, _ := yaml3.Marshal(node)
		var meta metav1.TypeMeta
		_ = yaml.Unmarshal(raw, &meta)
		newObject, ok := kinds[meta.APIVersion+"/"+meta.Kind]
		where := fmt.Sprintf("%s/%s %v", meta.APIVersion, meta.Kind, node["metadata"].(map[string]any)["name"])
		if !ok {
			problems = append(problems, where+": kind not checked by stackcheck")
			continue
		}
		object := newObject()
		if err := yaml.UnmarshalStrict(raw, object); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", where, err))
			continue
		}
		problems = append(problems, policy(where, object)...)
	}
	fmt.Printf("# %d manifests checked\n", count)
	return problems
}

// policy holds what every manifest of this repo promises beyond the schema.
func policy(where string, object any) []string {
	var problems []string
	switch o := object.(type) {
	case *appsv1.Deployment:
		for _, c := range o.Spec.Template.Spec.Containers {
			if c.Image == "" || c.LivenessProbe == nil || c.ReadinessProbe == nil {
				problems = append(problems, fmt.Sprintf("%s: container %s needs an image, a liveness and a readiness probe", where, c.Name))
			}
			if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
				problems = append(problems, fmt.Sprintf("%s: container %s needs memory requests and limits", where, c.Name))
			}
		}
	case *monitoringv1.PrometheusRule:
		if len(o.Spec.Groups) == 0 {
			problems = append(problems, where+": no rule groups")
		}
	}
	if o, ok := object.(interface{ GetName() string }); ok && o.GetName() == "" {
		problems = append(problems, where+": no metadata.name")
	}
	return problems
}

// printConfigMapKey prints data[key] of the ConfigMap called name: the file a pod mounts, so the
// tool that reads it can check exactly that.
func printConfigMapKey(in io.Reader, name, key string) []string {
	decoder := yaml3.NewDecoder(in)
	for {
		var node map[string]any
		if err := decoder.Decode(&node); err == io.EOF {
			break
		} else if err != nil {
			return []string{err.Error()}
		}
		raw, _ := yaml3.Marshal(node)
		var cm corev1.ConfigMap
		if err := yaml.Unmarshal(raw, &cm); err != nil || cm.Kind != "ConfigMap" || cm.Name != name {
			continue
		}
		value, ok := cm.Data[key]
		if !ok {
			return []string{fmt.Sprintf("ConfigMap %s has no key %s", name, key)}
		}
		fmt.Print(value)
		return nil
	}
	return []string{fmt.Sprintf("no ConfigMap %s", name)}
}

// checkHelmValues decodes the Prometheus and Alertmanager parts of the kube-prometheus-stack
// values strictly into the operator's types (what the chart renders them into) and holds them to
// what compose and the local stack promise: 30 days of retention, an external URL on both.
func checkHelmValues(file string) []string {
	data, err := os.ReadFile(file)
	if err != nil {
		return []string{err.Error()}
	}
	var values struct {
		Prometheus struct {
			PrometheusSpec map[string]any `json:"prometheusSpec"`
		} `json:"prometheus"`
		Alertmanager struct {
			AlertmanagerSpec map[string]any `json:"alertmanagerSpec"`
		} `json:"alertmanager"`
	}
	if err := yaml.Unmarshal(data, &values); err != nil {
		return []string{fmt.Sprintf("%s: %v", file, err)}
	}
	var problems []string
	// The chart's own keys beside the CRD fields.
	chartOnly := []string{"serviceMonitorSelectorNilUsesHelmValues", "ruleSelectorNilUsesHelmValues", "podMonitorSelectorNilUsesHelmValues", "probeSelectorNilUsesHelmValues"}
	for _, k := range chartOnly {
		delete(values.Prometheus.PrometheusSpec, k)
	}
	var prometheus monitoringv1.PrometheusSpec
	raw, _ := yaml.Marshal(values.Prometheus.PrometheusSpec)
	if err := yaml.UnmarshalStrict(raw, &prometheus); err != nil {
		problems = append(problems, fmt.Sprintf("%s: prometheus.prometheusSpec: %v", file, err))
	}
	var alertmanager monitoringv1.AlertmanagerSpec
	raw, _ = yaml.Marshal(values.Alertmanager.AlertmanagerSpec)
	if err := yaml.UnmarshalStrict(raw, &alertmanager); err != nil {
		problems = append(problems, fmt.Sprintf("%s: alertmanager.alertmanagerSpec: %v", file, err))
	}
	if retention, err := model.ParseDuration(string(prometheus.Retention)); err != nil || time.Duration(retention) < 30*24*time.Hour {
		problems = append(problems, fmt.Sprintf("%s: Prometheus retention %q is shorter than the 30d SLO window", file, prometheus.Retention))
	}
	if prometheus.ExternalURL == "" || alertmanager.ExternalURL == "" {
		problems = append(problems, file+": Prometheus and Alertmanager need an externalUrl")
	}
	return problems
}
