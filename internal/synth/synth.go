// Package synth generates realistic, deterministic e-commerce payloads for
// benchmarks and load tests: customer records (Salesforce shaped), orders,
// support-chat requests (OpenAI shaped), catalog text and clean prose. In: a
// kind, a size and a seed. Out: bytes of about that size; JSON kinds are
// always valid JSON. Every value is synthetic: names and streets come from
// small built-in lists, identifiers carry valid check digits where the real
// ones do, so a classifier has real work to do.
package synth

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Kind is a payload family.
type Kind string

// The payload kinds.
const (
	Customers Kind = "customers" // Salesforce-style Contact records, PII-dense JSON
	Orders    Kind = "orders"    // order JSON with customer, address, items, payment
	Chat      Kind = "chat"      // an OpenAI chat-completions request with a support conversation
	Catalog   Kind = "catalog"   // product catalog prose with SKUs, prices and sizes
	Prose     Kind = "prose"     // clean prose with nothing to find
)

// Kinds lists every kind, for benchmarks that range over them.
var Kinds = []Kind{Customers, Orders, Chat, Catalog, Prose}

// JSON reports whether a kind generates a JSON body.
func (k Kind) JSON() bool { return k == Customers || k == Orders || k == Chat }

// Label is one value the generator planted: its finding type (the names of
// internal/classify) and the exact text as it appears in the payload.
type Label struct {
	Type  string
	Value string
}

// Generate returns a payload of kind k of at least size bytes (JSON kinds
// end where the last record that crosses size ends), the same for the same
// seed.
func Generate(k Kind, size int, seed uint64) []byte {
	b, _ := GenerateLabeled(k, size, seed)
	return b
}

// GenerateLabeled is Generate that also returns every planted personal
// value, once per occurrence, so a classifier's recall and precision can be
// measured. Everything else in the payload (ids, order and tracking numbers,
// SKUs, EANs, timestamps, prices, cities) is not personal data.
func GenerateLabeled(k Kind, size int, seed uint64) ([]byte, []Label) {
	g := newGen(seed)
	return g.generate(k, size), g.labels
}

func (g *gen) generate(k Kind, size int) []byte {
	switch k {
	case Customers:
		return g.records(size, "records", g.customer)
	case Orders:
		return g.records(size, "orders", g.order)
	case Chat:
		return g.chat(size)
	case Catalog:
		return g.text(size, g.catalogSentence)
	case Prose:
		return g.text(size, g.proseSentence)
	}
	panic(fmt.Sprintf("synth: unknown kind %q", k))
}

type gen struct {
	r      *rand.Rand
	labels []Label
}

func (g *gen) plant(typ, value string) string {
	g.labels = append(g.labels, Label{typ, value})
	return value
}

func newGen(seed uint64) *gen { return &gen{r: rand.New(rand.NewPCG(seed, 0x5eed))} }

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *gen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	return string(b)
}

// records wraps objects into {"<key>":[...]} until size is reached.
func (g *gen) records(size int, key string, one func() map[string]any) []byte {
	var b strings.Builder
	b.WriteString(`{"` + key + `":[`)
	for i := 0; b.Len() < size-2 || i == 0; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		rec, _ := json.Marshal(one())
		b.Write(rec)
	}
	b.WriteString("]}")
	return []byte(b.String())
}

type person struct {
	first, last, email, phone, street, postcode, city, country, birthdate string
}

func (g *gen) person() person {
	c := g.r.IntN(len(countries))
	loc := countries[c]
	first, last := g.pick(loc.first), g.pick(loc.last)
	p := person{
		first: first, last: last,
		email:     strings.ReplaceAll(strings.ToLower(asciiFold(first)+"."+asciiFold(last)), " ", "") + "@" + g.pick(domains),
		phone:     loc.phone(g),
		street:    loc.street(g),
		postcode:  loc.postcode(g),
		city:      g.pick(loc.cities),
		country:   loc.name,
		birthdate: fmt.Sprintf("%d-%02d-%02d", 1950+g.r.IntN(55), 1+g.r.IntN(12), 1+g.r.IntN(28)),
	}
	return p
}

