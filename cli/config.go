package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// Config is retort's configuration: retort.toml, overridden by environment
// variables, overridden by flags.
type Config struct {
	// Database is the database URL.
	Database string `toml:"database"`
	// Dir holds the revision files in Dir/versions.
	Dir string `toml:"dir"`
	// Schema is the desired schema: a .sql file or a directory of them.
	Schema string `toml:"schema"`
	// Models, when set, is a Go package directory whose structs are the
	// desired schema instead of Schema.
	Models string `toml:"models"`
	// DevDatabase is a scratch server database for autogenerate.
	DevDatabase string `toml:"dev_database"`
	// KeepDevDatabase keeps the desired schema loaded in DevDatabase
	// between runs, so that the next migrate or check reloads only the
	// tables whose statements changed.
	KeepDevDatabase bool `toml:"keep_dev_database"`
	// VersionTable and LogTable name retort's tables.
	VersionTable string `toml:"version_table"`
	LogTable     string `toml:"log_table"`
	// LockTimeout bounds the wait for the migration lock ("60s").
	LockTimeout string `toml:"lock_timeout"`
	// Ignore names the objects retort cannot represent that migrate,
	// check and drift leave out on purpose: kinds ("grant") or kinds and
	// names ("statistics:public.st"). The one key whose value is a list.
	Ignore []string `toml:"ignore"`
	// Privileges makes autogenerate, check, drift and inspect compare
	// and migrate GRANT/REVOKE (PostgreSQL); off, they are ignored.
	Privileges bool `toml:"privileges"`
	// Online makes migrate write revisions in their online forms, as
	// --online does.
	Online bool `toml:"online"`
	// OnlineLockTimeout and OnlineStatementTimeout are the lock and
	// statement timeouts an online revision sets ("5s", "1m"; "0" writes
	// no statement timeout).
	OnlineLockTimeout      string `toml:"online_lock_timeout"`
	OnlineStatementTimeout string `toml:"online_statement_timeout"`

	// path is the config file read, "" when none.
	path string
	// lockTimeoutFrom names the flag or environment variable that set
	// LockTimeout, "" when it came from the file or the default.
	lockTimeoutFrom string
	// privilegesEnv is RETORT_PRIVILEGES as given, checked by
	// privilegesSetting; "" when unset or overridden by the flag.
	privilegesEnv string
	// keepDevEnv is RETORT_KEEP_DEV_DATABASE as given, checked by
	// keepDevSetting.
	keepDevEnv string
	// databaseFrom says where Database came from: a flag, an environment
	// variable or the config file; fileDatabase is the config file's
	// database, "" when it sets none.
	databaseFrom, fileDatabase string
	// onlineEnv is RETORT_ONLINE as given, checked by onlineSetting.
	onlineEnv string
	// onlineLockFrom and onlineStmtFrom name the environment variable
	// that set OnlineLockTimeout and OnlineStatementTimeout, "" when
	// they came from the file or the default.
	onlineLockFrom, onlineStmtFrom string
}

// defaultConfig holds the values used when nothing else sets a key.
func defaultConfig() Config {
	return Config{
		Dir:          "migrations",
		Schema:       "schema.sql",
		VersionTable: "retort_revisions",
		LogTable:     "retort_log",
		LockTimeout:  "60s",

		OnlineLockTimeout:      "5s",
		OnlineStatementTimeout: "1m",
	}
}

