package classify

import (
	"math/bits"
	"sync"
)

// Context keywords (en, de, fr, es, it, nl, sv, pl), lower case. A keyword
// within a short window before (or after) a candidate raises its confidence;
// negative keywords (order, SKU, tracking, ...) lower it.
var (
	kwPhone = words("phone", "tel", "tel.", "telephone", "mobile", "cell", "call", "fax", "whatsapp", "sms",
		"telefon", "handy", "mobil", "rufnummer", "anrufen", "téléphone", "telephone", "portable", "appeler",
		"teléfono", "telefono", "móvil", "movil", "llamar", "cellulare", "chiamare", "telefoon", "mobiel", "bellen", "bel", "ring mig", "ringa", "zadzwoń", "chiama",
		"ring", "nummer", "numer", "numerem", "komórka", "zadzwoń", "contact", "kontakt", "reach me", "text me",
		"my number", "rufen", "ruf", "rückruf", "erreichbar", "joignable", "raggiungibile", "bereikbaar", "appelez", "appelle", "llámame", "llámeme", "llámanos", "erreichen", "numéro", "numero", "número", "joindre", "tél", "tlf", "mob")
	kwCard = words("card", "credit", "debit", "visa", "mastercard", "amex", "american express", "cc", "pan",
		"karte", "kreditkarte", "carte", "bancaire", "tarjeta", "crédito", "credito", "carta", "kaart", "kort",
		"karta", "kortnummer", "payment", "pay with", "charged", "cvv", "expiry")
	kwSSN   = words("ssn", "social security", "social sec", "ss#", "ss #", "taxpayer", "my social", "social number")
	kwNINO  = words("national insurance", "nino", "ni number", "ni no", "insurance number")
	kwNHS   = words("nhs", "health service", "nhs number", "nhs no", "patient")
	kwTaxID = words("steuer", "steuerid", "steuer-id", "steuer-idnr", "idnr", "identifikationsnummer",
		"steueridentifikationsnummer", "tax id", "tax identification", "tin", "finanzamt")
	kwNIR = words("sécurité sociale", "securite sociale", "sécu", "secu", "nir", "insee", "numéro de sécurité",
		"carte vitale", "social security", "assuré", "assure")
	kwDNI   = words("dni", "nif", "documento", "identidad", "d.n.i", "id card", "carnet")
	kwNIE   = words("nie", "extranjero", "n.i.e", "residencia", "dni", "nif")
	kwCF    = words("codice fiscale", "cod. fisc", "c.f.", "cf", "fiscal code", "tessera sanitaria")
	kwBSN   = words("bsn", "burgerservicenummer", "sofinummer", "sofi", "citizen service")
	kwPNR   = words("personnummer", "personnr", "person nr", "samordningsnummer", "personal identity number")
	kwPESEL = words("pesel", "numer pesel", "nr pesel")
	kwIP    = words("ip", "ip address", "ipv4", "ipv6", "host", "server", "client", "address", "from", "remote",
		"source", "addr", "gateway", "router", "adresse ip", "ip-adresse", "dirección ip", "indirizzo ip")
	kwDOB = words("born", "birth", "date of birth", "dob", "d.o.b", "birthday", "birthdate", "aged",
		"geboren", "geb.", "geburtsdatum", "geburtstag", "né", "née", "ne le", "naissance", "date de naissance",
		"nacido", "nacida", "nacimiento", "fecha de nacimiento", "nato", "nata", "data di nascita", "nascita",
		"geboortedatum", "geb", "född", "fodd", "födelsedatum", "födelsedag", "urodzony", "urodzona",
		"data urodzenia", "urodzenia", "ur.")
	// kwPostcodeWord: the words that name a postcode alone, for the codes
	// no shape tells from other numbers (four digits: "PLZ 1010 Wien");
	// kwPostcode adds the short ones and an address's words.
	kwPostcodeWord = words("postcode", "post code", "postal code", "zip", "zip code", "zipcode", "plz",
		"postleitzahl", "code postal", "npa", "código postal", "codigo postal", "postnummer", "kod pocztowy", "postcode:")
	kwPostcode = kwPostcodeWord | words("postal", "cp", "c.p.", "cap",
		"address", "adresse", "anschrift", "dirección", "indirizzo", "adres", "adress")
	kwAddress = words("address", "addr", "lives at", "living at", "live at", "ship to", "deliver to", "delivery to",
		"residing", "resident", "adresse", "anschrift", "wohnhaft", "wohnt", "lieferadresse", "domicile",
		"habite", "dirección", "direccion", "domicilio", "vive en", "indirizzo", "abita", "residente", "adres",
		"woont", "adress", "bor på", "adres zamieszkania", "mieszka", "wohne in", "j'habite au", "vivo en", "abito in",
		"ik woon", "mieszkam", "mieszkam przy", "jag bor på")
	kwName = words("name", "named", "called", "customer", "client", "contact", "patient", "signed", "regards",
		"sincerely", "dear", "hi", "hello", "hey", "thanks", "cheers", "best,", "name:", "nom", "nombre", "nome",
		"naam", "namn", "imię", "nazwisko", "liebe", "lieber", "hallo", "grüße", "gruß", "bonjour", "cher", "chère",
		"cordialement", "hola", "estimado", "estimada", "saludos", "ciao", "gentile", "saluti", "cordiali",
		"beste", "groeten", "hej", "hälsningar", "cześć", "szanowny", "szanowna", "pozdrawiam", "customer:",
		"kunde", "client:", "cliente", "klant", "kund", "klient", "passenger", "guest", "recipient", "attn")
	// kwIntro: the words people introduce themselves with ("I'm Grace",
	// "je suis Camille"). They name whoever comes right after them only
	// ("I am sorry to hear that. Summer ..." names nobody): nameCtx looks
	// for them just before a name.
	kwIntro = words("i am", "i'm", "this is", "ich bin", "ich heiße", "mein name", "je suis", "je m'appelle",
		"me llamo", "soy", "mi chiamo", "sono", "ik ben", "ik heet", "jag heter", "jag är", "nazywam się", "jestem")
	kwNegative = words("order", "order no", "order number", "order #", "invoice", "sku", "item", "article",
		"art.-nr", "artikel", "artikelnummer", "bestellnummer", "bestellung", "rechnung", "commande", "facture",
		"ordernummer", "auftragsnummer", "kundennummer", "kundennr", "kunden-nr", "bestell-nr", "bestellnr",
		"bestelnummer", "klantnummer", "kundnummer", "numer zamówienia", "numer klienta", "numéro client",
		"número de cliente", "numero cliente", "customer number", "customer no", "po#", "po number",
		"confirmation number", "lieferschein", "delivery note",
		"référence", "pedido", "factura", "referencia", "ordine", "fattura", "bestelling", "factuur",
		"beställning", "faktura", "zamówienie", "tracking", "track", "shipment", "parcel", "sendungsnummer",
		"colis", "envío", "spedizione", "zending", "paket", "ean", "gtin", "upc", "barcode", "serial", "s/n",
		"part", "model", "product code", "ref", "ticket", "case", "version", "build", "timestamp", "id:", "batch",
		"lot", "isbn", "transaction", "txn")
)

