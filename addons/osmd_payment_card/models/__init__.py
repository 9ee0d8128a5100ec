from . import account_move
from . import account_payment
from . import payment_transaction
from . import account_payment_register
