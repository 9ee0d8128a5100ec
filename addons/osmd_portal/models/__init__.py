from . import ir_ui_view
from . import ir_http
from . import ir_http_terms
