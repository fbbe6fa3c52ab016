// Command annalist archives history sites: see internal/cli.
package main

import (
	"context"
	"os"
	_ "time/tzdata" // CRON_TZ zones work without the system zone database

	"annalist/internal/cli"
)

func main() {
	os.Exit(cli.NewMain().Run(context.Background(), os.Args[1:]))
}
