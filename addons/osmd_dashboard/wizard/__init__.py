from . import osmd_debtor_notify
