package classify

// Checksums and structural rules of the validated types. Each takes the
// candidate's characters without separators and allocates nothing.

// luhn reports whether the digit string passes the Luhn (mod 10) check.
func luhn(d []byte) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// ean13Valid checks the GTIN-13 (EAN) check digit: weights 1 and 3.
func ean13Valid(d []byte) bool {
	if len(d) != 13 {
		return false
	}
	sum := 0
	for i := 0; i < 12; i++ {
		v := int(d[i] - '0')
		if i%2 == 1 {
			v *= 3
		}
		sum += v
	}
	return (10-sum%10)%10 == int(d[12]-'0')
}

// cardBrandOK checks issuer prefixes and lengths (ISO/IEC 7812 ranges in use).
func cardBrandOK(d []byte) bool {
	n := len(d)
	p2 := atoi(d[:2])
	p3 := atoi(d[:3])
	p4 := atoi(d[:4])
	switch {
	case d[0] == '4': // Visa
		return n == 16 || n == 19 || n == 13
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720: // Mastercard
		return n == 16
	case p2 == 34 || p2 == 37: // American Express
		return n == 15
	case p4 == 6011, p3 >= 644 && p3 <= 649, p2 == 65: // Discover
		return n >= 16 && n <= 19
	case p3 >= 300 && p3 <= 305, p2 == 36, p2 == 38, p2 == 39: // Diners Club
		return n >= 14 && n <= 19
	case p4 >= 3528 && p4 <= 3589: // JCB
		return n >= 16 && n <= 19
	case p2 == 62: // UnionPay
		return n >= 16 && n <= 19
	case p2 == 50, p2 >= 56 && p2 <= 69: // Maestro
		return n >= 13 && n <= 19
	}
	return false
}

// ibanLengths is the IBAN length per country (SWIFT IBAN registry).
var ibanLengths = map[[2]byte]int{
	{'A', 'D'}: 24, {'A', 'E'}: 23, {'A', 'L'}: 28, {'A', 'T'}: 20, {'A', 'Z'}: 28, {'B', 'A'}: 20, {'B', 'E'}: 16,
	{'B', 'G'}: 22, {'B', 'H'}: 22, {'B', 'R'}: 29, {'B', 'Y'}: 28, {'C', 'H'}: 21, {'C', 'R'}: 22, {'C', 'Y'}: 28,
	{'C', 'Z'}: 24, {'D', 'E'}: 22, {'D', 'K'}: 18, {'D', 'O'}: 28, {'E', 'E'}: 20, {'E', 'G'}: 29, {'E', 'S'}: 24,
	{'F', 'I'}: 18, {'F', 'O'}: 18, {'F', 'R'}: 27, {'G', 'B'}: 22, {'G', 'E'}: 22, {'G', 'I'}: 23, {'G', 'L'}: 18,
	{'G', 'R'}: 27, {'G', 'T'}: 28, {'H', 'R'}: 21, {'H', 'U'}: 28, {'I', 'E'}: 22, {'I', 'L'}: 23, {'I', 'S'}: 26,
	{'I', 'T'}: 27, {'J', 'O'}: 30, {'K', 'W'}: 30, {'K', 'Z'}: 20, {'L', 'B'}: 28, {'L', 'C'}: 32, {'L', 'I'}: 21,
	{'L', 'T'}: 20, {'L', 'U'}: 20, {'L', 'V'}: 21, {'M', 'C'}: 27, {'M', 'D'}: 24, {'M', 'E'}: 22, {'M', 'K'}: 19,
	{'M', 'R'}: 27, {'M', 'T'}: 31, {'M', 'U'}: 30, {'N', 'L'}: 18, {'N', 'O'}: 15, {'P', 'K'}: 24, {'P', 'L'}: 28,
	{'P', 'S'}: 29, {'P', 'T'}: 25, {'Q', 'A'}: 29, {'R', 'O'}: 24, {'R', 'S'}: 22, {'S', 'A'}: 24, {'S', 'C'}: 31,
	{'S', 'E'}: 24, {'S', 'I'}: 19, {'S', 'K'}: 24, {'S', 'M'}: 27, {'S', 'T'}: 25, {'S', 'V'}: 28, {'T', 'L'}: 23,
	{'T', 'N'}: 24, {'T', 'R'}: 26, {'U', 'A'}: 29, {'V', 'A'}: 22, {'V', 'G'}: 24, {'X', 'K'}: 20,
}