func (g *gen) customer() map[string]any {
	p := g.person()
	id := "003" + g.alnum(15)
	return map[string]any{
		"attributes":        map[string]string{"type": "Contact", "url": "/services/data/v60.0/sobjects/Contact/" + id},
		"Id":                id,
		"FirstName":         g.plant("person_name", p.first),
		"LastName":          g.plant("person_name", p.last),
		"Email":             g.plant("email", p.email),
		"Phone":             g.plant("phone", p.phone),
		"Birthdate":         g.plant("date_of_birth", p.birthdate),
		"MailingStreet":     g.plant("postal_address", p.street),
		"MailingPostalCode": g.plant("postcode", p.postcode),
		"MailingCity":       p.city,
		"MailingCountry":    p.country,
		"LeadSource":        g.pick([]string{"Web", "Store", "Partner", "Newsletter"}),
		"Description":       g.supportLine(p),
		"CreatedDate":       g.timestamp(),
	}
}

func (g *gen) order() map[string]any {
	p := g.person()
	items := []map[string]any{}
	total := 0.0
	for range 1 + g.r.IntN(4) {
		price := float64(500+g.r.IntN(20000)) / 100
		qty := 1 + g.r.IntN(3)
		total += price * float64(qty)
		items = append(items, map[string]any{
			"sku": "SKU-" + g.digits(6), "ean": ean13(g), "name": g.pick(products), "quantity": qty, "unit_price": price,
		})
	}
	var pay map[string]any
	if g.r.IntN(3) == 0 {
		pay = map[string]any{"method": "sepa", "iban": g.plant("iban", ibanDE(g))}
	} else {
		pay = map[string]any{"method": "card", "card_number": g.plant("payment_card", card(g))}
	}
	pay["holder"] = g.plant("person_name", p.first+" "+p.last)
	return map[string]any{
		"order_number": g.digits(10),
		"created_at":   g.timestamp(),
		"customer": map[string]any{
			"name": g.plant("person_name", p.first+" "+p.last), "email": g.plant("email", p.email),
			"phone": g.plant("phone", p.phone),
		},
		"shipping_address": map[string]any{
			"street": g.plant("postal_address", p.street), "postal_code": g.plant("postcode", p.postcode),
			"city": p.city, "country": p.country,
		},
		"items":           items,
		"payment":         pay,
		"total":           float64(int(total*100)) / 100,
		"currency":        "EUR",
		"tracking_number": "1Z" + g.alnum(16),
		"ip_address":      g.plant("ip_address", fmt.Sprintf("%d.%d.%d.%d", 11+g.r.IntN(200), g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))),
	}
}

func (g *gen) supportLine(p person) string {
	return fmt.Sprintf(g.pick(supportTemplates), g.plant("person_name", p.first+" "+p.last), g.digits(9),
		g.plant("email", p.email), g.plant("phone", p.phone),
		g.plant("postal_address", p.street)+", "+g.plant("postcode", p.postcode)+" "+p.city)
}

// chatMsg is one message of a chat-completions request.
type chatMsg struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// chatRequest is a chat-completions request.
type chatRequest struct {
	Model    string    `json:"model"`
	Messages []chatMsg `json:"messages"`
	Stream   bool      `json:"stream,omitempty"`
}

func newChatRequest() chatRequest {
	return chatRequest{Model: "regional", Messages: []chatMsg{{"system", "You are the customer support assistant of an online shop. Answer briefly and politely."}}}
}

// nextMessage appends the conversation's next message: the customer's
// after the system's or the assistant's, the assistant's after the
// customer's. It returns the message's length in JSON, with its comma.
func (g *gen) nextMessage(req *chatRequest, p person) int {
	var m chatMsg
	if len(req.Messages)%2 == 1 {
		m = chatMsg{"user", g.supportLine(p) + " " + g.proseSentence()}
	} else {
		m = chatMsg{"assistant", g.pick(assistantLines) + " " + g.proseSentence()}
	}
	req.Messages = append(req.Messages, m)
	b, _ := json.Marshal(m)
	return len(b) + 1
}

