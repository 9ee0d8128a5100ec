from . import osmd_receipt
from . import osmd_debtor_report
from . import osmd_reminder_letter
