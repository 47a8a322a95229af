"""qrcode + pypng: encode texts as QR codes, render ASCII and PNG images."""

import hashlib
import io

import qrcode
import qrcode.image.pure

for step in range(48):
    data = f"https://example.org/item/{step}?" + "q=" + "x" * (step % 12 * 20)
    qr = qrcode.QRCode(error_correction=[qrcode.constants.ERROR_CORRECT_L,
                                         qrcode.constants.ERROR_CORRECT_M,
                                         qrcode.constants.ERROR_CORRECT_Q,
                                         qrcode.constants.ERROR_CORRECT_H][step % 4],
                       box_size=2, border=2)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    dark = sum(map(sum, matrix))
    ascii_art = io.StringIO()
    qr.print_ascii(out=ascii_art)
    image = qr.make_image(image_factory=qrcode.image.pure.PyPNGImage)
    png = io.BytesIO()
    image.save(png)
    print(f"step {step}: version {qr.version} size {len(matrix)} dark {dark} "
          f"ascii {hashlib.md5(ascii_art.getvalue().encode()).hexdigest()[:10]} "
          f"png {len(png.getvalue())} {hashlib.md5(png.getvalue()).hexdigest()[:10]}",
          flush=True)
print("done", flush=True)
