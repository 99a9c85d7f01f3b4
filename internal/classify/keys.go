package classify

import "bytes"

// keyHint is what a JSON key name says about its value.
type keyHint uint8

const (
	hintNone keyHint = iota
	hintEmail
	hintPhone
	hintName      // a person-name field (FirstName, LastName, full_name, ...)
	hintNameMaybe // a generic "name" field: a person, a product or a company
	hintStreet
	hintPostcode
	hintDOB
	hintCredential
	hintIP
	hintCard
	hintIBAN
	hintSSN
	hintNINO
	hintNHS
	hintTaxID
	hintNIR
	hintDNI
	hintNIE
	hintFiscal
	hintBSN
	hintPersonnummer
	hintPESEL
	// The hints above name a finding type (hintType); those below do not,
	// and segment relies on that order.
	hintNotPII // ids, SKUs, order and tracking numbers, hashes, timestamps
	hintCity   // not a finding on its own, but context for postcodes
	// hintThingName: a product's or a company's own name ({"product":
	// {"name": ...}}, nameUnder): text, in which a person's name is
	// unlikely ("Jade Vase", "Grace Kelly Bag").
	hintThingName
	// hintNationalID: a key for an id number that names no country's
	// ({"National_ID__c": ...}, "idNumber"): it lifts a candidate of any
	// national id type, whose checksum says which.
	hintNationalID
	// hintValue: a name-value pair's value ("value", "ParameterValue"),
	// which its sibling name decides (member): never left on a frame.
	hintValue
)

// hintType is the finding type a hint confirms.
var hintType = [...]Type{
	hintEmail: Email, hintPhone: Phone, hintName: PersonName, hintNameMaybe: PersonName,
	hintStreet: PostalAddress, hintPostcode: Postcode, hintDOB: DateOfBirth, hintCredential: Secret,
	hintIP: IPAddress, hintCard: PaymentCard, hintIBAN: IBAN, hintSSN: USSSN, hintNINO: UKNINO,
	hintNHS: UKNHS, hintTaxID: DETaxID, hintNIR: FRNIR, hintDNI: ESDNI, hintNIE: ESNIE,
	hintFiscal: ITFiscalCode, hintBSN: NLBSN, hintPersonnummer: SEPersonnummer, hintPESEL: PLPESEL,
	hintNotPII: "", hintCity: "", hintThingName: "", hintNationalID: "", hintValue: "",
}

// objectNames are the generic keys that hold an object's own name, a
// person's or a thing's (nameUnder decides which).
var objectNames = []string{"name", "nome", "namn", "nazwa"}

// keyHints maps normalized key names (lower case, without '_', '-', ' ', '.')
// to hints. Salesforce standard fields are included; prefixes such as
// "mailing", "billing", "shipping", "other" are stripped before lookup.
var keyHints = map[string]keyHint{}

