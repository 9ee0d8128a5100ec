# Pure-Python helpers: no odoo.models import here, so the root pytest suite
# can load them by file path.
