package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

var errNoModel = errors.New("gateway: body has no top-level model field")

// setModel returns a copy of the JSON object body with its top-level "model"
// value replaced by name, every other byte unchanged.
func setModel(body []byte, name string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errNoModel
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, errNoModel
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, errNoModel
		}
		if k, _ := t.(string); k == "model" {
			end := int(dec.InputOffset())
			start := end - len(raw)
			val, _ := json.Marshal(name)
			out := make([]byte, 0, len(body)+len(val))
			out = append(out, body[:start]...)
			out = append(out, val...)
			return append(out, body[end:]...), nil
		}
	}
	if _, err := dec.Token(); err != nil && err != io.EOF {
		return nil, errNoModel
	}
	return nil, errNoModel
}
