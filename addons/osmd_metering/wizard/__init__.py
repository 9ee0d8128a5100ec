from . import osmd_meter_replace
from . import osmd_meter_estimate
from . import osmd_reading_round
from . import osmd_reading_sheet
from . import osmd_meter_reading_reject