func init() {
	add := func(h keyHint, names ...string) {
		for _, n := range names {
			keyHints[n] = h
		}
	}
	add(hintEmail, "email", "emailaddress", "mail", "personemail", "useremail", "customeremail", "contactemail",
		"courriel", "correo", "correoelectronico", "epost", "emailadres", "adresemail")
	add(hintPhone, "phone", "phonenumber", "mobilephone", "mobile", "mobilenumber", "telephone", "tel", "cell",
		"cellphone", "fax", "homephone", "otherphone", "assistantphone", "personmobilephone", "personhomephone",
		"telefon", "telefonnummer", "handy", "mobil", "telephonenumber", "portable", "telefono", "telefonomovil",
		"movil", "cellulare", "telefoon", "telefoonnummer", "mobiel", "telefonnummer", "numertelefonu", "tlf", "msisdn",
		"handynummer", "mobilnummer", "mobiltelefon", "mobilfunknummer", "telnr", "telno", "phoneno", "mobileno",
		"numerodetelephone", "numerotelephone", "numerodetelefono", "numerotelefono", "gsm", "mobilnr")
	add(hintName, "firstname", "lastname", "fullname", "givenname", "familyname", "surname", "middlename",
		"contactname", "customername", "personname", "cardholder", "cardholdername", "accountholder", "recipientname",
		"displayname", "billingname", "shippingname", "vorname", "nachname", "nom", "prenom", "prénom", "nomdefamille",
		"nombre", "apellido", "apellidos", "nombrecompleto", "cognome", "nomecompleto", "naam", "voornaam",
		"achternaam", "fornamn", "förnamn", "efternamn", "imie", "imię", "nazwisko", "personfirstname", "personlastname",
		"salutationname", "holdername", "patientname", "employeename", "authorname", "sendername",
		"buyername", "receivername", "consigneename", "addresseename", "payername", "payeename", "ownername",
		"guestname", "passengername", "travelername", "travellername", "membername",
		"customerfullname", "empfaengername", "empfängername", "nomdestinataire", "nombredestinatario")
	add(hintNameMaybe, objectNames...)
	add(hintNameMaybe, "owner", "contact", "customer", "author", "assignee", "user",
		// A contact person is a team as often: {"Ansprechpartner": "Vertrieb"}.
		"contactperson", "ansprechpartner", "kontaktperson", "contactpersoon", "osobakontaktowa", "personadecontacto",
		"buyer", "recipient", "receiver", "consignee", "addressee", "shipto", "billto",
		"empfaenger", "empfänger", "destinataire", "destinatario", "ontvanger", "mottagare", "odbiorca",
		// An account's or a card's holder: a person, or a company.
		"holder", "inhaber", "kontoinhaber", "karteninhaber", "titulaire", "titular", "intestatario",
		"rekeninghouder", "kontoinnehavare", "posiadacz")
	add(hintStreet, "street", "streetaddress", "address", "addressline1", "addressline2", "addressline", "line1",
		"line2", "address1", "address2", "homeaddress", "postaladdress", "deliveryaddress", "strasse", "straße",
		"anschrift", "adresse", "rue", "direccion", "dirección", "calle", "indirizzo", "via", "adres", "straat",
		"adress", "gatuadress", "ulica", "adresdostawy")
	add(hintPostcode, "postalcode", "postcode", "zip", "zipcode", "plz", "postleitzahl", "codepostal", "cp",
		"codigopostal", "códigopostal", "cap", "postnummer", "kodpocztowy", "postcodenl", "zippostalcode")
	add(hintDOB, "birthdate", "dateofbirth", "dob", "birthday", "birthdt", "personbirthdate", "geburtsdatum",
		"geburtstag", "datedenaissance", "datenaissance", "naissance", "fechadenacimiento", "fechanacimiento",
		"datadinascita", "datanascita",
		"geboortedatum", "födelsedatum", "fodelsedatum", "dataurodzenia", "birth")
	add(hintCredential, "password", "passwd", "pwd", "pass", "secret", "clientsecret", "apikey", "apisecret",
		"accesskey", "secretkey", "accesstoken", "authtoken", "refreshtoken", "token", "privatekey", "privatekeyid",
		"secretaccesskey", "awssecretaccesskey", "accountkey", "credentials", "credential", "authorization",
		"sessionid", "sessiontoken", "bearertoken", "idtoken", "clientkey", "signingkey", "webhooksecret",
		"passwort", "kennwort", "motdepasse", "contraseña", "contrasena", "wachtwoord", "lösenord", "losenord",
		"haslo", "hasło", "sharedaccesskey", "subscriptionkey", "connectionstring",
		// A sign-up form's second password field (Rails, Laravel: password_confirmation).
		"passwordconfirmation", "passwordconfirm", "passwordrepeat", "passwordagain", "password2", "pw")
	for _, c := range digitCodes {
		add(hintCredential, c.keys...)
	}
	add(hintIP, "ip", "ipaddress", "clientip", "remoteip", "remoteaddr", "sourceip", "ipv4", "ipv6", "xforwardedfor")
	add(hintCard, "cardnumber", "creditcard", "creditcardnumber", "pan", "ccnumber", "cc", "kartennummer",
		"numerocarte", "numerotarjeta")
	add(hintIBAN, "iban", "bankaccount", "ibannumber")
	add(hintSSN, "ssn", "socialsecuritynumber", "socialsecurity")
	add(hintNINO, "nino", "nationalinsurancenumber", "ninumber")
	add(hintNHS, "nhs", "nhsnumber")
	add(hintTaxID, "steuerid", "steueridentifikationsnummer", "taxid", "tin", "idnr", "steuernummer")
	add(hintNIR, "nir", "numerosecuritesociale", "securitesociale", "numerosecu", "insee")
	add(hintDNI, "dni", "nif", "documentoidentidad")
	add(hintNIE, "nie")
	add(hintFiscal, "codicefiscale", "fiscalcode", "cf")
	add(hintBSN, "bsn", "burgerservicenummer", "sofinummer")
	add(hintPersonnummer, "personnummer", "personnr")
	add(hintPESEL, "pesel")
	add(hintNotPII, "id", "uuid", "guid", "sku", "ean", "gtin", "upc", "barcode", "orderid", "ordernumber", "order",
		"orderno", "invoice", "invoicenumber", "invoiceid", "trackingnumber", "tracking", "trackingid",
		"productcode", "productid", "itemid", "partnumber", "reference", "ref", "externalid", "recordid",
		"accountid", "contactid", "ownerid", "createdbyid", "lastmodifiedbyid", "parentid", "timestamp",
		"createddate", "lastmodifieddate", "systemmodstamp", "createdat", "updatedat", "sha", "sha1", "sha256",
		"hash", "checksum", "etag", "md5", "digest", "commit", "version", "model", "object", "type", "role",
		"articlenumber", "artikelnummer", "bestellnummer", "requestid", "traceid", "spanid", "idempotencykey",
		"quantity", "price", "unitprice", "subtotal", "amount", "total", "currency", "status", "index", "created", "seed")
	add(hintNationalID, "nationalid", "nationalidnumber", "nationalidentifier", "nationalidentitynumber", "idnumber",
		"idno", "personalid", "personalidnumber", "personalnumber", "personalidentitynumber", "identitynumber",
		"identificationnumber", "idcardnumber", "taxnumber", "taxidnumber", "taxidentificationnumber", "citizenid")
	add(hintNHS, "nhsno")
	add(hintValue, "value", "parametervalue", "number")
	add(hintCity, "city", "town", "ort", "stadt", "ville", "ciudad", "citta", "città", "plaats", "stad", "miasto")
}

