from . import test_cabinet
from . import test_readings
from . import test_browser
