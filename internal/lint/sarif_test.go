package lint

import (
	"encoding/json"
	"testing"
)

// TestSARIFShape: every result points at the rule it names (ruleIndex),
// carries a SARIF level, a 1-based line and a forward-slash URI, and a
// silenced finding is an in-source suppression with its reason.
func TestSARIFShape(t *testing.T) {
	findings := []Finding{
		{Code: Rules[len(Rules)-1].Code, Severity: Rules[len(Rules)-1].Severity, Path: `migrations\versions\b.sql`, Line: 9, Message: "m", Lock: "SHARE"},
		{Code: Rules[0].Code, Severity: Rules[0].Severity, Path: "migrations/versions/a.sql", Line: 3, Message: "m", Ignored: true, Reason: "why"},
	}
	b, err := json.Marshal(ToSARIF(findings, "1.2.3"))
	if err != nil {
		t.Fatal(err)
	}
	var log SARIF
	if err := json.Unmarshal(b, &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q with %d runs", log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	if len(run.Results) != 2 {
		t.Fatalf("%d results, want 2", len(run.Results))
	}
	for _, r := range run.Results {
		if r.RuleIndex < 0 || r.RuleIndex >= len(run.Tool.Driver.Rules) || run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %s has ruleIndex %d, which is not its rule", r.RuleID, r.RuleIndex)
		}
		if r.Level != "error" && r.Level != "warning" && r.Level != "note" {
			t.Errorf("result %s has level %q", r.RuleID, r.Level)
		}
		loc := r.Locations[0].PhysicalLocation
		if loc.Region.StartLine < 1 || loc.ArtifactLocation.URI == "" {
			t.Errorf("result %s located at %+v", r.RuleID, loc)
		}
	}
	if got := run.Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI; got != "migrations/versions/b.sql" {
		t.Errorf("uri %q, want forward slashes", got)
	}
	if s := run.Results[1].Suppressions; len(s) != 1 || s[0].Kind != "inSource" || s[0].Justification != "why" {
		t.Errorf("suppressions of a silenced finding: %+v", s)
	}
	if len(run.Results[0].Suppressions) != 0 {
		t.Error("a finding that is not silenced has a suppression")
	}
}
