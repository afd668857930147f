// Command check decodes the rendered Kubernetes install of deploy/k8s strictly into the API's Go
// types and holds the result to what docs/kubernetes.md promises: alerts delivered, data durable,
// no default password, selectors that find the project's objects, images as compose pins them,
// environments apart. It reads renders (helm template, kustomize build), never a cluster.
//
//	check -compose deploy/compose/compose.yaml \
//	  -stack kube-prometheus-stack=kps.yaml -stack loki=loki.yaml -stack observability=obs.yaml \
//	  -overlay dev=dev.yaml -overlay production=production.yaml
//
// Prints one `ok - <check>` / `not ok - <check>` line per check (with `#` lines saying what is
// wrong) and exits 1 when one fails. deploy/k8s/check/check.sh renders and runs it.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

// stackNamespace is where kube-prometheus-stack, Loki and deploy/k8s/observability are installed.
const stackNamespace = "observability"

type renders []string

func (r *renders) String() string     { return strings.Join(*r, ",") }
func (r *renders) Set(v string) error { *r = append(*r, v); return nil }

// install is everything rendered: the stack's objects and each overlay's.
type install struct {
	stack    []object
	overlays map[string][]object // overlay name -> its objects
	compose  string              // path of compose.yaml, for the image versions
}

func (in install) all() []object {
	all := append([]object{}, in.stack...)
	for _, name := range sortedKeys(in.overlays) {
		all = append(all, in.overlays[name]...)
	}
	return all
}

func main() {
	var stacks, overlays renders
	compose := flag.String("compose", "deploy/compose/compose.yaml", "compose file whose image versions the charts must run")
	flag.Var(&stacks, "stack", "name=render.yaml installed into the observability namespace (repeatable)")
	flag.Var(&overlays, "overlay", "name=render.yaml of a kustomize overlay (repeatable)")
	flag.Parse()

	in := install{overlays: map[string][]object{}, compose: *compose}
	failed := 0
	report := func(name string, problems []string) {
		if len(problems) == 0 {
			fmt.Printf("ok - %s\n", name)
			return
		}
		failed++
		fmt.Printf("not ok - %s\n", name)
		for _, p := range problems {
			fmt.Printf("    # %s\n", p)
		}
	}
	load := func(arg, namespace string) (string, []object) {
		name, path, ok := strings.Cut(arg, "=")
		if !ok {
			fmt.Fprintf(os.Stderr, "check: %q is not name=file\n", arg)
			os.Exit(2)
		}
		objects, problems := decodeFile(name, path, namespace)
		report(fmt.Sprintf("%s: %d objects decode strictly into their Go types", name, len(objects)), problems)
		return name, objects
	}
	for _, arg := range stacks {
		_, objects := load(arg, stackNamespace)
		in.stack = append(in.stack, objects...)
	}
	for _, arg := range overlays {
		name, objects := load(arg, "")
		in.overlays[name] = objects
	}

	for _, c := range checks {
		report(c.name, c.run(in))
	}
	if failed > 0 {
		os.Exit(1)
	}
}
