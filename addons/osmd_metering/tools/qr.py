# Pure-Python helpers: no odoo.models import here.
"""QR codes for the meter stickers, made locally with ``qrcode`` (no HTTP round trip)."""

import base64
import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_png(payload, box_size=8, border=2):
    """PNG bytes of a QR code encoding ``payload`` (error correction M: survives a scuffed sticker)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(payload)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def png_data_uri(png):
    """``data:`` URI of PNG bytes, for an ``<img src>`` that needs no request."""
    return "data:image/png;base64," + base64.b64encode(png).decode()
