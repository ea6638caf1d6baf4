package cli

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseConfig feeds arbitrary bytes to the retort.toml parser. It must
// never panic; what it rejects must be a *ConfigError naming the file; what
// it accepts must hold, for every key, either the default or a value that
// the input spelled out.
func FuzzParseConfig(f *testing.F) {
	seeds := []string{
		"",
		"database = \"sqlite:app.db\"\n",
		"database = \"postgres://u:p@h:5432/db?sslmode=disable\"\ndir = \"db\"\nschema = \"models\"\n",
		"dev_database = \"mysql://root@127.0.0.1:3306/dev\"\nversion_table = \"v\"\nlog_table = \"l\"\nlock_timeout = \"2m\"\n",
		"databse = \"typo\"\n",
		"database = 1\n",
		"[section]\nkey = \"v\"\n",
		"database = \"a\"\ndatabase = \"b\"\n",
		"dir = '''multi\nline'''\n",
		"lock_timeout = \"\"\n",
		"\xff\xfe",
		// go-toml matches keys to fields without regard to case, so this
		// is accepted as dev_database (found by this fuzz target).
		"dev_databAse = \"x\"\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	def := defaultConfig()
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseConfig("retort.toml", data)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error is %T, not *ConfigError: %v", err, err)
			}
			if ce.Path != "retort.toml" {
				t.Fatalf("error names path %q, want retort.toml", ce.Path)
			}
			if !strings.HasPrefix(err.Error(), "retort.toml") {
				t.Fatalf("error does not start with the file name: %q", err)
			}
			return
		}
		if c.path != "retort.toml" {
			t.Fatalf("path = %q", c.path)
		}
		// Keys match without regard to case (go-toml's field matching).
		text := strings.ToLower(string(data))
		for _, kv := range []struct{ key, got, def string }{
			{"database", c.Database, def.Database},
			{"dir", c.Dir, def.Dir},
			{"schema", c.Schema, def.Schema},
			{"dev_database", c.DevDatabase, def.DevDatabase},
			{"version_table", c.VersionTable, def.VersionTable},
			{"log_table", c.LogTable, def.LogTable},
			{"lock_timeout", c.LockTimeout, def.LockTimeout},
		} {
			if kv.got == kv.def {
				continue
			}
			// A value other than the default must come from the input: its
			// key is written there (bare or quoted, as TOML allows; a quoted
			// key spelled with \u escapes is let through unchecked).
			if !strings.Contains(text, kv.key) && !strings.Contains(text, `\u`) && !strings.Contains(text, `\U`) {
				t.Fatalf("%s = %q but the input does not set it:\n%q", kv.key, kv.got, text)
			}
		}
	})
}
