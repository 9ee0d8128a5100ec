from . import osmd_payment_collected
