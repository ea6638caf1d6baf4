package cli

// ScriptCommands are further commands for the testscript scenarios,
// registered by the external tests (mount_test.go registers the example
// application as "app" and "app-dev") before TestMain runs.
var ScriptCommands = map[string]func(){}
