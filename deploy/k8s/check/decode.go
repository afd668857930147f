package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Every kind the charts and kustomizations render, with the Go type the API server decodes it
// into. A kind missing here fails the check: adding one is a decision, not an accident. The
// kinds without a Go type module that the Loki chart can render (the Grafana operator's
// GrafanaDashboard, CiliumNetworkPolicy, OpenShift's SecurityContextConstraints, the rollout
// operator's resources) are all off with the project's values; one that appears fails here, and
// would be checked against its CRD's OpenAPI schema rather than let through unchecked.
var kinds = map[string]func() any{
	"v1/ConfigMap":             func() any { return &corev1.ConfigMap{} },
	"v1/Namespace":             func() any { return &corev1.Namespace{} },
	"v1/PersistentVolumeClaim": func() any { return &corev1.PersistentVolumeClaim{} },
	"v1/Pod":                   func() any { return &corev1.Pod{} },
	"v1/Secret":                func() any { return &corev1.Secret{} },
	"v1/Service":               func() any { return &corev1.Service{} },
	"v1/ServiceAccount":        func() any { return &corev1.ServiceAccount{} },

	"apps/v1/DaemonSet":   func() any { return &appsv1.DaemonSet{} },
	"apps/v1/Deployment":  func() any { return &appsv1.Deployment{} },
	"apps/v1/StatefulSet": func() any { return &appsv1.StatefulSet{} },
	"batch/v1/Job":        func() any { return &batchv1.Job{} },

	"autoscaling/v2/HorizontalPodAutoscaler": func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"policy/v1/PodDisruptionBudget":          func() any { return &policyv1.PodDisruptionBudget{} },
	"networking.k8s.io/v1/NetworkPolicy":     func() any { return &networkingv1.NetworkPolicy{} },
	"networking.k8s.io/v1/Ingress":           func() any { return &networkingv1.Ingress{} },

	"rbac.authorization.k8s.io/v1/ClusterRole":        func() any { return &rbacv1.ClusterRole{} },
	"rbac.authorization.k8s.io/v1/ClusterRoleBinding": func() any { return &rbacv1.ClusterRoleBinding{} },
	"rbac.authorization.k8s.io/v1/Role":               func() any { return &rbacv1.Role{} },
	"rbac.authorization.k8s.io/v1/RoleBinding":        func() any { return &rbacv1.RoleBinding{} },

	"admissionregistration.k8s.io/v1/MutatingWebhookConfiguration":   func() any { return &admissionregistrationv1.MutatingWebhookConfiguration{} },
	"admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration": func() any { return &admissionregistrationv1.ValidatingWebhookConfiguration{} },
	"apiextensions.k8s.io/v1/CustomResourceDefinition":               func() any { return &apiextensionsv1.CustomResourceDefinition{} },

	"monitoring.coreos.com/v1/Alertmanager":   func() any { return &monitoringv1.Alertmanager{} },
	"monitoring.coreos.com/v1/PodMonitor":     func() any { return &monitoringv1.PodMonitor{} },
	"monitoring.coreos.com/v1/Prometheus":     func() any { return &monitoringv1.Prometheus{} },
	"monitoring.coreos.com/v1/PrometheusRule": func() any { return &monitoringv1.PrometheusRule{} },
	"monitoring.coreos.com/v1/ServiceMonitor": func() any { return &monitoringv1.ServiceMonitor{} },
}

// clusterScoped kinds have no namespace; every other object without one lands in the namespace
// it is applied to (helm -n, kubectl -n).
var clusterScoped = map[string]bool{
	"Namespace": true, "ClusterRole": true, "ClusterRoleBinding": true, "CustomResourceDefinition": true,
	"MutatingWebhookConfiguration": true, "ValidatingWebhookConfiguration": true,
}

// object is one rendered manifest, decoded into its Go type.
type object struct {
	source    string // the render it came from (e.g. "kube-prometheus-stack")
	kind      string
	namespace string
	name      string
	labels    map[string]string
	typed     any
}

func (o object) String() string {
	if o.namespace == "" {
		return fmt.Sprintf("%s %s/%s", o.source, o.kind, o.name)
	}
	return fmt.Sprintf("%s %s %s/%s", o.source, o.kind, o.namespace, o.name)
}

// decodeFile reads a multi-document YAML render and decodes every document strictly: unknown,
// misspelt and duplicate fields and wrong types fail, as the API server's strict field
// validation (kubectl apply --validate=strict) rejects them.
func decodeFile(source, path, defaultNamespace string) ([]object, []string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, []string{err.Error()}
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var objects []object
	var problems []string
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return objects, append(problems, fmt.Sprintf("%s: %v", path, err))
		}
		var probe struct {
			metav1.TypeMeta `json:",inline"`
			Metadata        metav1.ObjectMeta `json:"metadata"`
		}
		if err := yaml.Unmarshal(doc, &probe); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", source, err))
			continue
		}
		if probe.Kind == "" && probe.APIVersion == "" {
			continue // an empty document (only comments)
		}
		o := object{source: source, kind: probe.Kind, namespace: probe.Metadata.Namespace, name: probe.Metadata.Name, labels: probe.Metadata.Labels}
		if o.namespace == "" && !clusterScoped[o.kind] {
			o.namespace = defaultNamespace
		}
		newObject, ok := kinds[probe.APIVersion+"/"+probe.Kind]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: %s/%s has no Go type in deploy/k8s/check (decide how to check it)", o, probe.APIVersion, probe.Kind))
			continue
		}
		o.typed = newObject()
		if err := yaml.UnmarshalStrict(doc, o.typed); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", o, err))
			continue
		}
		if m, ok := o.typed.(metav1.Object); ok {
			m.SetNamespace(o.namespace)
		}
		if o.name == "" {
			problems = append(problems, fmt.Sprintf("%s: no metadata.name", o))
		}
		objects = append(objects, o)
	}
	return objects, problems
}
