package classify

import (
	"bytes"
	"encoding/base64"
	"slices"
	"unicode"
	"unicode/utf8"
)

// Secrets: provider keys with a fixed prefix (the gitleaks approach: the
// prefix is the keyword prefilter, the shape is checked only when it is
// there), JWTs, private key blocks, Azure SAS signatures, and values after
// credential-like keys.
// Salesforce record ids, UUIDs and hashes have no prefix and no credential
// key in ordinary use, so they are never secrets here.

// Secret rule names (part of the public interface, like the types).
const (
	ruleOpenAI            = "openai_api_key"
	ruleAnthropic         = "anthropic_api_key"
	ruleAWSAccessKey      = "aws_access_key"
	ruleAWSSecretKey      = "aws_secret_key"
	ruleGCPServiceAccount = "gcp_service_account"
	ruleGCPAPIKey         = "gcp_api_key"
	ruleAzureStorageKey   = "azure_storage_key"
	ruleAzureClientSecret = "azure_client_secret"
	ruleAzureSAS          = "azure_sas_token"
	ruleStripe            = "stripe_secret_key"
	ruleStripeWebhook     = "stripe_webhook_secret"
	ruleGCPOAuth          = "gcp_oauth_token"
	ruleSlackToken        = "slack_token"
	ruleSlackWebhook      = "slack_webhook"
	ruleGitHub            = "github_token"
	ruleGitLab            = "gitlab_token"
	ruleTwilio            = "twilio_api_key"
	ruleSendGrid          = "sendgrid_api_key"
	ruleNPM               = "npm_token"
	rulePyPI              = "pypi_token"
	ruleHuggingFace       = "huggingface_token"
	ruleSalesforceSession = "salesforce_session_id"
	ruleSalesforceRefresh = "salesforce_refresh_token"
	ruleJWT               = "jwt"
	rulePrivateKey        = "private_key"
	ruleGenericCredential = "generic_credential"
	ruleURLCredential     = "url_credential"
)

// SecretRules lists every secret rule name the engine can report.
var SecretRules = []string{ruleOpenAI, ruleAnthropic, ruleAWSAccessKey, ruleAWSSecretKey, ruleGCPServiceAccount,
	ruleGCPAPIKey, ruleGCPOAuth, ruleAzureStorageKey, ruleAzureClientSecret, ruleAzureSAS, ruleStripe, ruleStripeWebhook,
	ruleSlackToken, ruleSlackWebhook, ruleGitHub, ruleGitLab, ruleTwilio, ruleSendGrid, ruleNPM, rulePyPI,
	ruleHuggingFace, ruleSalesforceSession,
	ruleSalesforceRefresh, ruleJWT, rulePrivateKey, ruleGenericCredential, ruleURLCredential, rulePIN,
	ruleCardSecurityCode, ruleOneTimeCode}

// Character sets of token bodies.
const (
	setAlnum   = 0
	setURL     = 1 // base64url and most API keys: alnum, '-', '_'
	setDotted  = 2 // alnum, '.', '_' (Salesforce tokens)
	setAzure   = 3 // alnum, '_', '~', '.', '-'
	setBase64  = 4 // alnum, '+', '/', '='
	setHexLow  = 5 // 0-9a-f
	setGitHubP = 6 // alnum, '_'
)

func inSet(c byte, set int) bool {
	if isAlnum(c) {
		return set != setHexLow || isDigit(c) || c >= 'a' && c <= 'f'
	}
	switch set {
	case setURL:
		return c == '-' || c == '_'
	case setDotted:
		return c == '.' || c == '_'
	case setAzure:
		return c == '_' || c == '~' || c == '.' || c == '-'
	case setBase64:
		return c == '+' || c == '/' || c == '='
	case setGitHubP:
		return c == '_'
	}
	return false
}

// runEnd returns the end of the run of set characters at i.
func runEnd(b []byte, i, set int) int {
	for i < len(b) && inSet(b[i], set) {
		i++
	}
	return i
}

// tokenBoundary reports whether a token may end at e: end of input or a byte
// that is not part of any token. Beyond ASCII, a quote, a space or other
// punctuation ends a token as its ASCII kin do ("sk-…“", "«sk_live_…»");
// a letter continues it.
func tokenBoundary(b []byte, e int) bool {
	if e >= len(b) {
		return true
	}
	if c := b[e]; c < 0x80 {
		return !isAlnum(c) && c != '_' && c != '-'
	}
	return highBoundary(b, e)
}

// highBoundary reports whether the rune at e (a byte >= 0x80) is no part
// of a word: punctuation, a symbol or a space (typographic quotes, « », a
// no-break space). Invalid bytes are kept in the word, as before.
func highBoundary(b []byte, e int) bool {
	r, n := utf8.DecodeRune(b[e:])
	return n > 1 && !wordRune(r)
}

// highBoundaryBefore is highBoundary for the rune that ends b[:i].
func highBoundaryBefore(b []byte, i int) bool {
	r, n := utf8.DecodeLastRune(b[:i])
	return n > 1 && !wordRune(r)
}

