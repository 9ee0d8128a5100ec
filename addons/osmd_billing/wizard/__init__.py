from . import osmd_billing_send
from . import osmd_debtor_export
from . import osmd_turnover_register
from . import osmd_billing_run_post
