// Package examples holds Sovereign's example configs. The quick-start config
// is embedded in the binary, so that `sovereign serve` without --config runs
// on exactly the file in this directory.
package examples

import _ "embed"

// Quickstart is examples/quickstart.yaml.
//
//go:embed quickstart.yaml
var Quickstart []byte

// QuickstartName names the embedded config in messages.
const QuickstartName = "quickstart.yaml (embedded)"

// QuickstartKeyFile is where the quick-start config reads its demo client's
// key from (clients[0].key: file:.sovereign/demo.key); `sovereign serve`
// generates it there on first use when no --config is given.
const QuickstartKeyFile = ".sovereign/demo.key"
