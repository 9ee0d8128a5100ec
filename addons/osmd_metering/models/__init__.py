from . import res_company
from . import osmd_utility
from . import osmd_meter
from . import osmd_meter_reading
from . import osmd_meter_reminder
from . import osmd_meter_qr
from . import osmd_house_consumption
from . import osmd_house_consumption_line
