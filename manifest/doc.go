// Package manifest writes Kubernetes objects (JSON-shaped trees) as YAML,
// deterministically and fast: keys in a fixed order, strings quoted only when
// a YAML 1.1 or 1.2 reader could take them for something else. Rendering 1,000
// workloads emits thousands of documents, and a general-purpose YAML library
// spends most of a render there.
package manifest
