from . import test_card_payment