// kwList is a set of keyword lists, one bit each.
type kwList uint64

// keywords holds every list's words in one automaton, built at first use; a
// match's value indexes masks, the lists that word belongs to.
var keywords struct {
	lists [][]string
	once  sync.Once
	ac    *automaton
	masks []kwList
	long  []bool // long enough to match as a prefix ("telefon" in "telefonnummer")
}

// words registers a keyword list (at package init) and returns its bit.
func words(ws ...string) kwList {
	keywords.lists = append(keywords.lists, ws)
	return kwList(1) << (len(keywords.lists) - 1)
}

func loadKeywords() {
	keywords.once.Do(func() {
		idx := map[string]int{}
		var terms [][]byte
		var vals []int32
		for li, l := range keywords.lists {
			for _, w := range l {
				k, ok := idx[w]
				if !ok {
					k = len(keywords.masks)
					idx[w] = k
					keywords.masks = append(keywords.masks, 0)
					keywords.long = append(keywords.long, len(w) >= 6)
					terms = append(terms, []byte(w))
					vals = append(vals, int32(k))
				}
				keywords.masks[k] |= kwList(1) << li
			}
		}
		keywords.ac = newAutomaton(terms, vals)
	})
}

// kwAhead is how far past a window keywords are looked up in advance.
const kwAhead = 256

