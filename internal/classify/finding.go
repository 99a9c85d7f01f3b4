package classify

import (
	"log/slog"
	"strconv"
	"strings"
)

// Class is the data class of a finding: what kind of harm crossing a border could do.
type Class string

// The data classes (shared/DESIGN.md). Their names are part of the public interface.
const (
	ClassPersonal Class = "personal"
	ClassSpecial  Class = "special"
	ClassSecret   Class = "secret"
	ClassBusiness Class = "business"
	ClassPublic   Class = "public"
)

// Type is the stable name of a finding type. The names are part of the public
// interface: CLI output, audit records and metrics use them.
type Type string

// The finding types.
const (
	Email          Type = "email"
	Phone          Type = "phone"
	PaymentCard    Type = "payment_card"
	IBAN           Type = "iban"
	IPAddress      Type = "ip_address"
	DateOfBirth    Type = "date_of_birth"
	PersonName     Type = "person_name"
	PostalAddress  Type = "postal_address"
	Postcode       Type = "postcode"
	USSSN          Type = "us_ssn"
	UKNINO         Type = "uk_nino"
	UKNHS          Type = "uk_nhs"
	DETaxID        Type = "de_tax_id"
	FRNIR          Type = "fr_nir"
	ESDNI          Type = "es_dni"
	ESNIE          Type = "es_nie"
	ITFiscalCode   Type = "it_fiscal_code"
	NLBSN          Type = "nl_bsn"
	SEPersonnummer Type = "se_personnummer"
	PLPESEL        Type = "pl_pesel"
	Secret         Type = "secret"
	Business       Type = "business"
)

// Finding is one typed match in a body. Start and End are byte offsets into the
// original body (End exclusive); Path is the JSON key path ("$.records[0].Email")
// or empty for text. A Finding never holds the matched value, so it is safe to
// log; LogValue makes that explicit.
type Finding struct {
	Type       Type    `json:"type"`
	Class      Class   `json:"class"`
	Rule       string  `json:"rule,omitempty"` // secret rule name or business rule id
	Start      int     `json:"start"`
	End        int     `json:"end"`
	Path       string  `json:"path,omitempty"`
	Confidence float64 `json:"confidence"`
}

// LogValue renders the finding without any data from the body.
func (f Finding) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("type", string(f.Type)),
		slog.String("class", string(f.Class)),
		slog.String("span", strconv.Itoa(f.Start)+"-"+strconv.Itoa(f.End)),
	}
	if f.Rule != "" {
		attrs = append(attrs, slog.String("rule", f.Rule))
	}
	if f.Path != "" {
		attrs = append(attrs, slog.String("path", f.LogPath()))
	}
	return slog.GroupValue(attrs...)
}

// LogPath is the finding's path as it may be logged. A key the path has to
// quote ($["anna@example.com"], $.by_phone["+49 30 12345678"]) can be data,
// even the finding itself: such a step is written [*], as JSONPath writes
// any key. Keys written as identifiers ($.records[0].Email) stay.
func (f Finding) LogPath() string { return logPath(f.Path) }

func logPath(p string) string {
	if strings.IndexByte(p, '"') < 0 {
		return p
	}
	b := make([]byte, 0, len(p))
	for i := 0; i < len(p); {
		if !strings.HasPrefix(p[i:], `["`) {
			b = append(b, p[i])
			i++
			continue
		}
		j := i + 2 // the quoted key, as strconv.Quote writes it
		for j < len(p) && p[j] != '"' {
			if p[j] == '\\' {
				j++
			}
			j++
		}
		b = append(b, "[*]"...)
		i = min(j+2, len(p)) // past `"]`
	}
	return string(b)
}

var _ slog.LogValuer = Finding{}
