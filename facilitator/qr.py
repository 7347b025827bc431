"""Join URL → QR code as SVG (crisp on any projector) or PNG (for messengers and print shops)."""
import io

import qrcode
import qrcode.image.svg


def _code(url: str) -> qrcode.QRCode:
    # Medium error correction survives a glare spot on a projector or a crease in a poster.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code


def svg(url: str) -> bytes:
    image = _code(url).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    return image.to_string(encoding="unicode").encode()


def png(url: str, box_size: int = 12) -> bytes:
    code = _code(url)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()