// keyPrefixes are stripped from normalized keys before lookup, so that
// MailingPostalCode, BillingStreet and ShippingCity find their base field.
var keyPrefixes = []string{"mailing", "billing", "shipping", "other", "home", "work", "primary", "customer",
	"contact", "person", "user", "delivery", "invoice", "legal"}

// normKey lower-cases an ASCII-mostly key and drops separators into dst.
func normKey(dst, key []byte) []byte {
	for _, c := range key {
		switch c {
		case '_', '-', ' ', '.', '$':
			continue
		}
		dst = append(dst, lowerASCII(c))
	}
	return dst
}

// lookupKey returns the hint for a raw key name. It allocates nothing.
// A key not listed that ends as credential keys do ("db_password",
// "stripeApiKey", "githubToken": credentialKey, as in text) names a
// credential, unless it is a page cursor ("nextPageToken").
func lookupKey(buf *[256]byte, key []byte) keyHint {
	h := lookupNormalized(buf, key, keyHints, hintNone)
	if h == hintNone {
		h = pluralKey(buf, key)
	}
	if h == hintNone && versionKey(key) {
		return hintNotPII // "Firmware_Version__c", "appBuild": "1.2.3.4" is no address
	}
	if h == hintNone && len(key) <= len(buf) {
		if k := normKey(buf[:0], key); credentialName(k, key) {
			return hintCredential
		}
	}
	return h
}

// nationalIDType reports the types of the national id numbers.
func nationalIDType(t Type) bool {
	switch t {
	case USSSN, UKNINO, UKNHS, DETaxID, FRNIR, ESDNI, ESNIE, ITFiscalCode, NLBSN, SEPersonnummer, PLPESEL:
		return true
	}
	return false
}

// pluralKey is the hint of a list's key that names its items in the
// plural ("phones", "emails", "phoneNumbers", "ipAddresses",
// "addresses"), or none; not a credential's ("tokens" counts them as
// often as it holds them).
func pluralKey(buf *[256]byte, key []byte) keyHint {
	k := bytes.TrimSuffix(key, []byte("__c"))
	n := len(k)
	if n < 4 || k[n-1] != 's' {
		return hintNone
	}
	h := lookupNormalized(buf, k[:n-1], keyHints, hintNone)
	if h == hintNone && n > 4 && k[n-2] == 'e' && (k[n-3] == 's' || k[n-3] == 'x') {
		h = lookupNormalized(buf, k[:n-2], keyHints, hintNone)
	}
	if h == hintCredential {
		return hintNone
	}
	return h
}

// versionKey reports a key whose last word is "version" or "build"
// ("Firmware_Version__c", "appBuild", "build_number" is not: a number of
// its own).
func versionKey(key []byte) bool {
	k := bytes.TrimSuffix(key, []byte("__c"))
	for _, w := range []string{"version", "build"} {
		n := len(k) - len(w)
		if n < 0 || !hasPrefixFold(k, n, w) {
			continue
		}
		if n == 0 || k[n-1] == '_' || k[n-1] == '-' || k[n-1] == '.' || isLower(k[n-1]) && isUpper(k[n]) {
			return true
		}
	}
	return false
}

// passWord reports a raw key whose last word is "pass" ("DB_PASS",
// "smtpPass"), which as a suffix of the normalized key would also be the
// end of "bypass" or "compass".
func passWord(key []byte) bool {
	n := len(key)
	if n < 5 {
		return false
	}
	switch sep := key[n-5]; {
	case sep == '_' || sep == '-' || sep == '.':
		return hasPrefixFold(key, n-4, "pass")
	case isLower(sep) || isDigit(sep):
		return string(key[n-4:]) == "Pass"
	}
	return false
}

// cursorKey reports a key (normalized) whose "token" is a page cursor of
// a paginated API, which grants nothing.
func cursorKey(k []byte) bool {
	for _, w := range []string{"pagetoken", "nexttoken", "continuationtoken", "synctoken", "paginationtoken", "resumetoken", "cursortoken"} {
		if bytes.HasSuffix(k, []byte(w)) {
			return true
		}
	}
	return false
}

