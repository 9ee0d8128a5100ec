# Pure-Python helpers: no odoo.models import here.
"""The NBU payment QR image: a QR code with the hryvnia sign (₴) in a white circle in the centre.

The NBU rules (resolution №97 of 19.08.2025) make the hryvnia sign mandatory for formats 002/003 and allow
error correction Q, M or L and symbol versions 10–20. We use Q (25 % of the codewords recoverable) from
version 10 up, M when the data needs more than version 20 holds at Q; the circle covers about 3 % of the
symbol, so the code still decodes. The sign is drawn with lines and arcs (no font file needed, the same
pixels on every machine).

What is encoded is the payment link (``nbu_qr.payment_link``), not the raw data string: the link is what
phone cameras open and what the banks' apps read.
"""

import base64
import io

import qrcode
from PIL import Image, ImageDraw
from qrcode.constants import ERROR_CORRECT_M, ERROR_CORRECT_Q
from qrcode.exceptions import DataOverflowError

MIN_VERSION = 10
MAX_VERSION = 20
# diameter of the white circle, as a share of the symbol width (without the quiet zone)
CIRCLE_SHARE = 0.2


def _draw_hryvnia(draw, cx, cy, radius):
    """The ₴ sign inside a white circle of ``radius`` centred on (cx, cy): an S-like stroke mirrored
    (top hook opening to the left, bottom hook opening to the right) crossed by two horizontal bars."""
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill="white")
    unit = radius / 10.0
    width = max(int(round(unit * 1.6)), 2)
    # upper hook: an arc from the left round the top to the right, then the diagonal down to the left
    top = (cx - 3.6 * unit, cy - 7 * unit, cx + 3.6 * unit, cy - 0.4 * unit)
    draw.arc(top, start=160, end=400, fill="black", width=width)
    # lower hook: an arc from the left round the bottom to the right (mirror of the upper one)
    bottom = (cx - 3.6 * unit, cy + 0.4 * unit, cx + 3.6 * unit, cy + 7 * unit)
    draw.arc(bottom, start=-20, end=220, fill="black", width=width)
    # the spine joining the two hooks
    draw.line(
        (cx + 3.3 * unit, cy - 2.6 * unit, cx - 3.3 * unit, cy + 2.6 * unit),
        fill="black",
        width=width,
    )
    # the two bars
    for dy in (-1.4, 1.4):
        draw.line((cx - 5.2 * unit, cy + dy * unit, cx + 5.2 * unit, cy + dy * unit), fill="black", width=width)


def _make_code(data, box_size, border):
    """The QR symbol of ``data`` (bytes) within versions 10–20: level Q if it fits, else M."""
    for level in (ERROR_CORRECT_Q, ERROR_CORRECT_M):
        code = qrcode.QRCode(version=MIN_VERSION, error_correction=level, box_size=box_size, border=border)
        code.add_data(data)
        try:
            code.make(fit=True)
        except DataOverflowError:
            continue
        if code.version <= MAX_VERSION:
            return code
    raise ValueError(f"{len(data)} bytes do not fit in a QR code of version {MAX_VERSION}")


def qr_image(payload, box_size=6, border=4):
    """PIL image (mode RGB) of the QR code of ``payload`` (text) with the hryvnia sign in the centre."""
    code = _make_code(payload.encode("utf-8"), box_size, border)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    size = image.size[0]
    symbol = size - 2 * border * box_size
    _draw_hryvnia(ImageDraw.Draw(image), size / 2.0, size / 2.0, symbol * CIRCLE_SHARE / 2.0)
    return image


def qr_png(payload, box_size=6, border=4):
    """PNG bytes of the payment QR code of ``payload`` (the payment link), hryvnia sign included."""
    buffer = io.BytesIO()
    qr_image(payload, box_size=box_size, border=border).save(buffer, format="PNG")
    return buffer.getvalue()


def png_data_uri(png):
    """``data:`` URI of PNG bytes, for an ``<img src>`` that needs no request (also works in wkhtmltopdf)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def open_png(png):
    """PIL image of PNG bytes (for checks and tests)."""
    return Image.open(io.BytesIO(png))
