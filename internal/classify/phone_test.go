package classify

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// The compiled numbering plans must agree with libphonenumber's own
// IsValidNumber for the regions Sovereign validates: on realistic numbers
// and on many random digit strings under each country code.
func TestPhonePlansAgreeWithLibphonenumber(t *testing.T) {
	loadPhones()
	if len(phones.byRegion) != len(phoneRegionIDs) {
		t.Fatalf("compiled %d regions, want %d", len(phones.byRegion), len(phoneRegionIDs))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	checked, valid := 0, 0
	for _, id := range phoneRegionIDs {
		cc := phonenumbers.GetCountryCodeForRegion(id)
		ex := phonenumbers.GetExampleNumber(id)
		samples := []string{}
		if ex != nil {
			samples = append(samples, strconv.FormatUint(ex.GetNationalNumber(), 10))
		}
		for range 300 {
			n := 6 + rng.IntN(8)
			d := make([]byte, n)
			for k := range d {
				d[k] = byte('0' + rng.IntN(10))
			}
			if d[0] == '0' {
				d[0] = '1' + byte(rng.IntN(9))
			}
			samples = append(samples, string(d))
		}
		for _, nsn := range samples {
			digits := strconv.Itoa(cc) + nsn
			num, err := phonenumbers.Parse("+"+digits, "")
			want := err == nil && phonenumbers.IsValidNumber(num) && regionOf(num) != ""
			got := phoneIntl([]byte(digits))
			if got != want {
				t.Errorf("%s +%s: compiled plans say %v, libphonenumber %v", id, digits, got, want)
			}
			checked++
			if want {
				valid++
			}
		}
	}
	if valid < len(phoneRegionIDs) {
		t.Fatalf("only %d of %d samples valid: the check proves little", valid, checked)
	}
}

// regionOf is the region libphonenumber assigns, if it is one Sovereign validates.
func regionOf(n *phonenumbers.PhoneNumber) string {
	r := phonenumbers.GetRegionCodeForNumber(n)
	for _, id := range phoneRegionIDs {
		if id == r {
			return r
		}
	}
	return ""
}

func TestPhoneNationalFormats(t *testing.T) {
	loadPhones()
	for _, tc := range []struct {
		digits string
		want   bool
	}{
		{"02079460958", true},  // UK London
		{"07700900123", true},  // UK mobile
		{"03012345678", true},  // DE Berlin
		{"015112345678", true}, // DE mobile
		{"0612345678", true},   // FR / NL mobile
		{"2125550123", true},   // US
		{"612345678", true},    // ES mobile
		{"0701234567", true},   // SE mobile
		{"512345678", true},    // PL mobile
		{"0000000", false},
		{"1234567", false},
		{"0999999999999", false},
	} {
		if got := phoneNational([]byte(tc.digits)); got != tc.want {
			t.Errorf("phoneNational(%s) = %v, want %v", tc.digits, got, tc.want)
		}
	}
}
