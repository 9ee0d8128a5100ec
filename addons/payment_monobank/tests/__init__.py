from . import test_payment_transaction
from . import test_controllers
