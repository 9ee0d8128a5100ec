from . import meter_qr
