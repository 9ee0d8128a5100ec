from . import osmd_ticket_close
