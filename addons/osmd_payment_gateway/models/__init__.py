from . import osmd_payment_agent
from . import osmd_payment_agent_transaction
from . import osmd_payment_agent_log
from . import account_move
from . import osmd_payment_registry
