package eventmix

// library is an SDK as it names itself in context.library.
type library struct {
	name, version string
	mobile        bool
}

var libraries = []library{
	{"RudderLabs JavaScript SDK", "3.7.2", false},
	{"RudderLabs JavaScript SDK", "2.48.1", false},
	{"rudder-ios-library", "1.28.6", true},
	{"com.rudderstack.android.sdk.core", "1.25.1", true},
	{"rudder-sdk-node", "2.1.4", false},
}

var (
	channels    = []string{"web", "web", "mobile", "server", "android", "ios"}
	locales     = []string{"en-US", "en-GB", "de-DE", "fr-FR", "ja-JP", "pt-BR"}
	firstNames  = []string{"Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus", "Sofia", "Kenji"}
	lastNames   = []string{"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton", "Torvalds", "Rossi", "Tanaka"}
	domains     = []string{"example.com", "mail.example.org", "example.co.uk", "corp.example.net"}
	companies   = []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne"}
	industries  = []string{"Retail", "Software", "Finance", "Healthcare", "Logistics"}
	plans       = []string{"free", "starter", "pro", "enterprise"}
	streets     = []string{"Main Street", "Baker Street", "Rue de Rivoli", "Unter den Linden", "Market Street"}
	cities      = []string{"London", "Berlin", "Paris", "San Francisco", "Tokyo", "São Paulo"}
	countries   = []string{"GB", "DE", "FR", "US", "JP", "BR"}
	paths       = []string{"/", "/products", "/products/sku-1042", "/cart", "/checkout", "/account/settings", "/blog/how-we-ship"}
	titles      = []string{"Home", "Products", "Running Shoes", "Cart", "Checkout", "Settings", "How we ship"}
	screens     = []string{"Home", "Product Detail", "Cart", "Checkout", "Profile", "Search Results"}
	categories  = []string{"Shoes", "Apparel", "Accessories", "Navigation", "Account"}
	products    = []string{"Trail Runner 2", "Merino Tee", "Canvas Tote", "Rain Shell", "Wool Socks"}
	trackEvents = []string{"Product Viewed", "Product Added", "Order Completed", "Checkout Started", "Signed Up", "Coupon Applied", "Subscription Renewed"}
	attrNames   = []string{"segment", "score", "last_campaign", "favorite_color", "loyalty_tier", "utm_source", "referrer_code", "ab_bucket", "visits", "ltv"}
	attrWords   = []string{"alpha", "beta", "gamma", "summer-sale", "newsletter", "gold", "silver", "organic", "cpc", "returning"}
	userAgents  = []string{
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
	}
)
