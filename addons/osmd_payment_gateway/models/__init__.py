from . import osmd_payment_agent
from . import osmd_payment_agent_transaction
from . import osmd_payment_agent_log
from . import account_move
from . import account_move_fast
from . import osmd_payment_registry
