// Package corpustest is how tests treat a missing /work/shared/corpus (read
// by the relative path ../shared/corpus from the repository root): a skip
// on a machine that does not have it, a failure in CI, so that CI never
// passes by not reading the corpus.
package corpustest

import (
	"os"
	"testing"
)

// Missing ends a test that could not read the corpus file path (err is
// the read's error): it fails when the CI environment variable is set
// (.ci/run sets it), and skips otherwise.
func Missing(t testing.TB, path string, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("corpus file %s: %v (CI is set, so the corpus must be beside the repository as ../shared/corpus)", path, err)
	} else {
		t.Skipf("corpus file %s not found beside the repository: %v", path, err)
	}
}
