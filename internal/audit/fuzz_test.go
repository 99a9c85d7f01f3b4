package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"
)

// badPayloads are ways a payload can be wrong; all must be refused.
var badPayloads = [][]byte{
	[]byte(`{"v":1,"i":01,"r":{}}`),
	[]byte(`{"v":1,"i":18446744073709551616,"r":{}}`),
	[]byte(`{"v":1,"i":3,"r":{"time":"2026-03-01T12:00:00+01:00"}}`),
	[]byte(`{"v":1,"i":3,"r":{"unknown":1}}`),
	[]byte(`{"v":2,"i":3,"r":{}}`),
	[]byte(`{"v":1,"i":3,"r":{}} `),
	[]byte(`{"v":1,"i":3,"r":{"time":"0001-01-01T00:00:00Z","request_id":"","tenant":"","client":"","subject_jurisdiction":"","face":"","operation":"","destination":{},"action":"","policy_hash":"","bytes_in":0,"bytes_out":0,"latency_us":0,"outcome":""}`),
	[]byte(`{"v":1,"i":3,"r":`),
	[]byte(`{"v":1,"i":,"r":{}}`),
}

// fuzzSeeds returns the golden payloads plus the bad ones.
func fuzzSeeds(tb testing.TB) [][]byte {
	b, err := os.ReadFile(filepath.Join("testdata", "golden_vectors.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var g goldenVectors
	if err := json.Unmarshal(b, &g); err != nil {
		tb.Fatal(err)
	}
	var seeds [][]byte
	for _, l := range g.Leaves {
		seeds = append(seeds, []byte(l.Payload))
		if _, err := DecodePayload([]byte(l.Payload)); err != nil {
			tb.Fatalf("golden payload %d does not decode: %v", l.Index, err)
		}
	}
	return append(seeds, badPayloads...)
}

func FuzzDecodePayload(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		e, err := DecodePayload(p)
		if err != nil {
			return
		}
		// Canonical: what decodes re-encodes to the very same bytes, so a
		// leaf hash has exactly one record behind it.
		again, err := EncodePayload(e.Index, &e.Record)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if !bytes.Equal(again, p) {
			t.Fatalf("decode accepted a non-canonical payload:\n in %q\nout %q", p, again)
		}
		if idx, err := payloadIndex(p); err != nil || idx != e.Index {
			t.Fatalf("payloadIndex = %d, %v; DecodePayload index %d", idx, err, e.Index)
		}
	})
}

func FuzzReadFrame(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(appendFrame(nil, s))
		fr := appendFrame(nil, s)
		f.Add(fr[:len(fr)-1])
	}
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		payload, n, err := readFrame(b)
		if err != nil {
			return
		}
		if n > len(b) || n != len(payload)+frameOverhead {
			t.Fatalf("frame size %d for %d input bytes and %d payload bytes", n, len(b), len(payload))
		}
		if !bytes.Equal(appendFrame(nil, payload), b[:n]) {
			t.Fatal("frame does not round-trip")
		}
	})
}

func FuzzParseCheckpointBody(f *testing.F) {
	f.Add("sovereign.audit/test\n7\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
	f.Add("o\n01\nAA==\n")
	f.Add("o\n1\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseCheckpointBody(s)
		if err != nil {
			return
		}
		if len(c.Root) != 32 {
			t.Fatalf("root of %d bytes accepted", len(c.Root))
		}
		back, err := parseCheckpointBody(c.body())
		if err != nil || back.Size != c.Size || back.Origin != c.Origin || !bytes.Equal(back.Root, c.Root) {
			t.Fatalf("checkpoint body does not round-trip: %q", s)
		}
	})
}

func TestDecodePayloadRejects(t *testing.T) {
	for _, p := range badPayloads {
		if _, err := DecodePayload(p); err == nil {
			t.Errorf("DecodePayload(%q) succeeded", p)
		}
	}
}

// oddStrings are strings that stress the canonical encoding: invalid UTF-8,
// what encoding/json escapes, and the escape sequence of the replacement.
var oddStrings = []string{"", "plain", "bad\xff", "\xc3", "a\u2028b\u2029", "<&>", "\x00\x1f", `\ufffd`, "\ufffd", "日本"}

// oddRecord puts s into every kind of string field a record has.
func oddRecord(i int, s string, unixNano int64) *Record {
	r := testRecord(i)
	r.Time = time.Unix(0, unixNano).In(time.FixedZone("x", 3600))
	r.RequestID, r.Tenant, r.Purpose, r.Error = s, s, s, s
	r.Destination.Name = s
	r.Rules = []string{s, "rule-1"}
	r.Findings = append(r.Findings, Count{Type: s, Class: s, N: i})
	r.Fields = &FieldOutcome{Object: s, Kept: []string{s}}
	return r
}

// checkRoundTrip requires that a record the log would write decodes again
// and re-encodes to the same bytes, and that valid strings survive as given.
func checkRoundTrip(t *testing.T, r *Record) {
	t.Helper()
	p, err := EncodePayload(7, r)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	e, err := DecodePayload(p)
	if err != nil {
		t.Fatalf("a written record does not decode: %v\n%q", err, p)
	}
	again, err := EncodePayload(e.Index, &e.Record)
	if err != nil || !bytes.Equal(again, p) {
		t.Fatalf("re-encode differs (%v):\n%q\n%q", err, p, again)
	}
	if utf8.ValidString(r.RequestID) && e.Record.RequestID != r.RequestID {
		t.Fatalf("valid string changed: %q -> %q", r.RequestID, e.Record.RequestID)
	}
	if !e.Record.Time.Equal(r.Time) {
		t.Fatalf("time changed: %v -> %v", r.Time, e.Record.Time)
	}
}

func TestEncodeRecordCanonical(t *testing.T) {
	for i, s := range oddStrings {
		t.Run(fmt.Sprintf("%q", s), func(t *testing.T) {
			checkRoundTrip(t, oddRecord(i, s, testBase.UnixNano()+int64(i)))
		})
	}
}

// FuzzEncodeRecord: whatever strings and time a caller passes, the log never
// writes a record that its own strict decoder (export, report) refuses.
func FuzzEncodeRecord(f *testing.F) {
	for i, s := range oddStrings {
		f.Add(s, int64(i), testBase.UnixNano())
	}
	f.Fuzz(func(t *testing.T, s string, n, unixNano int64) {
		r := oddRecord(int(uint64(n)%1000), s, unixNano)
		if _, err := EncodePayload(0, r); err != nil {
			return // times outside years 0-9999 are refused, not written
		}
		checkRoundTrip(t, r)
	})
}
