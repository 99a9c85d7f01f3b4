package config

import _ "embed"

// Schema is the JSON Schema (draft 2020-12) of the YAML config, for editors
// and CI linters; `sovereign check --schema` prints it. Load is stricter
// (it checks references between sections); a test keeps the schema's field
// names equal to the yaml tags of these structs.
//
//go:embed schema.json
var Schema []byte
