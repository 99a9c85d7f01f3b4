package audit

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteMarkdown renders the report for a person (a DPO, an inspector).
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Record of processing and cross-border transfers\n\n")
	fmt.Fprintf(&b, "Shaped after GDPR Art. 30. Built from Sovereign's tamper-evident audit log; it lists decisions, never data values.\n")
	fmt.Fprintf(&b, "Controller details (Art. 30 (1)(a)) and retention periods (30 (1)(f)) are completed by the controller.\n\n")
	fmt.Fprintf(&b, "- Generated: %s\n", r.Generated.Format(time.RFC3339))
	fmt.Fprintf(&b, "- Period: %s to %s\n", timeOr(r.From, "start of log"), timeOr(r.To, "end of log"))
	fmt.Fprintf(&b, "- Records in period: %d (first %s, last %s)\n", r.Records, timeOr(r.FirstTime, "-"), timeOr(r.LastTime, "-"))
	fmt.Fprintf(&b, "- Forwarded: %d; blocked attempts: %d; errors: %d; dry runs: %d\n", r.Forwarded, r.Blocked, r.Errors, r.DryRuns)
	fmt.Fprintf(&b, "- Cross-border (subject and recipient jurisdictions differ): %d\n\n", r.CrossBorder)
	if len(r.Transfers) == 0 {
		b.WriteString("No records in this period.\n")
	}
	fmt.Fprintf(&b, "## Summary by recipient and country\n\n")
	b.WriteString("| Recipient | Destination | Jurisdiction | Mechanism | Requests | Forwarded | Blocked | Forwarded with personal data | Cross-border |\n")
	b.WriteString("|---|---|---|---|---:|---:|---:|---:|---|\n")
	for _, t := range r.Transfers {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %d | %d | %d | %s |\n", md(t.Recipient), md(t.Destination), md(t.Jurisdiction),
			md(strings.Join(t.Mechanisms, ", ")), t.Requests, t.Forwarded, t.Blocked, t.Personal, yesNo(t.CrossBorder))
	}
	for _, t := range r.Transfers {
		fmt.Fprintf(&b, "\n## %s / %s (%s)\n\n", md(t.Recipient), md(t.Destination), md(t.Jurisdiction))
		fmt.Fprintf(&b, "- Regions: %s\n", md(list(t.Regions)))
		fmt.Fprintf(&b, "- Transfer mechanisms: %s\n", md(list(t.Mechanisms)))
		fmt.Fprintf(&b, "- Purposes: %s\n", md(list(t.Purposes)))
		fmt.Fprintf(&b, "- Tenants: %s; faces: %s\n", md(list(t.Tenants)), md(list(t.Faces)))
		fmt.Fprintf(&b, "- Volumes: %d requests, %d forwarded, %d blocked attempts, %d errors, %d dry runs, %d findings, %d bytes sent\n",
			t.Requests, t.Forwarded, t.Blocked, t.Errors, t.DryRuns, t.Findings, t.BytesOut)
		fmt.Fprintf(&b, "- Actions: %s\n", md(kcList(t.Actions)))
		fmt.Fprintf(&b, "- Deciding rules: %s\n", md(list(t.Rules)))
		fmt.Fprintf(&b, "- Seen: %s to %s\n\n", t.FirstSeen.Format(time.RFC3339), t.LastSeen.Format(time.RFC3339))
		b.WriteString("| Data subjects in | Cross-border | Mechanism | Requests | Forwarded | Blocked | Forwarded with personal data |\n")
		b.WriteString("|---|---|---|---:|---:|---:|---:|\n")
		for _, f := range t.Flows {
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %d | %d |\n", md(or(f.SubjectJurisdiction, "unknown")), yesNo(f.CrossBorder),
				md(strings.Join(f.Mechanisms, ", ")), f.Requests, f.Forwarded, f.Blocked, f.Personal)
		}
		b.WriteString("\n")
		if len(t.Categories) == 0 {
			b.WriteString("No classified data categories.\n")
			continue
		}
		b.WriteString("| Class | Type | Requests | Forwarded | Blocked | Findings |\n|---|---|---:|---:|---:|---:|\n")
		for _, c := range t.Categories {
			fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d |\n", md(c.Class), md(c.Type), c.Requests, c.Forwarded, c.Blocked, c.Findings)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func timeOr(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return t.Format(time.RFC3339)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func list(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, ", ")
}

func kcList(kc []KeyCount) string {
	s := make([]string, len(kc))
	for i, k := range kc {
		s[i] = fmt.Sprintf("%s (%d)", k.Key, k.Count)
	}
	return list(s)
}

// md escapes text for a Markdown table cell or list item.
func md(s string) string {
	if s == "" {
		return "-"
	}
	r := strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}