// wordRune reports a rune a word is made of: a letter, a digit or a mark.
func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }

// quoteAt returns the length of the typographic quote or space at i (a
// byte >= 0x80: “ ” „ ‘ ’ « » ‹ ›, a no-break space), or 0.
func quoteAt(b []byte, i int) int {
	r, n := utf8.DecodeRune(b[i:])
	if n > 1 && quoteRune(r) {
		return n
	}
	return 0
}

// quoteBefore is quoteAt for the rune that ends b[:i].
func quoteBefore(b []byte, i int) int {
	r, n := utf8.DecodeLastRune(b[:i])
	if n > 1 && quoteRune(r) {
		return n
	}
	return 0
}

func quoteRune(r rune) bool {
	return unicode.In(r, unicode.Quotation_Mark, unicode.Pi, unicode.Pf) || unicode.IsSpace(r)
}

// secretStartAt reports whether a prefixed key may start at i: where a
// word starts, or after a typographic quote or space ("„AKIA…", "«sk_…"),
// which wordStartAt takes for a letter's byte. Only where a prefix is
// there already: it decodes a rune.
func secretStartAt(b []byte, i int) bool {
	return wordStartAt(b, i) || b[i-1] >= 0x80 && highBoundaryBefore(b, i)
}

// secret adds a prefixed key at [start, end) and returns end. A template's
// stand-in of the key's shape ("AKIAXXXXXXXXXXXXXXXX",
// "xoxb-your-bot-token-here-1234") is no key: it is passed over whole.
func (s *scanner) secret(rule string, start, end int, conf float64) int {
	if t := s.seg[start:end]; rule == rulePrivateKey || !fillerToken(t) && !templateWords(t) {
		s.add(Secret, rule, start, end, conf)
	}
	return end
}

// caseMixed reports whether a token body has letters of both cases.
func caseMixed(t []byte) bool {
	l, u := false, false
	for _, c := range t {
		l = l || isLower(c)
		u = u || isUpper(c)
	}
	return l && u
}

// mixed reports whether a token body has both letters and digits: real keys
// do, words and slugs mostly do not.
func mixed(t []byte) bool {
	l, d := false, false
	for _, c := range t {
		if isDigit(c) {
			d = true
		} else if isAlpha(c) {
			l = true
		}
	}
	return l && d
}

// SecretPrefixes returns the letters that begin the secrets whose rules
// above start with fixed letters (sk-, xoxb-, glpat-, ghp_, github_pat_,
// AKIA, AIza, SG., eyJ, whsec_, ya29., npm_, pypi-, hf_). A guard that streams text out in pieces holds
// back a word that may be the start of one, so that no piece of a secret
// leaves before the whole is classified.
func SecretPrefixes() []string { return slices.Clone(secretPrefixes) }

var secretPrefixes = []string{
	"sk", "rk", "xoxa", "xoxb", "xoxe", "xoxp", "xoxr", "xoxs", "xapp",
	"glpat", "gldt", "glptt", "glrt", "glsoat", "ghp", "gho", "ghu", "ghs", "ghr", "github",
	"AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "APKA", "ABIA", "ACCA",
	"AIza", "SG", "SK", "AC", "eyJ", "whsec", "ya29", "npm", "pypi", "hf",
}

// onDash: private key blocks, and keys whose prefix ends in '-' (sk-, xoxb-,
// glpat-, pypi-).
func (s *scanner) onDash(b []byte, i int) int {
	if hasPrefixAt(b, i, "-----BEGIN ") {
		if e := s.privateKey(b, i); e > 0 {
			return e
		}
	}
	ws := i
	for ws > 0 && i-ws < 8 && isAlnum(b[ws-1]) {
		ws--
	}
	if ws == i {
		return s.option(b, i) // "--password Hunter2Xy9", "-pHunter2Xy9"
	}
	if !secretStartAt(b, ws) {
		return i + 1
	}
	switch string(b[ws:i]) {
	case "sk":
		return s.openAI(b, ws, i)
	case "xoxb", "xoxp", "xoxa", "xoxr", "xoxs", "xoxe", "xapp":
		e := runEnd(b, i+1, setURL)
		if e-ws >= 24 && tokenBoundary(b, e) && countDigits(b[ws:e]) >= 4 {
			return s.secret(ruleSlackToken, ws, e, 0.95)
		}
	case "glpat", "gldt", "glptt", "glrt", "glsoat":
		e := runEnd(b, i+1, setURL)
		if e-i-1 >= 20 && tokenBoundary(b, e) {
			return s.secret(ruleGitLab, ws, e, 0.95)
		}
	case "pypi":
		// A PyPI API token is a macaroon: its base64 always begins with the
		// encoding of its location, "pypi.org".
		if hasPrefixAt(b, i+1, "AgEIcHlwaS5vcmc") {
			e := runEnd(b, i+1, setURL)
			if e-i-1 >= 60 && tokenBoundary(b, e) {
				return s.secret(rulePyPI, ws, e, 0.97)
			}
		}
	}
	return i + 1
}

