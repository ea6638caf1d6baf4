package cli

import (
	"errors"
	"reflect"
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
		// Every key the struct knows, found through its toml tags so that
		// keys added later are covered too.
		got, dv := reflect.ValueOf(c), reflect.ValueOf(def)
		for i := 0; i < got.NumField(); i++ {
			f := got.Type().Field(i)
			key, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
			if key == "" || key == "-" {
				continue
			}
			if reflect.DeepEqual(got.Field(i).Interface(), dv.Field(i).Interface()) {
				continue
			}
			// A value other than the default must come from the input: its
			// key is written there (bare or quoted, as TOML allows; a quoted
			// key spelled with \u escapes is let through unchecked).
			if !strings.Contains(text, key) && !strings.Contains(text, `\u`) && !strings.Contains(text, `\U`) {
				t.Fatalf("%s = %#v but the input does not set it:\n%q", key, got.Field(i).Interface(), text)
			}
			// And the value is the one given: without escapes, TOML strings
			// hold their text verbatim (multi-line ones may change line
			// endings).
			if v, ok := got.Field(i).Interface().(string); ok && !strings.Contains(string(data), `\`) && !strings.Contains(string(data), "\r") {
				if !strings.Contains(string(data), v) {
					t.Fatalf("%s = %q, which the input does not contain:\n%q", key, v, data)
				}
			}
		}
	})
}