// ibanValid checks length for the country and mod-97 == 1. s is upper-case
// alphanumerics without spaces.
func ibanValid(s []byte) bool {
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	want, ok := ibanLengths[[2]byte{s[0], s[1]}]
	if !ok || want != len(s) || !isDigit(s[2]) || !isDigit(s[3]) {
		return false
	}
	rem := 0
	add := func(c byte) bool {
		switch {
		case isDigit(c):
			rem = (rem*10 + int(c-'0')) % 97
		case isUpper(c):
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		default:
			return false
		}
		return true
	}
	for _, c := range s[4:] {
		if !add(c) {
			return false
		}
	}
	for _, c := range s[:4] {
		add(c)
	}
	return rem == 1
}

// ssnValid applies the SSA rules: area not 000, 666 or 9xx; group not 00;
// serial not 0000; and rejects well-known advertising numbers.
func ssnValid(d []byte) bool {
	if len(d) != 9 {
		return false
	}
	area, group, serial := atoi(d[:3]), atoi(d[3:5]), atoi(d[5:])
	if area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 {
		return false
	}
	switch string(d) {
	case "078051120", "219099999", "123456789":
		return false
	}
	return !allSame(d)
}

func allSame(d []byte) bool {
	for _, c := range d[1:] {
		if c != d[0] {
			return false
		}
	}
	return true
}

// nhsValid checks a 10-digit NHS number with the mod 11 check digit.
func nhsValid(d []byte) bool {
	if len(d) != 10 || allSame(d) {
		return false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(d[i]-'0') * (10 - i)
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	return check != 10 && check == int(d[9]-'0')
}

// deTaxIDValid checks the German Steuer-IdNr: 11 digits, no leading zero, in
// the first ten one digit occurs two or three times and ISO 7064 MOD 11,10.
func deTaxIDValid(d []byte) bool {
	if len(d) != 11 || d[0] == '0' {
		return false
	}
	var cnt [10]int
	for _, c := range d[:10] {
		cnt[c-'0']++
	}
	multi := 0
	for _, k := range cnt {
		switch {
		case k == 2 || k == 3:
			multi++
		case k > 3:
			return false
		}
	}
	if multi != 1 {
		return false
	}
	p := 10
	for _, c := range d[:10] {
		s := (int(c-'0') + p) % 10
		if s == 0 {
			s = 10
		}
		p = (2 * s) % 11
	}
	check := 11 - p
	if check == 10 {
		check = 0
	}
	return check == int(d[10]-'0')
}

// frNIRValid checks a French social security number (15 characters, "2A"/"2B"
// allowed for Corsica, computed as 19 and 18): key = 97 - (number mod 97).
func frNIRValid(s []byte) bool {
	if len(s) != 15 {
		return false
	}
	switch s[0] {
	case '1', '2', '3', '4', '7', '8':
	default:
		return false
	}
	for i, c := range s {
		if !isDigit(c) && !(i == 6 && s[5] == '2' && (c == 'A' || c == 'B')) {
			return false
		}
	}
	month := atoi(s[3:5])
	if !((month >= 1 && month <= 12) || (month >= 20 && month <= 42) || (month >= 50 && month <= 99)) {
		return false
	}
	n := 0
	for i := 0; i < 13; i++ {
		v := int(s[i] - '0')
		switch {
		case i == 5 && (s[6] == 'A' || s[6] == 'B'):
			v = 1
		case i == 6 && s[6] == 'A':
			v = 9
		case i == 6 && s[6] == 'B':
			v = 8
		}
		n = (n*10 + v) % 97
	}
	return atoi(s[13:15]) == 97-n
}

const dniLetters = "TRWAGMYFPDXBNJZSQVHLCKE"

// esDNIValid checks 8 digits and the mod-23 control letter.
func esDNIValid(digits []byte, letter byte) bool {
	return len(digits) == 8 && dniLetters[atoi(digits)%23] == letter
}

// esNIEValid checks X/Y/Z + 7 digits + the mod-23 control letter.
func esNIEValid(prefix byte, digits []byte, letter byte) bool {
	if len(digits) != 7 {
		return false
	}
	p := 0
	switch prefix {
	case 'X':
	case 'Y':
		p = 1
	case 'Z':
		p = 2
	default:
		return false
	}
	return dniLetters[(p*10000000+atoi(digits))%23] == letter
}

// Italian codice fiscale: odd-position values for the check character.
var cfOdd = [36]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}

