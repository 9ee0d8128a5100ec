# The default base URL of the LiqPay API; the checkout and the server API live under it.
API_URL = "https://www.liqpay.ua/api/"
CHECKOUT_ENDPOINT = "3/checkout"
REQUEST_ENDPOINT = "request"
API_VERSION = 3

# The currencies accepted by the LiqPay checkout, in ISO 4217 format.
SUPPORTED_CURRENCIES = ("UAH", "USD", "EUR")

# LiqPay amounts are decimal numbers with two decimals.
AMOUNT_DIGITS = 2

# The languages of the checkout page; the first one is the default.
SUPPORTED_LANGUAGES = ("uk", "en")

# The codes of the payment methods to activate when LiqPay is activated.
DEFAULT_PAYMENT_METHOD_CODES = {
    # Primary payment methods.
    "card",
    # Brand payment methods.
    "visa",
    "mastercard",
}

# Mapping of LiqPay `paytype` values to the codes of the generic payment methods.
PAYTYPE_MAPPING = {
    "card": "card",
    "apay": "apple_pay",
    "gpay": "google_pay",
}

# Mapping of payment statuses to transaction states.
# See https://www.liqpay.ua/en/doc/callback
STATUS_DONE = "success"
STATUS_SANDBOX = "sandbox"
STATUS_REVERSED = "reversed"
ERROR_STATUSES = {"failure", "error"}
PENDING_STATUSES = {
    "processing",
    "prepared",
    "wait_secure",
    "wait_accept",
    "wait_lc",
    "3ds_verify",
    "cvv_verify",
    "otp_verify",
    "sender_verify",
    "receiver_verify",
    "phone_verify",
    "ivr_verify",
    "pin_verify",
    "captcha_verify",
    "password_verify",
    "senderapp_verify",
    "wait_card",
    "wait_compensation",
    "invoice_wait",
    "cash_wait",
    "hold_wait",
}
