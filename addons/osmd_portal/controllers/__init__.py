from . import portal
from . import login
