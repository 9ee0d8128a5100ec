from . import portal
from . import login
from . import readings