// kwHit is one keyword occurrence in the current segment.
type kwHit struct {
	start, end int32
	mask       kwList
}

// near reports whether a keyword of one of the lists kws occurs, starting at
// a word boundary, within before bytes before start or after bytes after end
// (segment coordinates), outside the candidate itself.
//
// Keywords are found lazily: only the word starts in the windows that
// candidates ask about are looked up, continuing where the last window
// ended when windows overlap or touch (they mostly come in order), so clean
// text costs nothing and PII-dense text is looked up once.
func (s *scanner) near(start, end int, kws kwList, before, after int) bool {
	if kws == 0 {
		return false
	}
	lo, hi := max(start-before, 0), min(end+after, len(s.seg))
	dense := true
	if lo < s.kwLo || lo > s.kwHi {
		s.kwHits = s.kwHits[:0]
		s.kwLo, s.kwHi = lo, lo
		dense = false
	}
	if hi > s.kwHi {
		// Where windows follow each other (PII-dense text), look ahead:
		// the walk is cheapest over long stretches (whole 32-byte chunks).
		ahead := hi
		if dense {
			ahead = min(len(s.seg), max(hi, s.kwHi+kwAhead))
		}
		keywords.ac.walk(s.seg, s.kwHi, ahead, s.keywordHit)
		s.kwHi = ahead
	}
	h := s.kwHits
	// Hits are in order of their start; skip those starting before lo.
	i, j := 0, len(h)
	for i < j {
		m := int(uint(i+j) >> 1)
		if int(h[m].start) < lo {
			i = m + 1
		} else {
			j = m
		}
	}
	for ; i < len(h) && int(h[i].start) < hi; i++ {
		x := h[i]
		if x.mask&kws == 0 || int(x.end) > hi {
			continue
		}
		if int(x.end) <= start || int(x.start) >= end {
			return true
		}
	}
	return false
}

// partOf reports whether each hit of the lists words that near found in
// the window before start (start-before to start) starts inside a hit of
// the lists of: "ID" is an order word, but not in "Tax ID" or "Steuer-ID",
// the words that name the very number being rated. ("id:" matches "ID "
// there: boundary bytes are one class in the automaton.) near has walked
// the window already; this looks at its hits only when near found one.
func (s *scanner) partOf(start int, words, of kwList, before int) bool {
	lo := max(start-before, 0)
	h := s.kwHits
	for i, x := range h {
		if int(x.start) < lo || int(x.end) > start || x.mask&words == 0 {
			continue
		}
		inside := false
		for j := i - 1; j >= 0 && !inside && x.start-h[j].start < 64; j-- {
			inside = h[j].mask&of != 0 && h[j].end > x.start
		}
		for j := i + 1; j < len(h) && !inside && h[j].start == x.start; j++ {
			inside = h[j].mask&of != 0
		}
		if !inside {
			return false
		}
	}
	return true
}

// keywordHit records a keyword occurrence that starts at a word boundary and
// (unless long enough to be a prefix, "telefon" in "telefonnummer") ends at
// one. It is a method value taken once per scanner, so passing it costs no
// allocation.
func (s *scanner) keywordHit(ks, ke int, k int32) bool {
	w := s.seg
	if ks > 0 && isAlnum(w[ks-1]) || ke < len(w) && isAlpha(w[ke]) && !keywords.long[k] {
		return false
	}
	s.kwHits = append(s.kwHits, kwHit{start: int32(ks), end: int32(ke), mask: keywords.masks[k]})
	return true
}

// keyDecides reports a JSON value under a key that names a type: the key,
// not the words around, sets the confidence (keyAdjust), and a short value
// has no words around anyway.
func (s *scanner) keyDecides() bool {
	return s.inJSON && s.hint != hintNone && s.hint != hintCity && s.hint != hintThingName
}

// keyConfirms reports a JSON value under a key that names type t (and not
// the generic "name"): keyAdjust lifts t's candidates to 0.95, so context
// words that add less cannot change them and need not be looked up.
func (s *scanner) keyConfirms(t Type) bool {
	return s.inJSON && s.hint != hintNameMaybe && hintType[s.hint] == t
}

// ctxUp applies positive context only: for names and addresses, where the
// words that make a number an order or tracking number ("order for",
// "envío a") say nothing against them.
func (s *scanner) ctxUp(start, end int, conf float64, kws kwList, up float64) float64 {
	if !s.keyDecides() && s.near(start, end, kws, 48, 16) {
		conf += up
	}
	return conf
}

