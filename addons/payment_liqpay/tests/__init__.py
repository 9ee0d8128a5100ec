from . import test_utils
from . import test_payment_provider
from . import test_payment_transaction
from . import test_server_api
from . import test_controllers
