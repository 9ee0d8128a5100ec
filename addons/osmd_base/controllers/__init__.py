from . import login
from . import registry_template
from . import export
