package server

import (
	"maps"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"paved.dev/paved"
	"paved.dev/paved/score"
)

// workloadImages is, by workload (Deployment) name, each container's
// image: what the crash chaos compares between a target and the store.
type workloadImages map[string]map[string]string

// add records the images of a Deployment's containers.
func (w workloadImages) add(t *testing.T, d *unstructured.Unstructured) {
	t.Helper()
	containers, _, err := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	if err != nil {
		t.Fatalf("Deployment %s: spec.template.spec.containers: %v", d.GetName(), err)
	}
	images := map[string]string{}
	for _, c := range containers {
		m, _ := c.(map[string]any)
		name, _ := m["name"].(string)
		image, _ := m["image"].(string)
		images[name] = image
	}
	w[d.GetName()] = images
}

func (w workloadImages) equal(o workloadImages) bool { return maps.EqualFunc(w, o, maps.Equal) }

// specImages reads the images a deployment's Score files give each
// container of each workload.
func specImages(t *testing.T, d *paved.Deployment) workloadImages {
	t.Helper()
	l, err := score.NewLoader()
	must(t, err)
	out := workloadImages{}
	for name, data := range d.Specs {
		w, err := l.Load(name, []byte(data), "", score.Options{})
		if err != nil {
			t.Fatalf("deployment %s: %v", d.ID, err)
		}
		images := map[string]string{}
		for c, spec := range w.Spec.Containers {
			images[c] = spec.Image
		}
		out[w.Name] = images
	}
	if len(out) == 0 {
		t.Fatalf("deployment %s has no Score files", d.ID)
	}
	return out
}
