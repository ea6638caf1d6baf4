package lint

import (
	"strings"
	"testing"
)

// TestOnlineToolCommandsAreShellSafe checks the gh-ost and
// pt-online-schema-change lines a finding suggests: backticks, $ and '
// in the ALTER text reach the tool as written, not run by the shell.
func TestOnlineToolCommandsAreShellSafe(t *testing.T) {
	t.Parallel()
	got := myOnlineTool("items", "ADD COLUMN `note` text DEFAULT 'it''s $HOME'")
	want := `--alter='ADD COLUMN ` + "`note`" + ` text DEFAULT '\''it'\'''\''s $HOME'\''' --execute`
	if !strings.Contains(got, "gh-ost --database=DB --table=items "+want) {
		t.Errorf("gh-ost line not quoted for the shell:\n%s\nwant it to contain\n%s", got, want)
	}
	for in, want := range map[string]string{"items": "items", "": "''", "a b": "'a b'", "x'y": `'x'\''y'`} {
		if q := shellQuote(in); q != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, q, want)
		}
	}
}