func cfIndex(c byte) int {
	if isDigit(c) {
		return int(c - '0')
	}
	return int(c-'A') + 10
}

// cfOmocodia is the set of letters that may replace digits (omocodia).
func cfDigitOrOmo(c byte) bool {
	switch c {
	case 'L', 'M', 'N', 'P', 'Q', 'R', 'S', 'T', 'U', 'V':
		return true
	}
	return isDigit(c)
}

// itFiscalCodeValid checks the 16-character structure (month letter, day
// range, omocodia letters) and the check character.
func itFiscalCodeValid(s []byte) bool {
	if len(s) != 16 {
		return false
	}
	for i, c := range s {
		switch {
		case i < 6 || i == 8 || i == 11 || i == 15:
			if !isUpper(c) {
				return false
			}
		default:
			if !cfDigitOrOmo(c) {
				return false
			}
		}
	}
	switch s[8] {
	case 'A', 'B', 'C', 'D', 'E', 'H', 'L', 'M', 'P', 'R', 'S', 'T':
	default:
		return false
	}
	day := cfDigit(s[9])*10 + cfDigit(s[10])
	if !((day >= 1 && day <= 31) || (day >= 41 && day <= 71)) {
		return false
	}
	sum := 0
	for i := 0; i < 15; i++ {
		if i%2 == 0 { // 1-based odd positions
			sum += cfOdd[cfIndex(s[i])]
		} else {
			v := cfIndex(s[i])
			if v >= 10 {
				v -= 10
			}
			sum += v
		}
	}
	return s[15] == byte('A'+sum%26)
}

// cfDigit maps an omocodia letter back to its digit.
func cfDigit(c byte) int {
	if isDigit(c) {
		return int(c - '0')
	}
	for i, o := range []byte("LMNPQRSTUV") {
		if o == c {
			return i
		}
	}
	return 0
}

// nlBSNValid applies the 11-proef to 9 digits.
func nlBSNValid(d []byte) bool {
	if len(d) != 9 || allSame(d) {
		return false
	}
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(d[i]-'0') * (9 - i)
	}
	sum -= int(d[8] - '0')
	return sum%11 == 0 && sum != 0
}

// sePersonnummerValid takes 10 digits YYMMDDNNNC (century already dropped):
// a valid date (day + 60 for coordination numbers) and Luhn.
func sePersonnummerValid(d []byte) bool {
	if len(d) != 10 {
		return false
	}
	month := atoi(d[2:4])
	day := atoi(d[4:6])
	if day > 60 {
		day -= 60
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, 2000+atoi(d[:2])) {
		return false
	}
	return luhn(d)
}

// plPESELValid checks the weights 1,3,7,9 and the encoded birth date.
func plPESELValid(d []byte) bool {
	if len(d) != 11 || allSame(d) {
		return false
	}
	w := [10]int{1, 3, 7, 9, 1, 3, 7, 9, 1, 3}
	sum := 0
	for i := 0; i < 10; i++ {
		sum += w[i] * int(d[i]-'0')
	}
	if (10-sum%10)%10 != int(d[10]-'0') {
		return false
	}
	yy, mm, dd := atoi(d[0:2]), atoi(d[2:4]), atoi(d[4:6])
	century := 1900
	switch {
	case mm > 80:
		century, mm = 1800, mm-80
	case mm > 60:
		century, mm = 2200, mm-60
	case mm > 40:
		century, mm = 2100, mm-40
	case mm > 20:
		century, mm = 2000, mm-20
	}
	return mm >= 1 && mm <= 12 && dd >= 1 && dd <= daysIn(mm, century+yy)
}

// ukNINOPrefixOK applies the HMRC prefix rules.
func ukNINOPrefixOK(a, b byte) bool {
	switch a {
	case 'D', 'F', 'I', 'Q', 'U', 'V':
		return false
	}
	switch b {
	case 'D', 'F', 'I', 'O', 'Q', 'U', 'V':
		return false
	}
	switch string([]byte{a, b}) {
	case "BG", "GB", "NK", "KN", "TN", "NT", "ZZ":
		return false
	}
	return true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
