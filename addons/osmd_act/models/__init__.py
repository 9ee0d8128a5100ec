from . import osmd_act
from . import account_move_send