// configEnv lists each key with its environment variables, in priority
// order, and an example value for messages.
var configEnv = []struct {
	key     string
	envs    []string
	example string
	set     func(c *Config, v string)
}{
	{"database", []string{"RETORT_DATABASE_URL", "DATABASE_URL"}, "sqlite:app.db", func(c *Config, v string) { c.Database = v }},
	{"dir", []string{"RETORT_DIR"}, "migrations", func(c *Config, v string) { c.Dir = v }},
	{"schema", []string{"RETORT_SCHEMA"}, "schema.sql", func(c *Config, v string) { c.Schema = v }},
	{"models", []string{"RETORT_MODELS"}, "./models", func(c *Config, v string) { c.Models = v }},
	{"dev_database", []string{"RETORT_DEV_DATABASE"}, "postgres://localhost/retort_dev", func(c *Config, v string) { c.DevDatabase = v }},
	{"keep_dev_database", []string{"RETORT_KEEP_DEV_DATABASE"}, "true", func(c *Config, v string) { c.keepDevEnv = v }},
	{"version_table", []string{"RETORT_VERSION_TABLE"}, "retort_revisions", func(c *Config, v string) { c.VersionTable = v }},
	{"log_table", []string{"RETORT_LOG_TABLE"}, "retort_log", func(c *Config, v string) { c.LogTable = v }},
	{"lock_timeout", []string{"RETORT_LOCK_TIMEOUT"}, "60s", func(c *Config, v string) { c.LockTimeout, c.lockTimeoutFrom = v, "RETORT_LOCK_TIMEOUT" }},
	{"ignore", []string{"RETORT_IGNORE"}, "grant", func(c *Config, v string) { c.Ignore = splitList(v) }},
	{"privileges", []string{"RETORT_PRIVILEGES"}, "true", func(c *Config, v string) { c.privilegesEnv = v }},
	{"online", []string{"RETORT_ONLINE"}, "true", func(c *Config, v string) { c.onlineEnv = v }},
	{"online_lock_timeout", []string{"RETORT_ONLINE_LOCK_TIMEOUT"}, "5s", func(c *Config, v string) {
		c.OnlineLockTimeout, c.onlineLockFrom = v, "RETORT_ONLINE_LOCK_TIMEOUT"
	}},
	{"online_statement_timeout", []string{"RETORT_ONLINE_STATEMENT_TIMEOUT"}, "1m", func(c *Config, v string) {
		c.OnlineStatementTimeout, c.onlineStmtFrom = v, "RETORT_ONLINE_STATEMENT_TIMEOUT"
	}},
}

// listKey is the one key whose value is a list of strings.
const listKey = "ignore"

// splitList splits a comma-separated value (of RETORT_IGNORE or
// --ignore) into its trimmed, non-empty entries.
func splitList(v string) []string {
	var out []string
	for _, e := range strings.Split(v, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// boolKeys are the keys whose value is true or false rather than a string.
var boolKeys = map[string]bool{"privileges": true, "online": true, "keep_dev_database": true}

// keyKind names the kind of value a key takes.
func keyKind(key string) string {
	switch {
	case boolKeys[key]:
		return "true or false"
	case key == listKey:
		return "a list of strings"
	}
	return "a string"
}

// assignment is how to write key with its example value ex.
func assignment(key, ex string) string {
	switch {
	case boolKeys[key]:
		return key + " = " + ex
	case key == listKey:
		return fmt.Sprintf("%s = [%q]", key, ex)
	}
	return fmt.Sprintf("%s = %q", key, ex)
}

// ConfigError is a problem in the configuration file or values.
type ConfigError struct {
	// Path is the config file, or "" for values from flags or environment.
	Path string
	// Line is the 1-based line in Path, 0 when unknown.
	Line int
	// Column is the 1-based column in Line, 0 when unknown.
	Column int
	Msg    string
}

// Error implements error.
func (e *ConfigError) Error() string {
	switch {
	case e.Path != "" && e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Column, e.Msg)
	case e.Path != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	case e.Path != "":
		return fmt.Sprintf("%s: %s", e.Path, e.Msg)
	}
	return "config: " + e.Msg
}

// parseConfig reads a retort.toml. The file holds only top-level keys with
// string values; keys match exactly (lower case, as documented), and
// unknown keys are errors.
//
// go-toml alone would match keys to fields without regard to case and
// word its errors in Go terms, so the file is checked in three passes:
// decoding into a map finds TOML syntax errors and duplicate keys; a walk
// over the parsed expressions finds tables, unknown keys and values that
// are not strings, with their positions; only then is the file decoded
// into Config, which cannot fail on such a file.
func parseConfig(path string, data []byte) (Config, error) {
	c := defaultConfig()
	c.path = path
	var raw map[string]any
	if err := toml.Unmarshal(data, &raw); err != nil {
		return c, tomlError(path, data, err)
	}
	if err := checkConfigKeys(path, data); err != nil {
		return c, err
	}
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		// Not reached for a file checkConfigKeys accepted; said plainly
		// all the same.
		return c, tomlError(path, data, err)
	}
	return c, nil
}

