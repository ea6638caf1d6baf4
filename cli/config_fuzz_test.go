package cli

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// FuzzParseConfig feeds arbitrary bytes to the retort.toml parser. It must
// never panic; what it rejects must be a *ConfigError naming the file, in
// the user's words (no Go type names, no "toml:" prefix), without the
// input's password; what it accepts must hold only known keys, spelled
// exactly, with string values, and hold for every key either the default or
// a value that the input spelled out.
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
		// was accepted as dev_database (found by this fuzz target); keys
		// now match exactly and it is rejected.
		"dev_databAse = \"x\"\n",
		"DATABASE = \"sqlite:x.db\"\n",
		"\"Dir\" = \"x\"\n",
		"dir = migrations\n",
		"dir = {path = \"m\"}\n",
		"dir.sub = \"x\"\n",
		"[dir]\npath = \"m\"\n",
		"[[dir]]\n",
		"lock_timeout = 60\n",
		"dir = \"a\"\n[x]\n[x]\n",
		"database = # no value\n",
		"database = \"postgres://u:S3cret@h/db?sslmode=bogus\"\ndatabase = \"x\"\n",
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
			msg := err.Error()
			if !strings.HasPrefix(msg, "retort.toml") {
				t.Fatalf("error does not start with the file name: %q", err)
			}
			for _, leak := range []string{"toml: ", "cli.", "struct field", "of type"} {
				if strings.Contains(msg, leak) {
					t.Fatalf("error has %q, a go-toml or Go term: %q", leak, msg)
				}
			}
			if bytes.Contains(data, []byte("S3cret")) && strings.Contains(msg, "S3cret") {
				t.Fatalf("error shows the password: %q", msg)
			}
			return
		}
		// Accepted: every key is known, spelled exactly, with a string.
		var raw map[string]any
		if err := toml.Unmarshal(data, &raw); err != nil {
			t.Fatalf("accepted, but go-toml rejects it: %v", err)
		}
		for k, v := range raw {
			if _, ok := configExample(k); !ok {
				t.Fatalf("accepted unknown key %q:\n%q", k, data)
			}
			if _, ok := v.(string); !ok {
				t.Fatalf("accepted %s = %#v, not a string:\n%q", k, v, data)
			}
		}
		if c.path != "retort.toml" {
			t.Fatalf("path = %q", c.path)
		}
		text := string(data)
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

// TestParseConfigMessages pins the wording of config file errors: file,
// line and column, what is wrong in the user's words, and what to do.
func TestParseConfigMessages(t *testing.T) {
	known := "(known keys: database, dir, schema, models, dev_database, keep_dev_database, version_table, log_table, lock_timeout, ignore, privileges, online, online_lock_timeout, online_statement_timeout)"
	cases := []struct{ in, want string }{
		{"database =\n", `retort.toml:1:11: database has no value after =: write it in double quotes, for example database = "sqlite:app.db"`},
		{"database =", `retort.toml:1:10: database has no value after =: write it in double quotes, for example database = "sqlite:app.db"`},
		{"dir = migrations\n", `retort.toml:1:7: the value of dir is not a quoted string: write it in double quotes, for example dir = "migrations"`},
		{"dir = 1\n", `retort.toml:1:7: dir must be a string, not a number: write it in double quotes, for example dir = "migrations"`},
		{"lock_timeout = true\n", `retort.toml:1:16: lock_timeout must be a string, not true or false: write it in double quotes, for example lock_timeout = "60s"`},
		{"privileges = \"yes\"\n", `retort.toml:1:14: privileges must be true or false, not a string: write privileges = true or privileges = false, without quotes`},
		{"[privileges]\n", `retort.toml:1:2: [privileges] makes privileges a table, but privileges must be true or false: write privileges = true at the top of the file instead`},
		{"dir = [\"a\"]\n", `retort.toml:1:1: dir must be a string, not a list: write it in double quotes, for example dir = "migrations"`},
		{"dir = \"migrations\"\ndir = \"other\"\n", `retort.toml:2:1: dir is set twice (first on line 1): keep one of the two lines`},
		{"[dir]\npath = \"m\"\n", `retort.toml:1:2: [dir] makes dir a table, but dir must be a string: write dir = "migrations" at the top of the file instead`},
		{"[server]\n", `retort.toml:1:2: [server] starts a table, but the config file has no tables: put each setting at the top level as key = "value" ` + known},
		{"dir.sub = \"x\"\n", `retort.toml:1:1: dir.sub makes dir a table, but dir must be a string: write dir = "migrations"`},
		{"dir = \"m\"\nDATABASE = \"sqlite:x.db\"\n", `retort.toml:2:1: unknown key "DATABASE": keys are lower case, write database ` + known},
		{"\"Dir\" = \"m\"\n", `retort.toml:1:1: unknown key "Dir": keys are lower case, write dir ` + known},
		{"databse = \"x\"\n", `retort.toml:1:1: unknown key "databse" ` + known},
		{"ignore = \"grant\"\n", `retort.toml:1:10: ignore must be a list, not a string: write it as a list of quoted strings, for example ignore = ["grant", "statistics:public.st"]`},
		{"ignore = [\"grant\", 1]\n", `retort.toml:1:20: ignore holds a number: write it as a list of quoted strings, for example ignore = ["grant", "statistics:public.st"]`},
		{"dir = \"x\" junk\n", `retort.toml:1:11: not valid TOML: expected newline but got U+006A 'j' (write each setting on its own line as key = "value", for example dir = "migrations")`},
	}
	for _, c := range cases {
		_, err := parseConfig("retort.toml", []byte(c.in))
		if err == nil {
			t.Errorf("%q: accepted", c.in)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.in, err, c.want)
		}
	}
	for _, ok := range []string{"database = \"sqlite:x.db\" # comment\n", "'dir' = 'm'\r\n", "privileges = true\n"} {
		if _, err := parseConfig("retort.toml", []byte(ok)); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	c, err := parseConfig("retort.toml", []byte("ignore = [\"grant\", \"policy:public.t.p\"]\n"))
	if err != nil || !reflect.DeepEqual(c.Ignore, []string{"grant", "policy:public.t.p"}) {
		t.Errorf("ignore list: %q, %v", c.Ignore, err)
	}
}