// openAI reads sk-... at ws (dash at i): Anthropic (sk-ant-), OpenAI project,
// service-account, admin and legacy keys.
func (s *scanner) openAI(b []byte, ws, i int) int {
	e := runEnd(b, i+1, setURL)
	if !tokenBoundary(b, e) {
		return i + 1
	}
	body := b[i+1 : e]
	if bytes.HasPrefix(body, []byte("ant-")) {
		if len(body) >= 60 && mixed(body) {
			return s.secret(ruleAnthropic, ws, e, 0.97)
		}
		return e
	}
	// A key's random part: after proj-, svcacct- or admin- (project,
	// service-account and admin keys), or all of it (legacy keys, 48
	// alphanumerics). Random base64url mixes cases and digits; a class
	// name, a SKU or a file name after "sk-" is words and numbers
	// ("sk-circle-bounce-delay-12", "sk-2024-05-01-order-export").
	rnd := body
	for _, p := range []string{"proj-", "svcacct-", "admin-"} {
		if bytes.HasPrefix(body, []byte(p)) {
			rnd = body[len(p):]
			break
		}
	}
	// OpenAI-compatible providers' keys (DeepSeek's) are sk- and 32 hex
	// digits, the one random body of one case.
	random := caseMixed(rnd) || len(rnd) >= 32 && hexLower(rnd)
	if len(rnd) >= 20 && mixed(rnd) && random && !slugLike(rnd) && shannon(body) >= 3.5 {
		return s.secret(ruleOpenAI, ws, e, 0.95)
	}
	return e
}

// slugLike reports a token whose every part between '-' and '_' is a
// word (lower case, or capitalized) or a number: a slug, not a key. A
// random key's parts mix classes.
func slugLike(t []byte) bool {
	for len(t) > 0 {
		n := 0
		for n < len(t) && t[n] != '-' && t[n] != '_' {
			n++
		}
		part := t[:n]
		if len(part) > 0 && countDigits(part) != len(part) {
			for k, c := range part {
				if !isLower(c) && !(k == 0 && isUpper(c)) {
					return false
				}
			}
		}
		t = t[min(n+1, len(t)):]
	}
	return true
}

// onUnderscore: keys whose prefix ends in '_' (sk_live_, whsec_, ghp_,
// github_pat_, npm_, hf_).
func (s *scanner) onUnderscore(b []byte, i int) int {
	ws := i
	for ws > 0 && i-ws < 7 && isAlnum(b[ws-1]) {
		ws--
	}
	if ws == i || !secretStartAt(b, ws) {
		return i + 1
	}
	switch string(b[ws:i]) {
	case "sk", "rk":
		if hasPrefixAt(b, i, "_live_") || hasPrefixAt(b, i, "_test_") {
			e := runEnd(b, i+6, setAlnum)
			if e-i-6 >= 20 && tokenBoundary(b, e) {
				return s.secret(ruleStripe, ws, e, 0.95)
			}
		}
	case "whsec":
		// A Stripe webhook's signing secret: whsec_ and 32 or more characters.
		e := runEnd(b, i+1, setAlnum)
		if e-i-1 >= 32 && tokenBoundary(b, e) {
			return s.secret(ruleStripeWebhook, ws, e, 0.95)
		}
	case "ghp", "gho", "ghu", "ghs", "ghr":
		e := runEnd(b, i+1, setAlnum)
		if e-i-1 >= 36 && tokenBoundary(b, e) {
			return s.secret(ruleGitHub, ws, e, 0.97)
		}
	case "npm":
		// An npm access token: npm_ and 36 alphanumerics.
		e := runEnd(b, i+1, setAlnum)
		if e-i-1 == 36 && tokenBoundary(b, e) && mixed(b[i+1:e]) {
			return s.secret(ruleNPM, ws, e, 0.95)
		}
	case "hf":
		// A Hugging Face access token: hf_ and 34 letters.
		e := runEnd(b, i+1, setAlnum)
		if e-i-1 == 34 && tokenBoundary(b, e) && countDigits(b[i+1:e]) == 0 && caseMixed(b[i+1:e]) {
			return s.secret(ruleHuggingFace, ws, e, 0.95)
		}
	case "github":
		if hasPrefixAt(b, i, "_pat_") {
			e := runEnd(b, i+5, setGitHubP)
			if e-i-5 >= 70 && tokenBoundary(b, e) {
				return s.secret(ruleGitHub, ws, e, 0.97)
			}
		}
	}
	return i + 1
}

