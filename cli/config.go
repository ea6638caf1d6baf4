package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
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
	// VersionTable and LogTable name retort's tables.
	VersionTable string `toml:"version_table"`
	LogTable     string `toml:"log_table"`
	// LockTimeout bounds the wait for the migration lock ("60s").
	LockTimeout string `toml:"lock_timeout"`

	// path is the config file read, "" when none.
	path string
	// lockTimeoutFrom names the flag or environment variable that set
	// LockTimeout, "" when it came from the file or the default.
	lockTimeoutFrom string
}

// defaultConfig holds the values used when nothing else sets a key.
func defaultConfig() Config {
	return Config{
		Dir:          "migrations",
		Schema:       "schema.sql",
		VersionTable: "retort_revisions",
		LogTable:     "retort_log",
		LockTimeout:  "60s",
	}
}

// configKeys maps each key to its environment variables, in priority order.
var configEnv = []struct {
	key  string
	envs []string
	set  func(c *Config, v string)
}{
	{"database", []string{"RETORT_DATABASE_URL", "DATABASE_URL"}, func(c *Config, v string) { c.Database = v }},
	{"dir", []string{"RETORT_DIR"}, func(c *Config, v string) { c.Dir = v }},
	{"schema", []string{"RETORT_SCHEMA"}, func(c *Config, v string) { c.Schema = v }},
	{"models", []string{"RETORT_MODELS"}, func(c *Config, v string) { c.Models = v }},
	{"dev_database", []string{"RETORT_DEV_DATABASE"}, func(c *Config, v string) { c.DevDatabase = v }},
	{"version_table", []string{"RETORT_VERSION_TABLE"}, func(c *Config, v string) { c.VersionTable = v }},
	{"log_table", []string{"RETORT_LOG_TABLE"}, func(c *Config, v string) { c.LogTable = v }},
	{"lock_timeout", []string{"RETORT_LOCK_TIMEOUT"}, func(c *Config, v string) { c.LockTimeout, c.lockTimeoutFrom = v, "RETORT_LOCK_TIMEOUT" }},
}

// ConfigError is a problem in the configuration file or values.
type ConfigError struct {
	// Path is the config file, or "" for values from flags or environment.
	Path string
	// Line is the 1-based line in Path, 0 when unknown.
	Line int
	Msg  string
}

// Error implements error.
func (e *ConfigError) Error() string {
	switch {
	case e.Path != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	case e.Path != "":
		return fmt.Sprintf("%s: %s", e.Path, e.Msg)
	}
	return "config: " + e.Msg
}

// parseConfig reads a retort.toml. Unknown keys are errors.
func parseConfig(path string, data []byte) (Config, error) {
	c := defaultConfig()
	c.path = path
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		var se *toml.StrictMissingError
		if errors.As(err, &se) && len(se.Errors) > 0 {
			first := se.Errors[0]
			line, _ := first.Position()
			return c, &ConfigError{Path: path, Line: line, Msg: fmt.Sprintf("unknown key %q (known keys: %s)", strings.Join(first.Key(), "."), knownKeys())}
		}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, _ := de.Position()
			return c, &ConfigError{Path: path, Line: line, Msg: de.Error()}
		}
		return c, &ConfigError{Path: path, Msg: err.Error()}
	}
	return c, nil
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
	}
	for _, e := range configEnv {
		for _, env := range e.envs {
			if v := getenv(env); v != "" {
				e.set(&c, v)
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
	d, err := time.ParseDuration(c.LockTimeout)
	if err == nil && d >= 0 {
		return d, nil
	}
	what := "is not a duration"
	if err == nil {
		what = "is negative"
	}
	if c.lockTimeoutFrom != "" {
		return 0, fmt.Errorf("%s %q %s: give it a duration such as 60s or 2m", c.lockTimeoutFrom, c.LockTimeout, what)
	}
	return 0, &ConfigError{Path: c.path, Msg: fmt.Sprintf("lock_timeout %q %s (for example 60s or 2m)", c.LockTimeout, what)}
}
