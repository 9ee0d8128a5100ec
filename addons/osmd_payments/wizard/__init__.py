from . import account_statement_import
from . import osmd_payment_registry_import
from . import osmd_payment_collected
from . import osmd_payment_split
from . import osmd_payment_book