// configNext is the next step given with every TOML syntax error.
const configNext = `write each setting on its own line as key = "value", for example dir = "migrations"`

// tomlError turns an error of go-toml into a *ConfigError in the user's
// words, with the file, line and column.
func tomlError(path string, data []byte, err error) error {
	var de *toml.DecodeError
	if !errors.As(err, &de) {
		return &ConfigError{Path: path, Msg: fmt.Sprintf("not valid TOML: %s (%s)", tomlMessage(err), configNext)}
	}
	line, col := de.Position()
	msg := tomlMessage(de)
	ce := &ConfigError{Path: path, Line: line, Column: col}
	key := strings.Join(de.Key(), ".")
	switch {
	case strings.HasSuffix(msg, "is already defined") && key != "":
		ce.Msg = fmt.Sprintf("%s is set twice: keep one of the two lines", key)
		if first := firstKeyLine(data, de.Key()); first > 0 && first != line {
			ce.Msg = fmt.Sprintf("%s is set twice (first on line %d): keep one of the two lines", key, first)
		}
	case strings.HasSuffix(msg, "already exists") && key != "":
		ce.Msg = fmt.Sprintf("[%s] appears twice, and the config file has no tables: %s", key, configNext)
	case strings.HasSuffix(msg, "at start of value") || msg == "expected value, not end of input":
		k := keyBefore(data, line)
		if strings.Contains(msg, "U+000A") || strings.Contains(msg, "U+000D") || strings.Contains(msg, "end of input") || strings.Contains(msg, "U+0023") {
			ce.Msg = fmt.Sprintf("%s has no value after =: %s", k.name, k.write)
		} else {
			ce.Msg = fmt.Sprintf("the value of %s is not a quoted string: %s", k.name, k.write)
		}
	default:
		ce.Msg = fmt.Sprintf("not valid TOML: %s (%s)", msg, configNext)
	}
	return ce
}

// tomlMessage is go-toml's message without its "toml: " prefix, with a
// line end called so.
func tomlMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "toml: ")
	msg = strings.ReplaceAll(msg, "U+000A", "end of line (U+000A)")
	return msg
}

// keyHint names the key on a line and how to write it.
type keyHint struct {
	name  string
	write string
}

// keyBefore finds the key before the '=' on the 1-based line of data, for
// a message about its value.
func keyBefore(data []byte, line int) keyHint {
	lines := strings.Split(string(data), "\n")
	h := keyHint{name: "the key", write: `write the value in double quotes, for example dir = "migrations"`}
	if line < 1 || line > len(lines) {
		return h
	}
	k, _, ok := strings.Cut(lines[line-1], "=")
	if !ok {
		return h
	}
	k = strings.TrimSpace(k)
	for _, e := range configEnv {
		if e.key == k {
			return keyHint{name: k, write: fmt.Sprintf("write it in double quotes, for example %s = %q", k, e.example)}
		}
	}
	return h
}

// firstKeyLine returns the line where the top-level key is first set, 0
// when it cannot tell.
func firstKeyLine(data []byte, key []string) int {
	var p unstable.Parser
	p.Reset(data)
	for p.NextExpression() {
		e := p.Expression()
		if e.Kind != unstable.KeyValue {
			if e.Kind == unstable.Table || e.Kind == unstable.ArrayTable {
				return 0
			}
			continue
		}
		parts, first := keyParts(e)
		if len(parts) >= len(key) && strings.Join(parts[:len(key)], ".") == strings.Join(key, ".") {
			return p.Shape(first.Raw).Start.Line
		}
	}
	return 0
}

