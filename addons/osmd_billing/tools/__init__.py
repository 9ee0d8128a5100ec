# Pure-Python helpers: no odoo.models import here.