// upperSecret handles keys that start with an upper-case letter at i (the
// alphanumeric token runs to j).
func (s *scanner) upperSecret(b []byte, i, j int) int {
	switch b[i] {
	case 'A':
		// AWS access key ids: a four-letter type prefix and 16 base32 characters.
		if j-i == 20 && (hasPrefixAt(b, i, "AKIA") || hasPrefixAt(b, i, "ASIA") || hasPrefixAt(b, i, "AGPA") ||
			hasPrefixAt(b, i, "AIDA") || hasPrefixAt(b, i, "AROA") || hasPrefixAt(b, i, "AIPA") ||
			hasPrefixAt(b, i, "ANPA") || hasPrefixAt(b, i, "ANVA") || hasPrefixAt(b, i, "APKA") ||
			hasPrefixAt(b, i, "ABIA") || hasPrefixAt(b, i, "ACCA")) && base32Upper(b[i+4:j]) {
			return s.secret(ruleAWSAccessKey, i, j, 0.97)
		}
		if hasPrefixAt(b, i, "AIza") {
			e := runEnd(b, i, setURL)
			if e-i == 39 && tokenBoundary(b, e) {
				return s.secret(ruleGCPAPIKey, i, e, 0.97)
			}
		}
	case 'S':
		if j-i == 2 && hasPrefixAt(b, i, "SG.") {
			e1 := runEnd(b, i+3, setURL)
			if e1-i-3 == 22 && e1 < len(b) && b[e1] == '.' {
				e2 := runEnd(b, e1+1, setURL)
				if e2-e1-1 == 43 && tokenBoundary(b, e2) {
					return s.secret(ruleSendGrid, i, e2, 0.97)
				}
			}
		}
		if j-i == 34 && b[i+1] == 'K' && hexLower(b[i+2:j]) {
			return s.secret(ruleTwilio, i, j, 0.9)
		}
	case 'T':
		// Slack incoming webhook: https://hooks.slack.com/services/T.../B.../...
		const hook = "hooks.slack.com/services/"
		if i >= len(hook) && string(b[i-len(hook):i]) == hook {
			e := i
			for e < len(b) && (inSet(b[e], setAlnum) || b[e] == '/') {
				e++
			}
			start := i - len(hook)
			if start >= 8 && string(b[start-8:start]) == "https://" {
				start -= 8
			}
			if e-i >= 30 {
				return s.secret(ruleSlackWebhook, start, e, 0.97)
			}
		}
	case 'I':
		// Not a secret, but here where every capital's word is looked at
		// at no cost to the scanner's hot loop: "I'm anna schmidt".
		if j == i+1 {
			if e := s.introducedLower(b, j); e > j {
				return e
			}
		}
	case 'B':
		// "Bearer <token>" in prose or headers.
		if j-i == 6 && hasPrefixAt(b, i, "Bearer ") {
			if e := s.bearer(b, j+1); e > 0 {
				return e
			}
		}
	}
	return 0
}

// bearer reads a bearer token at k; JWTs keep their own rule.
func (s *scanner) bearer(b []byte, k int) int {
	if hasPrefixAt(b, k, "eyJ") {
		if e := s.jwt(b, k); e > 0 {
			return e
		}
	}
	e := runEnd(b, k, setBase64)
	for e < len(b) && (b[e] == '-' || b[e] == '_' || b[e] == '.' || b[e] == '~') {
		e = runEnd(b, e+1, setBase64)
	}
	if e-k >= 16 && mixed(b[k:e]) && shannon(b[k:e]) >= 3.5 {
		return s.secret(ruleGenericCredential, k, e, 0.85)
	}
	return 0
}

