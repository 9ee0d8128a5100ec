from . import portal
from . import login
from . import readings
from . import notifications
