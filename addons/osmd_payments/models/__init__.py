from . import account_bank_statement_line_bulk
from . import res_company
from . import osmd_payer_link
from . import osmd_payment_suggestion
from . import account_move
from . import account_bank_statement_line
from . import osmd_payment_registry
from . import online_bank_statement_provider
