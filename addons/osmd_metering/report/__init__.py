from . import osmd_meter_sticker
