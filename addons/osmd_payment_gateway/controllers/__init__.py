from . import api
from . import easypay
from . import city24
from . import privat
