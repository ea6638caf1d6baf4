package cli

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/testscript"
)

var _ = cmp.Diff
var _ = testscript.Run

func TestNothing(t *testing.T) {}
