package classify

import "bytes"

// Context keywords (en, de, fr, es, it, nl, sv, pl), lower case. A keyword
// within a short window before (or after) a candidate raises its confidence;
// negative keywords (order, SKU, tracking, ...) lower it.
var (
	kwPhone = words("phone", "tel", "tel.", "telephone", "mobile", "cell", "call", "fax", "whatsapp", "sms",
		"telefon", "handy", "mobil", "rufnummer", "anrufen", "téléphone", "telephone", "portable", "appeler",
		"teléfono", "telefono", "móvil", "movil", "llamar", "cellulare", "chiamare", "telefoon", "mobiel", "bellen", "bel", "ring mig", "ringa", "zadzwoń", "chiama",
		"ring", "nummer", "numer", "komórka", "zadzwoń", "contact", "reach me", "text me")
	kwCard = words("card", "credit", "debit", "visa", "mastercard", "amex", "american express", "cc", "pan",
		"karte", "kreditkarte", "carte", "bancaire", "tarjeta", "crédito", "credito", "carta", "kaart", "kort",
		"karta", "kortnummer", "payment", "pay with", "charged", "cvv", "expiry")
	kwSSN   = words("ssn", "social security", "social sec", "ss#", "ss #", "taxpayer")
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
	kwPostcode = words("postcode", "post code", "postal code", "postal", "zip", "zip code", "zipcode", "plz",
		"postleitzahl", "code postal", "cp", "código postal", "codigo postal", "c.p.", "cap", "postnummer",
		"kod pocztowy", "postcode:", "address", "adresse", "anschrift", "dirección", "indirizzo", "adres", "adress")
	kwAddress = words("address", "addr", "lives at", "living at", "ship to", "deliver to", "delivery to",
		"residing", "resident", "adresse", "anschrift", "wohnhaft", "wohnt", "lieferadresse", "domicile",
		"habite", "dirección", "direccion", "domicilio", "vive en", "indirizzo", "abita", "residente", "adres",
		"woont", "adress", "bor på", "adres zamieszkania", "mieszka")
	kwName = words("name", "named", "called", "customer", "client", "contact", "patient", "signed", "regards",
		"sincerely", "dear", "hi ", "hello", "hey ", "thanks", "cheers", "best,", "name:", "nom", "nombre", "nome",
		"naam", "namn", "imię", "nazwisko", "liebe", "lieber", "hallo", "grüße", "gruß", "bonjour", "cher", "chère",
		"cordialement", "hola", "estimado", "estimada", "saludos", "ciao", "gentile", "saluti", "cordiali",
		"beste", "groeten", "hej", "hälsningar", "cześć", "szanowny", "szanowna", "pozdrawiam", "customer:",
		"kunde", "client:", "cliente", "klant", "kund", "klient", "passenger", "guest", "recipient", "attn")
	kwNegative = words("order", "order no", "order number", "order #", "invoice", "sku", "item", "article",
		"art.-nr", "artikel", "artikelnummer", "bestellnummer", "bestellung", "rechnung", "commande", "facture",
		"référence", "pedido", "factura", "referencia", "ordine", "fattura", "bestelling", "factuur",
		"beställning", "faktura", "zamówienie", "tracking", "track", "shipment", "parcel", "sendungsnummer",
		"colis", "envío", "spedizione", "zending", "paket", "ean", "gtin", "upc", "barcode", "serial", "s/n",
		"part", "model", "product code", "ref", "ticket", "case", "version", "build", "timestamp", "id:", "batch",
		"lot", "isbn", "transaction", "txn")
)

// words returns keywords as byte slices for bytes.Index.
func words(ws ...string) [][]byte {
	out := make([][]byte, len(ws))
	for i, w := range ws {
		out[i] = []byte(w)
	}
	return out
}

// near reports whether one of kws occurs, starting at a word boundary, within
// before bytes before start or after bytes after end (segment coordinates).
// The window is lower-cased into scratch; nothing is allocated.
func (s *scanner) near(start, end int, kws [][]byte, before, after int) bool {
	b := s.seg
	lo := max(start-before, 0)
	hi := min(end+after, len(b))
	if hi-lo > len(s.low) {
		hi = lo + len(s.low)
	}
	w := s.low[:0]
	for k := lo; k < hi; k++ {
		if k >= start && k < end {
			w = append(w, ' ')
			continue
		}
		w = append(w, lowerASCII(b[k]))
	}
	for _, kw := range kws {
		for off := 0; off < len(w); {
			j := bytes.Index(w[off:], kw)
			if j < 0 {
				break
			}
			j += off
			if (j == 0 || !isAlnum(w[j-1])) && (j+len(kw) >= len(w) || !isAlpha(w[j+len(kw)]) || len(kw) >= 6) {
				return true
			}
			off = j + 1
		}
	}
	return false
}

// ctxUp applies positive context only: for names and addresses, where the
// words that make a number an order or tracking number ("order for",
// "envío a") say nothing against them.
func (s *scanner) ctxUp(start, end int, conf float64, kws [][]byte, up float64) float64 {
	if s.near(start, end, kws, 48, 16) {
		conf += up
	}
	return conf
}

// ctxAdjust applies positive and negative context around a candidate.
func (s *scanner) ctxAdjust(start, end int, conf float64, kws [][]byte, up float64) float64 {
	if kws != nil && s.near(start, end, kws, 48, 16) {
		conf += up
	}
	if s.near(start, end, kwNegative, 32, 0) {
		conf -= 0.4
	}
	return conf
}

var kwVersion = words("version", "v.", "ver", "release", "build", "firmware")
