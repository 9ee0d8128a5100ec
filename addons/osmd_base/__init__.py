from . import models
from . import wizard
from . import controllers
from .hooks import post_init_hook
