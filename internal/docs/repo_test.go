package docs

import (
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v4"
)

// repoRoot is the repository root: go test runs in the package directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found at %s: %v", root, err)
	}
	return root
}

// readRepoFile reads a file by its slash-separated path from the repository root.
func readRepoFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keyValue is one entry of a YAML mapping, in document order.
type keyValue struct {
	Key   string
	Value *yaml.Node
}

// entries lists a mapping node's entries in order; nil for any other node.
func entries(n *yaml.Node) []keyValue {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([]keyValue, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, keyValue{n.Content[i].Value, n.Content[i+1]})
	}
	return out
}

// lookup returns a mapping's value for key, or nil.
func lookup(n *yaml.Node, key string) *yaml.Node {
	for _, kv := range entries(n) {
		if kv.Key == key {
			return kv.Value
		}
	}
	return nil
}

// scalar is a scalar node's value, or "" for nil.
func scalar(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	return n.Value
}

// parseYAML parses one YAML document into its root mapping node.
func parseYAML(t *testing.T, name string, b []byte) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		t.Fatalf("%s: not a YAML mapping", name)
	}
	return doc.Content[0]
}
