package classify

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Every name of every code finds it where the text gives the number as
// its value: after a verb, a ':' or '=', a possessive, in any case; as an
// acronym in capitals alone. Alone and not an acronym in capitals, with one
// digit too few or too many, or a year after an acronym, it finds none.
func TestEveryCodeNameFindsItsCode(t *testing.T) {
	e := mustEngine(t, Config{})
	digits := func(n int) string { return "9876543210987"[:n] }
	check := func(c digitCode, lead, number string, want bool) {
		t.Helper()
		body := lead + number + " please"
		fs := e.Text([]byte(body), nil)
		got := len(fs) == 1 && fs[0].Type == Secret && fs[0].Rule == c.rule && body[fs[0].Start:fs[0].End] == number
		if got != want {
			t.Errorf("%q: %v, want %s %v", body, fs, c.rule, want)
		}
	}
	// A confirmation's name takes a possessive and six digits, as a
	// bank's code has: without, it names a booking's or an order's.
	checkConfirm := func(c digitCode, owned, bare string) {
		check(c, owned, "987654", true)
		check(c, owned, "98765", false)
		check(c, owned, "98765432", false)
		check(c, bare, "987654", false)
	}
	cases := func(w string) []string {
		return []string{w, strings.ToUpper(w[:1]) + w[1:], strings.ToUpper(w)}
	}
	for _, c := range digitCodes {
		var leads []string
		for _, name := range append(c.words, c.pairs...) {
			for _, n := range cases(name) {
				leads = append(leads, "my "+n+" is ", n+": ", n+" = ", "Your "+n+" ")
			}
		}
		for _, key := range c.keys {
			for _, n := range cases(key) {
				leads = append(leads, n+": ", n+"=", "billing_"+n+": ")
			}
		}
		for _, q := range c.quals {
			if confirmNames.has([]byte(q)) {
				checkConfirm(c, "votre code de "+q+" est ", "code de "+q+" : ")
				continue
			}
			leads = append(leads, "code de "+q+" : ", "votre code de "+q+" est ", "il codice di "+q+" è ")
		}
		for _, a := range c.posts {
			if confirmNames.has([]byte(a)) {
				checkConfirm(c, "Twój kod "+a+" to ", "kod "+a+": ")
				continue
			}
			head, Head := "kod", "Kod"
			if _, weakly := postFits([]byte(a), []byte(head)); weakly {
				// "visuel" names the card's code after "cryptogramme";
				// after "kod" a verb or a possessive must give the number.
				check(c, "kod "+a+": ", digits(c.min), false)
				check(c, "votre code "+a+" est ", digits(c.min), true)
				head, Head = "cryptogramme", "Cryptogramme"
			}
			leads = append(leads, "Twój "+head+" "+a+" to ", "votre "+head+" "+strings.ToUpper(a)+" est ")
			// Polish "to" after a Polish name is "is".
			if head == "kod" {
				leads = append(leads, Head+" "+a+" to ")
			}
			// A weak one takes a verb or a possessive: "code SMS: 71030"
			// is a contest's. (Twelve digits under "secret:" are a
			// credential's: only the shortest code is tried here.)
			check(c, head+" "+a+": ", digits(c.min), !weakPosts.has([]byte(a)))
		}
		for _, a := range c.acronyms {
			// A head may lead the name; the possessive comes before it.
			leads = append(leads, "mój kod "+a+" to ", "mon code "+a+" est ", "il tuo codice "+a+" è ")
		}
		for _, lead := range leads {
			check(c, lead, digits(c.min), true)
			check(c, lead, digits(c.max), true)
			check(c, lead, digits(c.min-1), false)
			check(c, lead, digits(c.max+1), false)
		}
		for _, a := range c.acronyms {
			for _, gap := range []string{" ", " #", " (", " [", ` ("`, " - ", ": (", ": [", " nr. ", "-Nr. "} {
				if strings.Contains(gap, "r.") && c.rule != rulePIN {
					continue // "nr." names a PIN's number only
				}
				num := digits(c.max)
				// A bracket or a dash takes a ':' or a possessive too:
				// alone, "TAN (4211)" is a colour's.
				marked := gap == " (" || gap == " [" || gap == ` ("` || gap == " - "
				for _, lead := range []string{a + gap, "my " + a + gap} {
					want := !marked || strings.HasPrefix(lead, "my ")
					if closer := map[string]string{" (": ")", ": (": ")", " [": "]", ": [": "]", ` ("`: `")`}[gap]; closer != "" {
						body := lead + num + closer + " please"
						fs := e.Text([]byte(body), nil)
						got := len(fs) == 1 && fs[0].Rule == c.rule && body[fs[0].Start:fs[0].End] == num
						if got != want {
							t.Errorf("%q: %v, want %s %v", body, fs, c.rule, want)
						}
						check(c, lead, num, false) // no ')'
						wrong := lead + num + strings.NewReplacer(")", "]", "]", ")").Replace(closer) + " please"
						if fs := e.Text([]byte(wrong), nil); len(fs) != 0 {
							t.Errorf("%q: %v, want none (the wrong bracket)", wrong, fs)
						}
						continue
					}
					check(c, lead, num, want)
				}
			}
			check(c, a+"-", digits(c.min), false)
			check(c, strings.ToLower(a)+" ", digits(c.min), false)
			check(c, a[:1]+strings.ToLower(a[1:])+" ", digits(c.min), false)
			if c.min <= 4 && c.max >= 4 {
				check(c, a+" ", "2024", false)
			}
		}
		for _, p := range c.pairs {
			// A pair led by an acronym in capitals stands alone too
			// ("PIN number 4821"), and led by a word in lower case not.
			lead, noun, _ := strings.Cut(p, " ")
			up := strings.ToUpper(lead)
			check(c, up+" "+noun+" ", digits(c.min), slices.Contains(c.acronyms, up))
			check(c, lead+" "+noun+" ", digits(c.min), false)
		}
		for _, w := range append(c.words, c.pairs...) {
			if !strings.Contains(w, "-") {
				check(c, w+" ", digits(c.min), false) // alone, lower case
			}
		}
		for _, k := range c.keys {
			for _, n := range []int{c.min, c.max} {
				body := fmt.Sprintf(`{"%s":"%s"}`, k, digits(n))
				fs, err := e.JSON([]byte(body), nil)
				if err != nil {
					t.Fatal(err)
				}
				if len(fs) != 1 || fs[0].Rule != c.rule {
					t.Errorf("%s: %v, want %s", body, fs, c.rule)
				}
			}
			body := fmt.Sprintf(`{"%s":"%s"}`, k, digits(c.max+1))
			fs, _ := e.JSON([]byte(body), nil)
			if shared := slices.Contains(c.shared, k); len(fs) != 0 && !shared || shared && (len(fs) != 1 || fs[0].Rule != c.sharedWith) {
				t.Errorf("%s: %v, want none (the shared code under a shared name)", body, fs)
			}
		}
	}
}