// chat builds one chat-completions request whose conversation grows to size.
func (g *gen) chat(size int) []byte {
	req := newChatRequest()
	p := g.person()
	// Messages are added until their JSON reaches size: the request's
	// length is tracked as it grows instead of marshaling it each time.
	est := 0
	for _, m := range req.Messages {
		b, _ := json.Marshal(m)
		est += len(b) + 1
	}
	for est < size {
		est += g.nextMessage(&req, p)
	}
	out, _ := json.Marshal(req)
	return out
}

// Conversation returns the requests a client sends over one support
// conversation, the same for the same seed. Each is a chat-completions
// request that ends with the customer's next message and resends every
// message before it, the assistant's answers included, byte for byte, as
// chat clients do; the last is the first of at least size bytes.
func Conversation(size int, seed uint64) [][]byte {
	g := newGen(seed)
	req := newChatRequest()
	p := g.person()
	var turns [][]byte
	for {
		g.nextMessage(&req, p) // the customer's
		out, _ := json.Marshal(req)
		turns = append(turns, out)
		if len(out) >= size {
			return turns
		}
		g.nextMessage(&req, p) // the assistant's answer
	}
}

func (g *gen) text(size int, sentence func() string) []byte {
	var b strings.Builder
	for b.Len() < size {
		b.WriteString(sentence())
		if g.r.IntN(6) == 0 {
			b.WriteString("\n\n")
		} else {
			b.WriteByte(' ')
		}
	}
	return []byte(b.String()[:size])
}

func (g *gen) proseSentence() string {
	w := make([]string, 8+g.r.IntN(10))
	for i := range w {
		w[i] = g.pick(proseWords)
	}
	s := strings.Join(w, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

func (g *gen) catalogSentence() string {
	return fmt.Sprintf(g.pick(catalogTemplates), g.pick(products), g.digits(6), 10+g.r.IntN(290), g.r.IntN(100),
		g.pick([]string{"S", "M", "L", "XL", "38", "40", "42"}), 1+g.r.IntN(60))
}

func (g *gen) alnum(n int) string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[g.r.IntN(len(chars))]
	}
	return string(b)
}

func (g *gen) timestamp() string {
	return fmt.Sprintf("2026-%02d-%02dT%02d:%02d:%02d.000+0000", 1+g.r.IntN(12), 1+g.r.IntN(28), g.r.IntN(24), g.r.IntN(60), g.r.IntN(60))
}

// card returns a Visa or Mastercard number with a valid Luhn digit, grouped.
func card(g *gen) string {
	prefix := g.pick([]string{"4", "51", "52", "53", "54", "55"})
	d := prefix + g.digits(15-len(prefix))
	d += strconv.Itoa(luhnDigit(d))
	return d[0:4] + " " + d[4:8] + " " + d[8:12] + " " + d[12:16]
}

func luhnDigit(d string) int {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if (len(d)-1-i)%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return (10 - sum%10) % 10
}

// ibanDE returns a German IBAN with valid check digits, grouped by four.
func ibanDE(g *gen) string {
	bban := g.digits(18)
	n := 0
	for _, c := range bban + "131400" { // D=13, E=14, "00"
		n = (n*10 + int(c-'0')) % 97
	}
	s := fmt.Sprintf("DE%02d%s", 98-n, bban)
	var out []string
	for i := 0; i < len(s); i += 4 {
		out = append(out, s[i:min(i+4, len(s))])
	}
	return strings.Join(out, " ")
}

func ean13(g *gen) string {
	d := "40" + g.digits(10)
	sum := 0
	for i, c := range d {
		v := int(c - '0')
		if i%2 == 1 {
			v *= 3
		}
		sum += v
	}
	return d + strconv.Itoa((10-sum%10)%10)
}

// asciiFold drops accents for email local parts.
func asciiFold(s string) string {
	r := strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "é", "e", "è", "e", "à", "a", "ç", "c",
		"ñ", "n", "á", "a", "í", "i", "ó", "o", "ú", "u", "ł", "l", "ś", "s", "ż", "z", "ó", "o", "å", "a", "ø", "o")
	return r.Replace(s)
}
