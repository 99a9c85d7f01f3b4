package audit

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Export formats.
const (
	FormatJSONL = "jsonl"
	FormatCSV   = "csv"
)

// ExportRow is one exported record: the record's fields plus its index.
type ExportRow struct {
	Index uint64 `json:"index"`
	Record
}

// CSVHeader is the column list of the CSV export, in order.
var CSVHeader = []string{
	"index", "time", "request_id", "tenant", "client", "subject_jurisdiction", "purpose", "face", "operation",
	"destination_name", "destination_region", "destination_jurisdiction", "destination_vendor", "transfer_mechanism",
	"findings", "action", "rules", "policy_hash", "subject_ref", "bytes_in", "bytes_out", "latency_us",
	"outcome", "error", "fields_object", "fields_kept", "fields_tokenized", "fields_masked", "fields_dropped",
}

// Export writes the records of dir whose time is in tr to out as JSON lines
// or CSV. Findings in CSV are "type/class=n" joined by ';'. It returns the
// number of records written. progress, if set, gets the number of records
// read so far (see ReadRecords).
func Export(dir string, out io.Writer, format string, tr TimeRange, progress func(uint64)) (int, error) {
	if format != FormatJSONL && format != FormatCSV {
		return 0, fmt.Errorf("export format %q: want %s or %s", format, FormatJSONL, FormatCSV)
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	enc := json.NewEncoder(bw)
	cw := csv.NewWriter(bw)
	if format == FormatCSV {
		if err := cw.Write(CSVHeader); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
	}
	n := 0
	err := ReadRecords(dir, func(e Entry) error {
		if !tr.Contains(e.Record.Time) {
			return nil
		}
		n++
		if format == FormatJSONL {
			return enc.Encode(ExportRow{Index: e.Index, Record: e.Record})
		}
		return cw.Write(csvRow(e))
	}, progress)
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	return n, nil
}

func csvRow(e Entry) []string {
	r := &e.Record
	findings := make([]string, len(r.Findings))
	for i, c := range r.Findings {
		findings[i] = fmt.Sprintf("%s/%s=%d", c.Type, c.Class, c.N)
	}
	var f FieldOutcome
	if r.Fields != nil {
		f = *r.Fields
	}
	j := func(s []string) string { return strings.Join(s, ";") }
	i64 := func(v int64) string { return strconv.FormatInt(v, 10) }
	d := r.Destination
	return []string{
		strconv.FormatUint(e.Index, 10), r.Time.UTC().Format(time.RFC3339Nano), r.RequestID, r.Tenant, r.Client,
		r.SubjectJurisdiction, r.Purpose, r.Face, r.Operation,
		d.Name, d.Region, d.Jurisdiction, d.Vendor, d.Mechanism,
		j(findings), r.Action, j(r.Rules), r.PolicyHash, r.SubjectRef, i64(r.BytesIn), i64(r.BytesOut), i64(r.LatencyMicros),
		r.Outcome, r.Error, f.Object, j(f.Kept), j(f.Tokenized), j(f.Masked), j(f.Dropped),
	}
}
