// Command app is a small application that carries its own database
// migrations: SQL revision files embedded in the binary, a revision
// written in Go, structs as its models, and retort's whole command line
// mounted as "app db ...".
//
//	app serve              upgrade the database on start-up, then work
//	app db upgrade         the mounted retort commands
//	app db migrate -m MSG  autogenerate a revision from the structs (run
//	                       it in this directory: it writes migrations/versions)
package main

import (
	"context"
	"os"

	"github.com/retortdb/retort/examples/app/appcmd"
)

func main() {
	os.Exit(appcmd.Main(context.Background(), os.Args[1:]))
}
