# The default base URL of the monobank acquiring API; test tokens use the same URL.
API_URL = "https://api.monobank.ua/"

# The currencies that monobank acquiring accepts, as ISO 4217 codes.
SUPPORTED_CURRENCIES = ("UAH", "USD", "EUR")

# The payment methods activated with the provider; the customer picks the actual means of payment
# (card, Apple Pay, Google Pay) on the monobank payment page.
DEFAULT_PAYMENT_METHOD_CODES = {"card", "visa", "mastercard"}

# How long an invoice can be paid, in seconds.
INVOICE_VALIDITY = 24 * 60 * 60

# The invoice statuses of monobank, grouped by the transaction state they lead to. A "hold" only
# happens for invoices of the "hold" payment type, which this module does not create: it is
# treated as pending since manual capture is not supported.
PAYMENT_STATUS_MAPPING = {
    "pending": ("created", "processing", "hold"),
    "done": ("success",),
    "cancel": ("expired",),
    "error": ("failure",),
    "reversed": ("reversed",),
}