// lookupNormalized looks a raw key name up in m by its normalized form
// (normKey), then without a prefix (keyPrefixes); none if it is not there.
func lookupNormalized[V any](buf *[256]byte, key []byte, m map[string]V, none V) V {
	if len(key) > len(buf) {
		return none
	}
	k := normKey(buf[:0], key)
	// Salesforce custom fields end in "__c".
	if n := len(k); n > 1 && k[n-1] == 'c' && len(key) > 3 && string(key[len(key)-3:]) == "__c" {
		k = k[:n-1]
	}
	if v, ok := m[string(k)]; ok {
		return v
	}
	for _, p := range keyPrefixes {
		if len(k) > len(p) && string(k[:len(p)]) == p {
			if v, ok := m[string(k[len(p):])]; ok {
				return v
			}
		}
	}
	return none
}

// keyAdjust raises a candidate whose type the key confirms and lowers weak
// candidates under keys that say "identifier, not personal data".
func (s *scanner) keyAdjust(t Type, conf float64) float64 {
	h := s.hint
	if h == hintNone || h == hintCity {
		return conf
	}
	if h == hintNationalID {
		if nationalIDType(t) {
			return max(conf, 0.9)
		}
		return conf
	}
	if ht := hintType[h]; ht == t {
		if h == hintNameMaybe {
			return conf + 0.2
		}
		return max(conf, 0.95)
	}
	if t == Secret || t == Email || t == Business {
		return conf
	}
	if h < hintNotPII {
		// A key that names another type: the value is most likely that type.
		return conf - 0.15
	}
	if h == hintNotPII && freeText(s.seg) {
		// A sentence under an identifier's key ({"status": "Delivered to
		// Anna Schmidt, Hauptstr. 5, ..."}) is text, which says what it
		// holds itself; but a name there must have words around it
		// ({"model": "Tommy Hilfiger Men's Watch"} names a brand).
		if t == PersonName {
			return conf - 0.25
		}
		return conf
	}
	if h == hintNotPII || t == PersonName { // hintThingName: a person's name is unlikely
		return conf - 0.45
	}
	return conf
}

// freeText reports a value of several words, a sentence's: three spaces
// or more, which no identifier, code or timestamp has.
func freeText(v []byte) bool {
	return len(v) >= 16 && bytes.Count(v, []byte(" ")) >= 3
}

// holderKind is what the key of an object says about the names inside it:
// {"customer": {"name": "Chen"}} names a person, {"product": {"name": "Rose
// Gold"}} a thing. It decides the generic name keys (hintNameMaybe) only.
type holderKind uint8

const (
	holderUnknown holderKind = iota // not looked up yet (keyMemo.holds)
	holderOther
	holderPerson
	holderThing
)

var holderKinds = map[string]holderKind{}

func init() {
	add := func(k holderKind, names ...string) {
		for _, n := range names {
			holderKinds[n] = k
		}
	}
	add(holderPerson, "customer", "contact", "owner", "author", "user", "assignee", "holder", "recipient",
		"patient", "passenger", "guest", "employee", "buyer", "person", "member", "client", "sender", "receiver",
		"consignee", "shipto", "billto", "cardholder", "accountholder", "traveler", "traveller", "attendee",
		"participant", "applicant", "driver", "createdby", "lastmodifiedby", "requester", "reporter", "kunde",
		"empfanger", "empfänger", "absender", "cliente", "destinataire", "destinatario", "klant", "ontvanger",
		"kund", "mottagare", "klient", "odbiorca", "contacts", "customers", "users", "members", "recipients",
		"passengers", "guests", "employees", "persons", "people", "clients", "attendees", "participants",
		// Amazon's buyer; not an address object, whose "name" may be a label ("Home").
		"buyerinfo", "addressee")
	add(holderThing, "product", "products", "item", "items", "lineitem", "lineitems", "article", "articles",
		"sku", "variant", "variants", "catalog", "category", "categories", "brand", "company", "account",
		"organization", "organisation", "org", "store", "shop", "merchant", "vendor", "supplier", "carrier",
		"warehouse", "campaign", "plan", "file", "files", "attachment", "attachments", "document", "event",
		"model", "service", "app", "application", "project", "team", "tag", "tags", "collection", "country",
		"region", "city", "paymentmethod", "shippingmethod", "produkt", "artikel", "produit", "producto",
		"prodotto", "firma", "unternehmen", "societe", "société", "empresa", "azienda", "bedrijf", "företag")
}

// holderKindOf is the holderKind of a raw key name.
func holderKindOf(buf *[256]byte, key []byte) holderKind {
	return lookupNormalized(buf, key, holderKinds, holderOther)
}
