package classify

import (
	"fmt"
	"strings"
	"testing"
)

// Every name of every code finds it, in lower case, capitalized and in
// capitals, and as a JSON key; one digit too few or too many finds none.
func TestEveryCodeNameFindsItsCode(t *testing.T) {
	e := mustEngine(t, Config{})
	digits := func(n int) string { return "9876543210987"[:n] }
	forms := func(w string) []string {
		return []string{w, strings.ToUpper(w[:1]) + w[1:], strings.ToUpper(w)}
	}
	check := func(c digitCode, text string, n int, want bool) {
		t.Helper()
		body := text + digits(n) + " please"
		fs := e.Text([]byte(body), nil)
		got := len(fs) == 1 && fs[0].Type == Secret && fs[0].Rule == c.rule && body[fs[0].Start:fs[0].End] == digits(n)
		if got != want {
			t.Errorf("%q: %v, want %s %v", body, fs, c.rule, want)
		}
	}
	for _, c := range digitCodes {
		var names []string
		for _, w := range c.words {
			names = append(names, w+" ", "my "+w+" is ", w+": ")
		}
		for _, l := range c.leads {
			names = append(names, l+" code ", "the "+l+" number is ")
		}
		for _, q := range c.quals {
			names = append(names, "code de "+q+" ", "codice di "+q+" : ")
		}
		for _, name := range names {
			for _, f := range forms(name) {
				check(c, f, c.min, true)
				check(c, f, c.max, true)
				check(c, f, c.min-1, false)
				check(c, f, c.max+1, false)
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
			if fs, _ := e.JSON([]byte(body), nil); len(fs) != 0 {
				t.Errorf("%s: %v, want none", body, fs)
			}
		}
	}
}
