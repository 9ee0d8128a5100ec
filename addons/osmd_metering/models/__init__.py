from . import res_company
from . import osmd_utility
from . import osmd_meter
from . import osmd_meter_reading