// keyParts returns the parts of a KeyValue's or table's key and its first
// key node.
func keyParts(e *unstable.Node) ([]string, *unstable.Node) {
	var parts []string
	var first *unstable.Node
	it := e.Key()
	for it.Next() {
		n := it.Node()
		if first == nil {
			first = n
		}
		parts = append(parts, string(n.Data))
	}
	return parts, first
}

// checkConfigKeys walks the top-level expressions of a syntactically valid
// retort.toml and rejects tables, unknown keys (keys match exactly) and
// values that are not strings, each at its position.
func checkConfigKeys(path string, data []byte) error {
	var p unstable.Parser
	p.Reset(data)
	at := func(n *unstable.Node, msg string) error {
		ce := &ConfigError{Path: path, Msg: msg}
		if n != nil && n.Raw.Length > 0 {
			pos := p.Shape(n.Raw).Start
			ce.Line, ce.Column = pos.Line, pos.Column
		}
		return ce
	}
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			parts, first := keyParts(e)
			name := strings.Join(parts, ".")
			if ex, ok := configExample(parts[0]); ok {
				return at(first, fmt.Sprintf("[%s] makes %s a table, but %s must be %s: write %s at the top of the file instead", name, parts[0], parts[0], keyKind(parts[0]), assignment(parts[0], ex)))
			}
			return at(first, fmt.Sprintf("[%s] starts a table, but the config file has no tables: put each setting at the top level as key = \"value\" (known keys: %s)", name, knownKeys()))
		case unstable.KeyValue:
			parts, first := keyParts(e)
			name := strings.Join(parts, ".")
			ex, ok := configExample(parts[0])
			if !ok {
				return at(first, unknownKey(name))
			}
			if len(parts) > 1 {
				return at(first, fmt.Sprintf("%s makes %s a table, but %s must be %s: write %s", name, parts[0], parts[0], keyKind(parts[0]), assignment(parts[0], ex)))
			}
			if name == listKey {
				if err := checkStringList(e.Value(), first, at); err != nil {
					return err
				}
				continue
			}
			if v := e.Value(); boolKeys[name] {
				if v.Kind != unstable.Bool {
					return at(v, fmt.Sprintf("%s must be true or false, not %s: write %s = true or %s = false, without quotes", name, valueKind(v.Kind), name, name))
				}
			} else if v.Kind != unstable.String {
				n := v
				if n.Raw.Length == 0 {
					n = first
				}
				return at(n, fmt.Sprintf("%s must be a string, not %s: write it in double quotes, for example %s = %q", name, valueKind(v.Kind), name, ex))
			}
		}
	}
	if err := p.Error(); err != nil {
		return &ConfigError{Path: path, Msg: fmt.Sprintf("not valid TOML: %s (%s)", tomlMessage(err), configNext)}
	}
	return nil
}

// checkStringList checks the value of the list key: an array of strings.
func checkStringList(v, key *unstable.Node, at func(*unstable.Node, string) error) error {
	const write = `write it as a list of quoted strings, for example ignore = ["grant", "statistics:public.st"]`
	if v.Kind != unstable.Array {
		n := v
		if n.Raw.Length == 0 {
			n = key
		}
		return at(n, fmt.Sprintf("%s must be a list, not %s: %s", listKey, valueKind(v.Kind), write))
	}
	it := v.Children()
	for it.Next() {
		if el := it.Node(); el.Kind != unstable.String {
			n := el
			if n.Raw.Length == 0 {
				n = key
			}
			return at(n, fmt.Sprintf("%s holds %s: %s", listKey, valueKind(el.Kind), write))
		}
	}
	return nil
}

// configExample returns the example value of a key, and whether the key is
// known. Keys match exactly.
func configExample(key string) (string, bool) {
	for _, e := range configEnv {
		if e.key == key {
			return e.example, true
		}
	}
	return "", false
}

