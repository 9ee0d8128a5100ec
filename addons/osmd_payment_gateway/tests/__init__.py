from . import test_gateway
from . import test_easypay
from . import test_fuzz_protocols
from . import test_fast_booking
