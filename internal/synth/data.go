package synth

import "fmt"

// locale is what a country's customers look like.
type locale struct {
	name        string
	first, last []string
	cities      []string
	streets     []string
	phone       func(*gen) string
	street      func(*gen) string
	postcode    func(*gen) string
}

var countries = []locale{
	{
		name: "Germany", first: []string{"Anna", "Lukas", "Sabine", "Jürgen", "Lena", "Felix"},
		last: []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner"}, cities: []string{"Berlin", "Hamburg", "München", "Köln"},
		streets: []string{"Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee"},
	},
	{
		name: "France", first: []string{"Camille", "Julien", "Chloé", "Nicolas", "Léa", "Antoine"},
		last: []string{"Dubois", "Laurent", "Moreau", "Lefebvre", "Girard", "Roux"}, cities: []string{"Paris", "Lyon", "Marseille", "Toulouse"},
		streets: []string{"rue de la Paix", "avenue Victor Hugo", "boulevard Voltaire", "rue du Commerce"},
	},
	{
		name: "United Kingdom", first: []string{"Oliver", "Amelia", "Harry", "Isla", "George", "Emily"},
		last: []string{"Smith", "Jones", "Taylor", "Brown", "Davies", "Evans"}, cities: []string{"London", "Leeds", "Bristol", "Manchester"},
		streets: []string{"Baker Street", "High Street", "Station Road", "Church Lane"},
	},
	{
		name: "Spain", first: []string{"Lucía", "Javier", "Carmen", "Pablo", "Marta", "Diego"},
		last: []string{"García", "Martínez", "López", "Sánchez", "Romero", "Navarro"}, cities: []string{"Madrid", "Barcelona", "Valencia", "Sevilla"},
		streets: []string{"Calle Mayor", "Calle de Alcalá", "Avenida de América", "Calle Serrano"},
	},
	{
		name: "Netherlands", first: []string{"Daan", "Emma", "Sem", "Julia", "Bram", "Tess"},
		last: []string{"de Jong", "Jansen", "de Vries", "Bakker", "Visser", "Smit"}, cities: []string{"Amsterdam", "Utrecht", "Rotterdam", "Den Haag"},
		streets: []string{"Keizersgracht", "Damstraat", "Kerkstraat", "Dorpsweg"},
	},
}

var domains = []string{"example.com", "example.de", "mail.example.fr", "example.co.uk", "example.es", "example.nl"}

func init() {
	set := func(i int, phone, street, postcode func(*gen) string) {
		countries[i].phone, countries[i].street, countries[i].postcode = phone, street, postcode
	}
	numberFirst := func(l *locale) func(*gen) string {
		return func(g *gen) string { return fmt.Sprintf("%d %s", 1+g.r.IntN(180), g.pick(l.streets)) }
	}
	numberLast := func(l *locale) func(*gen) string {
		return func(g *gen) string { return fmt.Sprintf("%s %d", g.pick(l.streets), 1+g.r.IntN(180)) }
	}
	five := func(g *gen) string { return fmt.Sprintf("%05d", 1000+g.r.IntN(98000)) }
	set(0, func(g *gen) string { return "+49 30 " + g.digits(8) }, numberLast(&countries[0]), five)
	// Mobile ranges that the numbering plans assign (FR 06 1x, NL 06 1x).
	set(1, func(g *gen) string {
		return "+33 6 1" + g.digits(1) + " " + g.digits(2) + " " + g.digits(2) + " " + g.digits(2)
	},
		numberFirst(&countries[1]), five)
	set(2, func(g *gen) string { return "+44 20 7946 0" + g.digits(3) }, numberFirst(&countries[2]),
		func(g *gen) string { return g.pick([]string{"NW1 6XE", "SW1A 1AA", "EC1A 1BB", "M1 1AE", "LS1 4AP"}) })
	set(3, func(g *gen) string { return "+34 612 " + g.digits(3) + " " + g.digits(3) }, numberLast(&countries[3]), five)
	set(4, func(g *gen) string { return "+31 6 1" + g.digits(7) }, numberLast(&countries[4]),
		func(g *gen) string {
			return fmt.Sprintf("%d %s", 1000+g.r.IntN(8999), g.pick([]string{"AB", "CJ", "KL", "MN"}))
		})
}

var products = []string{"merino wool sweater", "leather ankle boots", "organic cotton t-shirt", "waterproof hiking jacket",
	"linen summer dress", "stainless steel water bottle", "ceramic coffee mug", "bamboo cutting board",
	"noise-cancelling headphones", "running shoes", "canvas backpack", "silk scarf"}

var supportTemplates = []string{
	"Hi, this is %s. My order %s has not arrived yet. You can reach me at %s or %s. Please ship to %s.",
	"Hello, %s here. I want to return order %s. My email is %s, phone %s, address %s.",
	"Guten Tag, mein Name ist %s. Bestellung %s ist beschädigt angekommen. E-Mail: %s, Telefon: %s, Adresse: %s.",
	"Bonjour, je suis %s. La commande %s est incomplète. Contact : %s, %s. Adresse : %s.",
}

var assistantLines = []string{
	"Thank you for reaching out, I am sorry to hear that.",
	"I have checked the status of your order.",
	"I can arrange a replacement or a refund, whichever you prefer.",
	"Your request has been forwarded to our logistics team.",
}

var catalogTemplates = []string{
	"Our %s (item %s) is made from carefully sourced materials and ships within %d hours; %d%% of buyers rate it five stars, available in size %s, back in stock within %d days.",
	"The %s, article number %s, weighs %d grams and has a %d month warranty; size %s fits most, restocked every %d days.",
}

var proseWords = []string{"the", "order", "arrives", "within", "three", "working", "days", "and", "our", "team",
	"will", "help", "you", "with", "any", "question", "about", "delivery", "returns", "are", "free", "for", "members",
	"please", "keep", "the", "receipt", "parcel", "store", "quality", "materials", "sustainable", "packaging", "we",
	"ship", "across", "europe", "every", "item", "is", "checked", "before", "it", "leaves", "warehouse", "thank",
	"shopping", "us", "new", "collection", "spring", "summer", "autumn", "winter", "soft", "durable", "comfortable"}