// Every shared name of a code is one of its names, and under it a number
// of the other code's count of digits is the other code, in each role the
// name has, unless a unit, a price or a place follows.
func TestSharedCodeNames(t *testing.T) {
	e := mustEngine(t, Config{})
	for _, c := range digitCodes {
		if c.sharedWith == "" {
			continue
		}
		other := codeByRule(c.sharedWith)
		num := "9876543210"[:max(c.max+1, other.min)]
		for _, n := range c.shared {
			var leads []string
			if slices.Contains(c.words, n) || slices.Contains(c.pairs, n) {
				leads = append(leads, "Your "+n+" is ", n+": ", "mein "+n+" ")
			}
			if slices.Contains(c.quals, n) {
				leads = append(leads, "votre code de "+n+" est ", "il codice di "+n+" è ")
			}
			if slices.Contains(c.posts, n) {
				leads = append(leads, "Twój kod "+n+" to ", "Kod "+n+" to ", "kod "+n+": ")
			}
			if slices.Contains(c.keys, n) {
				leads = append(leads, n+": ", "billing_"+n+"=")
				body := `{"` + n + `":"` + num + `"}`
				if fs, err := e.JSON([]byte(body), nil); err != nil || len(fs) != 1 || fs[0].Rule != other.rule {
					t.Errorf("%s: %v %v, want %s", body, fs, err, other.rule)
				}
			}
			if len(leads) == 0 {
				t.Errorf("%q is shared but none of %s's names", n, c.rule)
			}
			for _, lead := range leads {
				for tail, want := range map[string]bool{" please": true, " pcs": false, " Stockholm": false, " EUR": false} {
					body := lead + num + tail
					fs := e.Text([]byte(body), nil)
					got := len(fs) == 1 && fs[0].Rule == other.rule && body[fs[0].Start:fs[0].End] == num
					if got != want || !want && len(fs) != 0 {
						t.Errorf("%q: %v, want %s %v", body, fs, other.rule, want)
					}
				}
			}
		}
	}
}
