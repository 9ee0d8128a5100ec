from . import test_gateway
from . import test_easypay
