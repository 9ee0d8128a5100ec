from . import api
from . import easypay
