package lint

import "strings"

// SARIF 2.1.0 (OASIS), the format code-review tools read (GitHub code
// scanning, GitLab, Azure DevOps): one run, retort as the tool, its rules
// as reportingDescriptors, each finding a result located at the
// statement's file and line. A silenced finding is a result with an
// in-source suppression carrying the comment's reason.

// SARIF is a SARIF 2.1.0 log; encode it with encoding/json.
type SARIF struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string      `json:"id"`
	Name                 string      `json:"name"`
	ShortDescription     sarifText   `json:"shortDescription"`
	DefaultConfiguration sarifConfig `json:"defaultConfiguration"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID       string             `json:"ruleId"`
	RuleIndex    int                `json:"ruleIndex"`
	Level        string             `json:"level"`
	Message      sarifText          `json:"message"`
	Locations    []sarifLocation    `json:"locations"`
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification"`
}

// ToSARIF converts findings into a SARIF log; version is retort's.
// Paths are used as written (relative to where lint ran, with "/").
func ToSARIF(findings []Finding, version string) SARIF {
	rules := make([]sarifRule, len(Rules))
	index := map[string]int{}
	for i, r := range Rules {
		rules[i] = sarifRule{ID: r.Code, Name: r.Name, ShortDescription: sarifText{r.Summary}, DefaultConfiguration: sarifConfig{r.Severity.String()}}
		index[r.Code] = i
	}
	results := []sarifResult{}
	for _, f := range findings {
		msg := f.Message
		if f.Lock != "" {
			msg += "\nLock: " + f.Lock
		}
		if f.Safe != "" {
			msg += "\nSafe alternative:\n" + f.Safe
		}
		res := sarifResult{
			RuleID: f.Code, RuleIndex: index[f.Code], Level: f.Severity.String(),
			Message:   sarifText{msg},
			Locations: []sarifLocation{{sarifPhysical{sarifArtifact{toSlash(f.Path)}, sarifRegion{f.Line}}}},
		}
		if f.Ignored {
			res.Suppressions = []sarifSuppression{{Kind: "inSource", Justification: f.Reason}}
		}
		results = append(results, res)
	}
	return SARIF{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs: []sarifRun{{Tool: sarifTool{sarifDriver{
			Name: "retort lint", Version: version, InformationURI: "https://github.com/retortdb/retort/blob/main/docs/lint.md", Rules: rules,
		}}, Results: results}},
	}
}

// toSlash writes a Windows path's separators as SARIF's URIs want them.
func toSlash(p string) string { return strings.ReplaceAll(p, `\`, "/") }
