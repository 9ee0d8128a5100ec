from . import account_statement_import
from . import osmd_payment_registry_import
from . import osmd_payment_collected