func base32Upper(t []byte) bool {
	for _, c := range t {
		if !isUpper(c) && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}

func hexLower(t []byte) bool {
	for _, c := range t {
		if !isDigit(c) && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// jwt reads header.payload.signature at i ("eyJ..."), checking that the
// header decodes to a JSON object with "alg" or "typ".
func (s *scanner) jwt(b []byte, i int) int {
	e1 := runEnd(b, i, setURL)
	if e1-i < 10 || e1 >= len(b) || b[e1] != '.' {
		return 0
	}
	e2 := runEnd(b, e1+1, setURL)
	if e2-e1-1 < 4 || e2 >= len(b) || b[e2] != '.' {
		return 0
	}
	e3 := runEnd(b, e2+1, setURL)
	if !tokenBoundary(b, e3) && b[e3] != '.' {
		return 0
	}
	// The whole header, to 512 characters: "alg" may come after a long
	// "kid" (Okta, Cognito: {"kid":"<43 characters>","alg":"RS256"}).
	var hdr [384]byte
	src := b[i:e1]
	if len(src) > 512 {
		src = src[:512]
	}
	src = src[:len(src)/4*4]
	n, err := base64.RawURLEncoding.Decode(hdr[:], src)
	if err != nil || n < 4 || hdr[0] != '{' {
		return 0
	}
	if !bytes.Contains(hdr[:n], []byte(`"alg"`)) && !bytes.Contains(hdr[:n], []byte(`"typ"`)) {
		return 0
	}
	return s.secret(ruleJWT, i, e3, 0.97)
}

// privateKey reads a PEM private key block at i: from "-----BEGIN ... PRIVATE
// KEY-----" to its END line, or to the end of the base64 body when the END
// line is missing (a truncated paste is still a key).
func (s *scanner) privateKey(b []byte, i int) int {
	k := i + len("-----BEGIN ")
	h := k
	for h < len(b) && h-k < 40 && (isUpper(b[h]) || b[h] == ' ') {
		h++
	}
	label := b[k:h]
	if !bytes.HasSuffix(label, []byte("PRIVATE KEY")) && !bytes.HasSuffix(label, []byte("PRIVATE KEY BLOCK")) {
		return 0
	}
	if !hasPrefixAt(b, h, "-----") {
		return 0
	}
	body := h + 5
	end := 0
	if rel := bytes.Index(b[body:min(len(b), body+16<<10)], []byte("-----END ")); rel >= 0 {
		e := body + rel + len("-----END ")
		if rel2 := bytes.Index(b[e:min(len(b), e+64)], []byte("-----")); rel2 >= 0 {
			end = e + rel2 + 5
		}
	}
	if end == 0 {
		// No END line: the block runs while it looks like base64 (with real
		// or escaped line breaks).
		end = body
		for end < len(b) {
			c := b[end]
			if inSet(c, setBase64) || c == '\n' || c == '\r' || c == ' ' {
				end++
				continue
			}
			if c == '\\' && end+1 < len(b) && (b[end+1] == 'n' || b[end+1] == 'r') {
				end += 2
				continue
			}
			break
		}
		if end-body < 32 {
			return 0
		}
	}
	rule := rulePrivateKey
	if s.inServiceAccount() || bytes.Contains(b[max(0, i-2048):i], []byte("service_account")) {
		rule = ruleGCPServiceAccount
	}
	return s.secret(rule, i, end, 0.99)
}

// salesforceSession reads an access token / session id: the org id (00D...),
// '!', and the opaque part.
func (s *scanner) salesforceSession(b []byte, i int) int {
	e := runEnd(b, i, setAlnum)
	if n := e - i; n != 15 && n != 18 || e >= len(b) || b[e] != '!' {
		return 0
	}
	e2 := runEnd(b, e+1, setDotted)
	if e2-e-1 < 80 || !tokenBoundary(b, e2) {
		return 0
	}
	return s.secret(ruleSalesforceSession, i, e2, 0.97)
}

// salesforceRefresh reads a refresh token ("5Aep861..." and an opaque part).
func (s *scanner) salesforceRefresh(b []byte, i int) int {
	e := runEnd(b, i, setDotted)
	if e-i < 80 || !tokenBoundary(b, e) {
		return 0
	}
	return s.secret(ruleSalesforceRefresh, i, e, 0.95)
}

// onTilde: Azure AD client secrets ("abc8Q~..."): three characters, a digit,
// "Q~" and 31 to 34 more.
func (s *scanner) onTilde(b []byte, i int) int {
	if i < 5 || b[i-1] != 'Q' || !isDigit(b[i-2]) {
		return i + 1
	}
	start := i - 5
	for k := start; k < i-2; k++ {
		if !inSet(b[k], setAzure) {
			return i + 1
		}
	}
	if start > 0 && inSet(b[start-1], setAzure) {
		return i + 1
	}
	e := runEnd(b, i+1, setAzure)
	if n := e - i - 1; n < 31 || n > 34 || !tokenBoundary(b, e) {
		return i + 1
	}
	return s.secret(ruleAzureClientSecret, start, e, 0.95)
}

// credentialSuffixes end key names whose value is a credential.
var credentialSuffixes = []string{"password", "passwd", "pwd", "passphrase", "passcode", "secret", "token", "apikey",
	"accesskey", "secretkey", "privatekey", "accountkey", "clientsecret", "credential", "credentials",
	"authorization", "sessionid", "subscriptionkey",
	// Keys that sign, encrypt or grant: AZURE_STORAGE_KEY, ENCRYPTION_KEY,
	// SECRET_KEY_BASE, Laravel's APP_KEY, ALGOLIA_ADMIN_KEY, WordPress's
	// AUTH_KEY. Not "primary_key", "sort_key", "public_key" or "cache_key",
	// which name no secret.
	"signingkey", "masterkey", "storagekey", "encryptionkey", "secretkeybase", "appkey", "adminkey", "authkey",
	"hmackey", "sharedkey", "cosmosprimarykey", "cosmosdbprimarykey", "cosmoskey", "loggedinkey", "noncekey",
	"passwort", "kennwort", "motdepasse", "contrasena",
	"contraseña", "wachtwoord", "losenord", "lösenord", "haslo", "hasło"}

// onAssign handles ':' and '=': IPv6 addresses led by letters or "::", and
// values after credential-like keys ("password=...", "api_key: ...").
func (s *scanner) onAssign(b []byte, i int) int {
	if b[i] == ':' {
		hs := i
		letter := false
		for hs > 0 && i-hs < 4 && isHex(b[hs-1]) {
			hs--
			letter = letter || !isDigit(b[hs])
		}
		if (letter || i+1 < len(b) && b[i+1] == ':') && (hs == 0 || !isWordByte(b[hs-1]) && b[hs-1] != ':') {
			if e := s.ipv6(b, hs); e > 0 {
				return e
			}
		}
	}
	// The key: [A-Za-z0-9_.-] and the bytes of non-ASCII letters
	// ("contraseña", "lösenord", "hasło"), before an optional quote and
	// spaces (French puts one before a colon).
	// Aligned assignments put tabs or runs of spaces before the sign
	// ("DB_PASSWORD     = ...", "password\t=\t...").
	k := i
	for k > 0 && i-k < 16 && (b[k-1] == ' ' || b[k-1] == '\t') {
		k--
	}
	if k > 0 && (b[k-1] == '"' || b[k-1] == '\'') {
		k--
	} else if k > 0 && b[k-1] >= 0x80 {
		k -= quoteBefore(b, k) // "“password”: …"
	}
	ke := k
	k = keyStart(b, ke, 48)
	if ke-k < 3 && !(ke-k == 2 && equalFold([]byte("pw"), b[k:ke])) {
		return i + 1
	}
	if ke-k == 3 && b[i] == '=' && k > 0 && (b[k-1] == '&' || b[k-1] == '?') && string(b[k:ke]) == "sig" {
		return s.azureSAS(b, k, i+1)
	}
	// Most keys before a ':' are not credentials ("Tel:", "T00:44"): the
	// last letter alone rules them out before normalizing the key.
	last := ke - 1
	for last > k && (b[last] == '_' || b[last] == '-' || b[last] == '.') {
		last--
	}
	if !credentialLast[lowerASCII(b[last])] {
		return i + 1
	}
	var buf [64]byte
	key := lowerLatin(normKey(buf[:0], b[k:ke])) // "CONTRASEÑA", "HASŁO"
	if !credentialName(key, b[k:ke]) {           // "SMTP_PASS=" is one, "?pageToken=" none, as in JSON
		if valueKey(key) {
			return s.namedValue(b, k, i+1) // "- name: DB_PASSWORD\n  value: ..."
		}
		return i + 1
	}
	v := i + 1
	if v < len(b) && (b[i] == ':' && b[v] == '=' || b[i] == '=' && b[v] == '>') {
		v++ // Go's "apiKey := ...", PHP's and Ruby's "'password' => ..."
	}
	return s.credentialValue(b, key, v)
}

// keyStart returns where the key that ends at ke starts, at most limit
// bytes before it: ASCII letters, digits and "_-." and letters beyond
// ASCII ("contraseña"), and the one key of several words, French "mot de
// passe" (normKey joins its words).
func keyStart(b []byte, ke, limit int) int {
	k := keyWordStart(b, ke, limit)
	const mot = "mot de "
	if ke-k == len("passe") && equalFold([]byte("passe"), b[k:ke]) && k >= len(mot) && equalFold([]byte(mot), b[k-len(mot):k]) {
		k -= len(mot)
	}
	return k
}

// keyWordStart is keyStart for one word.
func keyWordStart(b []byte, ke, limit int) int {
	k := ke
	for k > 0 && ke-k < limit {
		if c := b[k-1]; isAlnum(c) || c == '_' || c == '-' || c == '.' {
			k--
		} else if c < 0x80 {
			break
		} else if n := letterBefore(b, k); n > 0 {
			k -= n
		} else {
			break
		}
	}
	return k
}

// letterBefore returns the length of the letter beyond ASCII that ends
// b[:k] ("ñ" of "contraseña"), or 0: a bullet or a dash before a key is
// no part of it ("•Pass:"). Its callers test for a byte >= 0x80 first.
func letterBefore(b []byte, k int) int {
	r, n := utf8.DecodeLastRune(b[:k])
	if !unicode.IsLetter(r) {
		return 0
	}
	return n
}

// azureSAS reads the signature of an Azure shared access signature: the
// value of sig= at v (its key at k) in a query that also carries the signed
// version, sv=. The signature is an HMAC-SHA256, so the value, URL-decoded,
// must be the base64 of 32 bytes. Only the signature is the secret: the
// rest of the query (permissions, expiry) grants nothing without it.
func (s *scanner) azureSAS(b []byte, k, v int) int {
	e := v
	for e < len(b) && e-v <= 96 && (inSet(b[e], setBase64) || b[e] == '%') {
		e++
	}
	if e-v < 40 || e-v > 96 || !tokenBoundary(b, e) && b[e] != '&' && b[e] != '%' {
		return v
	}
	// The query before the key, back to where the URL or string began.
	qs := k - 1
	for qs > 0 && k-qs < 1024 && b[qs-1] > ' ' && b[qs-1] != '"' && b[qs-1] != '\'' && b[qs-1] != '<' {
		qs--
	}
	q := b[qs:k]
	if !bytes.Contains(q, []byte("?sv=")) && !bytes.Contains(q, []byte("&sv=")) && !bytes.Contains(q, []byte("=sv=")) &&
		!bytes.HasPrefix(q, []byte("sv=")) {
		return v
	}
	var enc, raw [96]byte
	n := 0
	for p := v; p < e; p++ {
		c := b[p]
		if c == '%' {
			if p+2 >= e {
				return v
			}
			switch hi, lo := b[p+1], b[p+2]|0x20; {
			case hi == '2' && lo == 'b':
				c = '+'
			case hi == '2' && lo == 'f':
				c = '/'
			case hi == '3' && lo == 'd':
				c = '='
			default:
				return v
			}
			p += 2
		}
		enc[n] = c
		n++
	}
	if m, err := base64.StdEncoding.Decode(raw[:], enc[:n]); err != nil || m != 32 {
		return v
	}
	return s.secret(ruleAzureSAS, v, e, 0.97)
}

// credentialSuffixesByLast groups credentialSuffixes by their last byte: a
// key can only end in the suffixes of its own last byte.
var credentialSuffixesByLast = byLastByte(credentialSuffixes)

// CredentialWords returns the words that make a key name a credential's
// (password, secret, token, apikey, passwort, ...), lower case: a stream
// guard holds back a word that follows one, as a credential value may
// begin with letters that look like a word.
func CredentialWords() []string {
	return slices.Concat(credentialSuffixes, credentialWholeKeys)
}

// credentialWholeKeys are credential keys only as a whole ("pass", not
// "bypass"; "pw", not "kpw"). The keys of codes of digits ("PIN:", "CVV:")
// are read by codeBefore, from their number.
// French "mdp" (mot de passe) and Spanish "clave" are whole keys too:
// "autoclave" names no password.
var credentialWholeKeys = []string{"pass", "auth", "pw", "mdp", "clave"}

var credentialWholeSet = set(credentialWholeKeys...)

// credentialLast marks the bytes a credential key can end with.
var credentialLast = func() (t [256]bool) {
	for _, w := range append(slices.Clone(credentialSuffixes), credentialWholeKeys...) {
		t[w[len(w)-1]] = true
	}
	return t
}()

func credentialKey(key []byte) bool {
	if len(key) == 0 {
		return false
	}
	for _, suf := range credentialSuffixesByLast[key[len(key)-1]] {
		if bytes.HasSuffix(key, []byte(suf)) {
			return true
		}
	}
	return credentialWholeSet.has(key)
}

// credentialValue reads the value after a credential key's ':' or '=' at v.
func (s *scanner) credentialValue(b, key []byte, v int) int {
	for sp := v; v < len(b) && v-sp < 16 && (b[v] == ' ' || b[v] == '\t'); {
		v++
	}
	var q byte
	if v < len(b) && (b[v] == '"' || b[v] == '\'') {
		q = b[v]
		v++
	} else if v < len(b) && b[v] >= 0x80 {
		v += quoteAt(b, v) // "password: “Hunter2Xy9”": the quotes are no part of it
	}
	for _, scheme := range []string{"Bearer ", "Basic ", "Token ", "bearer "} {
		if hasPrefixAt(b, v, scheme) {
			v += len(scheme)
			break
		}
	}
	e := v
	for e < len(b) && e-v < 512 {
		c := b[e]
		if q != 0 {
			if c == q || c == '\n' {
				break
			}
		} else if c <= ' ' || c == '"' || c == '\'' || c == ')' || c == '}' || c == ']' || c == '<' {
			break
		} else if c >= 0x80 && quoteAt(b, e) > 0 {
			break // a typographic quote closes it; letters beyond ASCII stay
		} else if (c == '&' || c == ';' || c == ',') && separatorEnds(b, e) {
			break
		}
		e++
	}
	val := b[v:e]
	if standIn(val) {
		return e
	}
	digits := withoutStop(val)
	if c := codeKey(key); c != nil { // "onetimepassword: 483920"
		if c = c.holding(digits); c != nil && !amountAfter(b, v+len(digits)) { // not "onetimepassword: 483920 EUR"
			s.add(Secret, c.rule, v, v+len(digits), 0.85)
		}
		return e
	}
	if !credentialLike(key, val) {
		if groupedDigits(digits) > 0 {
			// Digits that are no credential, but may be a code's, a
			// card's or a phone's: the number detectors read them, as
			// codeBefore "code secret : 4821." (a sentence's stop after).
			return v
		}
		return e
	}
	s.add(Secret, credentialRule(key, val), v, e, 0.85)
	if ownRuleLikely(val) {
		// OPENAI_API_KEY="sk-proj-...", AZURE_CLIENT_SECRET=abc8Q~...: the
		// value is scanned too, and its own rule, surer than this one,
		// wins the span (flush); where it finds nothing, this one stays.
		return v
	}
	return e
}

// separatorEnds reports whether the '&', ';' or ',' at e ends an unquoted
// credential value: where the text or a word ends after it, or the next
// parameter of a query, connection string or list starts ("&next=",
// ";Database=", ", user=x"). Elsewhere it is part of the value: a
// password may hold any of them ("Tr0ub4dor&3"), and cutting it there
// would let its tail cross unredacted.
func separatorEnds(b []byte, e int) bool {
	k := e + 1
	for k < len(b) && k-e <= 2 && b[k] == ' ' {
		k++
	}
	if k >= len(b) || k > e+1 || b[k] <= ' ' || b[k] == '"' || b[k] == '\'' {
		return true
	}
	n := k
	for n < len(b) && n-k < 64 && (isAlnum(b[n]) || b[n] == '_' || b[n] == '-' || b[n] == '.' || b[n] == '[' || b[n] == ']') {
		n++ // "&filter[0]=" names a parameter too
	}
	return n > k && n < len(b) && b[n] == '='
}

// credentialLike reports whether val, under the credential key key
// (normalized, normKey), may be the credential. Under a password key any
// value is. Under the others (token, secret, api_key) it must look like a
// key: eight bytes or more, some entropy, and more than letters and spaces.
// "token": "Hello" is a model's token in a completion's logprobs, and
// "secret": "information" a word.
func credentialLike(key, val []byte) bool {
	if passwordKey(key) {
		return true
	}
	if len(val) < 8 || shannon(val) < 2.5 {
		return false
	}
	for _, c := range val {
		if !isAlpha(c) && c != ' ' && c < 0x80 {
			return true
		}
	}
	return false
}

// passwordKey reports a credential key (normalized, normKey) that names a
// password, in one of the eight languages: under it any value is one.
func passwordKey(key []byte) bool {
	if bytes.Contains(key, []byte("pass")) || bytes.Contains(key, []byte("pwd")) || string(key) == "pw" ||
		string(key) == "mdp" || string(key) == "clave" {
		return true
	}
	for _, w := range passwordWords {
		if bytes.HasSuffix(key, []byte(w)) {
			return true
		}
	}
	return false
}

// passwordWords end the password keys that hold neither "pass" nor "pwd".
var passwordWords = []string{"wort", "haslo", "hasło", "wachtwoord", "contrasena", "contraseña", "losenord", "lösenord"}

// credentialRule names the rule of a value under a credential key (key
// normalized, normKey): keys that name their provider and values of its
// shape get the provider's rule, the rest are generic credentials.
func credentialRule(key, val []byte) string {
	switch {
	case (bytes.HasSuffix(key, []byte("accountkey")) || bytes.HasSuffix(key, []byte("storagekey"))) && len(val) >= 80 && bytes.HasSuffix(val, []byte("==")):
		return ruleAzureStorageKey
	case bytes.Contains(key, []byte("aws")) && bytes.Contains(key, []byte("secret")) && len(val) == 40:
		return ruleAWSSecretKey
	}
	return ruleGenericCredential
}

// standIn reports a credential value that stands in for one: a
// placeholder ("********", "<redacted>") or a variable ("${DB_PASS}",
// "%PASSWORD%", "os.environ[...]", "process.env.KEY").
func standIn(v []byte) bool {
	return isPlaceholder(v) || variable(v) || hasPrefixAt(v, 0, "os.") || hasPrefixAt(v, 0, "process.") ||
		call(v)
}

// call reports a value that is code which reads the credential: a call or
// an index whose argument a quote starts, where the value stops ("env(" of
// "env('DB_PASSWORD')", "getpass(" of "getpass()", "ENV[" of
// "ENV['DB_PASS']"). A password that holds a bracket has more after it
// ("Hunter(2)").
func call(v []byte) bool {
	n := len(v) - 1
	if n < 2 || v[n] != '(' && v[n] != '[' || !isAlpha(v[0]) {
		return false
	}
	for _, c := range v[:n] {
		if !isAlnum(c) && c != '_' && c != '.' && c != ':' {
			return false
		}
	}
	return true
}

// variable reports a value that names a variable: "$DB_PASS", "$(cat
// secret)", "$env:DB_PASS", "%PASSWORD%", "%(password)s" ("${...}" is
// isPlaceholder's). A password may start with '$' or '%' too
// ("$ommer2024!", "%Tg7h!2xQ"): lower case or a symbol after it is one.
func variable(v []byte) bool {
	switch {
	case len(v) < 2:
		return false
	case v[0] == '$':
		if v[1] == '(' || hasPrefixAt(v, 1, "env:") {
			return true
		}
		for _, c := range v[1:] {
			if !isUpper(c) && !isDigit(c) && c != '_' {
				return false
			}
		}
		return true // "$DB_PASS", and a shell's "$1"
	case v[0] == '%':
		if v[1] == '(' {
			return true
		}
		if len(v) < 3 || v[len(v)-1] != '%' {
			return false
		}
		for _, c := range v[1 : len(v)-1] {
			if !isAlnum(c) && c != '_' {
				return false
			}
		}
		return true
	}
	return false
}

// ownRuleLikely reports a credential value that may match a rule of its
// own: it starts with a fixed secret prefix (sk-, ghp_, eyJ of a JWT after
// "Authorization: Bearer"), or holds an Azure client secret's "Q~".
func ownRuleLikely(val []byte) bool {
	for _, p := range secretPrefixes {
		if hasPrefixAt(val, 0, p) {
			return true
		}
	}
	return bytes.Contains(val, []byte("Q~"))
}

// gcpOAuth reads a Google OAuth access token at i ("ya29." and 20 or more
// base64url characters), or returns 0.
func (s *scanner) gcpOAuth(b []byte, i int) int {
	if !hasPrefixAt(b, i, "ya29.") || !secretStartAt(b, i) {
		return 0
	}
	e := runEnd(b, i+5, setURL)
	if e-i-5 < 20 || !tokenBoundary(b, e) {
		return 0
	}
	return s.secret(ruleGCPOAuth, i, e, 0.95)
}