// unknownKey words the error for a key retort does not know, pointing at
// the known key it differs from only in case, if any.
func unknownKey(name string) string {
	for _, e := range configEnv {
		if strings.EqualFold(e.key, name) {
			return fmt.Sprintf("unknown key %q: keys are lower case, write %s (known keys: %s)", name, e.key, knownKeys())
		}
	}
	return fmt.Sprintf("unknown key %q (known keys: %s)", name, knownKeys())
}

// valueKind names a TOML value kind in the user's words.
func valueKind(k unstable.Kind) string {
	switch k {
	case unstable.Integer, unstable.Float:
		return "a number"
	case unstable.Bool:
		return "true or false"
	case unstable.Array:
		return "a list"
	case unstable.InlineTable:
		return "a table"
	case unstable.LocalDate, unstable.LocalTime, unstable.LocalDateTime, unstable.DateTime:
		return "a date or time"
	}
	return "a " + strings.ToLower(k.String())
}

func knownKeys() string {
	var ks []string
	for _, e := range configEnv {
		ks = append(ks, e.key)
	}
	return strings.Join(ks, ", ")
}

// loadConfig finds and reads the configuration: the file named by
// explicitPath (which must exist), else retort.toml in dir when present.
// Environment variables then override the file.
func loadConfig(dir, explicitPath string, getenv func(string) string) (Config, error) {
	path := explicitPath
	if path == "" {
		path = filepath.Join(dir, "retort.toml")
		if _, err := os.Stat(path); err != nil {
			path = ""
		}
	} else if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	c := defaultConfig()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return c, &ConfigError{Path: explicitPath, Msg: "cannot read the config file: " + errors.Unwrap(err).Error()}
		}
		c, err = parseConfig(displayPath(dir, path), data)
		if err != nil {
			return c, err
		}
		if c.Database != "" {
			c.databaseFrom, c.fileDatabase = c.path, c.Database
		}
	}
	for _, e := range configEnv {
		for _, env := range e.envs {
			if v := getenv(env); v != "" {
				e.set(&c, v)
				if e.key == "database" {
					c.databaseFrom = env
				}
				break
			}
		}
	}
	return c, nil
}

func displayPath(dir, path string) string {
	if rel, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

// lockTimeout parses LockTimeout.
func (c *Config) lockTimeout() (time.Duration, error) {
	return c.duration("lock_timeout", c.LockTimeout, c.lockTimeoutFrom)
}

// duration parses the value v of the duration setting key; from names
// the flag or environment variable that set it, "" when it came from the
// config file or the default.
func (c *Config) duration(key, v, from string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err == nil && d >= 0 {
		return d, nil
	}
	what, example := "is not a duration", "60s or 2m"
	if err == nil {
		what = "is negative"
	} else if _, nerr := strconv.ParseFloat(v, 64); nerr == nil {
		// A bare number: Go durations need a unit.
		what, example = "has no unit", v+"s or "+v+"m"
	}
	if from != "" {
		return 0, fmt.Errorf("%s %q %s: give it a duration such as %s", from, v, what, example)
	}
	return 0, &ConfigError{Path: c.path, Msg: fmt.Sprintf("%s %q %s (for example %s)", key, v, what, example)}
}

// privilegesSetting resolves Privileges: RETORT_PRIVILEGES, when set and
// not overridden by --privileges, over the file.
func (c *Config) privilegesSetting() (bool, error) {
	return envBool(c.Privileges, "RETORT_PRIVILEGES", c.privilegesEnv)
}

// keepDevSetting resolves KeepDevDatabase: RETORT_KEEP_DEV_DATABASE,
// when set, over the file.
func (c *Config) keepDevSetting() (bool, error) {
	return envBool(c.KeepDevDatabase, "RETORT_KEEP_DEV_DATABASE", c.keepDevEnv)
}

// envBool is the value of a true-or-false key: v, the environment
// variable name's value, when set, else file, the file's.
func envBool(file bool, name, v string) (bool, error) {
	if v == "" {
		return file, nil
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s %q is not true or false: set it to true or false", name, v)
	}
	return on, nil
}