// nameCtx is ctxUp for a person's name: the name words around it, or an
// introduction (kwIntro) right before it.
func (s *scanner) nameCtx(start, end int, conf, up float64) float64 {
	if !s.keyDecides() && (s.near(start, end, kwName, 48, 16) || s.afterIntro(start)) {
		conf += up
	}
	return conf
}

// afterIntro reports an introduction (kwIntro) ending right before start.
// Most names follow a word no introduction ends with: the byte before the
// space rules them out without a lookup.
func (s *scanner) afterIntro(start int) bool {
	return start >= 2 && s.seg[start-1] == ' ' && introLast[s.seg[start-2]] && s.near(start, start, kwIntro, introBefore, 0)
}

// introLast holds the last bytes of the introductions, either case.
var introLast = func() (t [256]bool) {
	for _, w := range keywords.lists[bits.TrailingZeros64(uint64(kwIntro))] {
		c := w[len(w)-1]
		t[c], t[upperASCII(c)] = true, true
	}
	return t
}()

// introBefore is how far before a name an introduction may end: "je
// m'appelle " is 13 bytes.
const introBefore = 14

// ctxAdjust applies positive and negative context around a candidate.
func (s *scanner) ctxAdjust(start, end int, conf float64, kws kwList, up float64) float64 {
	return s.ctx(start, end, conf, kws, up, 0.4)
}

// ctx applies positive context (up) and negative context (down): an
// order, SKU or tracking word right before a number.
func (s *scanner) ctx(start, end int, conf float64, kws kwList, up, down float64) float64 {
	if s.keyDecides() {
		return conf
	}
	// Where context is looked up (no key decides) the confidence it gives
	// is final: a candidate below the threshold is dropped whatever its
	// exact confidence, so words that cannot lift it over, or that only
	// lower it further, need not be looked up.
	if !s.meets(conf + up) {
		return conf
	}
	after := 16
	if kws&kwIDs != 0 {
		after = 32 // "44051401359 to mój numer PESEL", "86095742719 ist meine Steuer-ID"
	}
	lifted := s.near(start, end, kws, 48, after)
	if lifted {
		conf += up
	}
	if down > 0 && s.meets(conf) && s.near(start, end, kwNegative, 32, 0) && !s.partOf(start, kwNegative, kws, 32) {
		// A word for the type nearer the number than the order word names
		// it ("Ticket: customer IP 198.51.100.7", "Case 123: SSN 536 22
		// 8391"); an order word nearer lowers it, but a checksum-valid
		// number a type's word is near stays ("Steuer-ID der Bestellung,
		// order ID: 86095742719"): missing an id costs more than masking
		// an order number.
		if !lifted || s.lastHitBefore(start, kws, 48, 0) < s.lastHitBefore(start, kwNegative, 32, kws) {
			conf -= down
		}
	}
	return conf
}

// lastHitBefore returns where the last keyword of kws that ends by start,
// and starts at most before bytes before it, starts, but for one inside a
// keyword of inside ("ID" in "Steuer-ID"); -1 if none. near has walked that
// window.
func (s *scanner) lastHitBefore(start int, kws kwList, before int, inside kwList) int {
	last := -1
	for i, x := range s.kwHits {
		if int(x.start) >= start {
			break
		}
		if x.mask&kws == 0 || int(x.end) > start || int(x.start) < start-before {
			continue
		}
		within := false
		for j := i - 1; j >= 0 && inside != 0 && !within && x.start-s.kwHits[j].start < 64; j-- {
			within = s.kwHits[j].mask&inside != 0 && s.kwHits[j].end > x.start
		}
		if !within {
			last = int(x.start)
		}
	}
	return last
}

// kwIDs are the national ids' words, which may follow the number further
// than other types' words do: a sentence names the number last.
var kwIDs = kwSSN | kwNINO | kwNHS | kwTaxID | kwNIR | kwDNI | kwNIE | kwCF | kwBSN | kwPNR | kwPESEL

var kwVersion = words("version", "v.", "ver", "release", "build", "firmware", "upgrade", "update", "updated",
	"installed", "install", "patch", "section", "art.", "chapter", "paragraph", "§")
