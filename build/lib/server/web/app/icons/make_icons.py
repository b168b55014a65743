"""Draw the member app's PNG icons once (Pillow + Noto Sans CJK); the files are committed.

    .venv/bin/python web/app/icons/make_icons.py

The mark matches icon.svg: a blue rounded square, a white 資, and a QR finder pattern.
"""
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
BLUE, WHITE = (11, 83, 148, 255), (255, 255, 255, 255)


def draw(size: int, *, maskable: bool = False) -> Image.Image:
    scale = 4                                    # draw large, then downsample for smooth edges
    s = size * scale
    image = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    if maskable:
        d.rectangle([0, 0, s, s], fill=BLUE)     # full bleed; the mark stays in the safe zone
        inner = 0.62
    else:
        d.rounded_rectangle([0, 0, s - 1, s - 1], radius=int(s * 0.19), fill=BLUE)
        inner = 0.86
    unit = s * inner / 512                       # the 512-unit design grid of icon.svg
    left = (s - 512 * unit) / 2
    font = ImageFont.truetype(FONT, int(270 * unit), index=0)
    d.text((left + 222 * unit, left + 222 * unit), "資", font=font, fill=WHITE, anchor="mm")
    # QR finder pattern, bottom right: 7x7 modules of 16 units
    x0, y0, m = left + 364 * unit, left + 364 * unit, 16 * unit
    d.rectangle([x0, y0, x0 + 7 * m, y0 + 7 * m], fill=WHITE)
    d.rectangle([x0 + m, y0 + m, x0 + 6 * m, y0 + 6 * m], fill=BLUE)
    d.rectangle([x0 + 2 * m, y0 + 2 * m, x0 + 5 * m, y0 + 5 * m], fill=WHITE)
    return image.resize((size, size), Image.LANCZOS)


if __name__ == "__main__":
    draw(192).save(HERE / "icon-192.png", optimize=True)
    draw(512).save(HERE / "icon-512.png", optimize=True)
    draw(512, maskable=True).save(HERE / "icon-maskable-512.png", optimize=True)
