from . import test_billing_run
from . import test_billing_access
from . import test_sending
from . import test_receipt
from . import test_recalculation
from . import test_penalty
from . import test_debts
from . import test_turnover
