"""Draw static/description/icon.png (the app icon): a shield with a keyhole.

Run once with the project's venv (Pillow comes with Odoo's requirements):
``$PA_VENV/bin/python tools/make_icon.py``.
"""

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 256  # drawn large, saved at 128 px for smooth edges
OUT = Path(__file__).resolve().parent.parent / "static" / "description" / "icon.png"


def main():
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, SIZE - 1, SIZE - 1), radius=48, fill=(113, 75, 103))
    # Shield
    cx = SIZE // 2
    shield = [
        (cx, 40),
        (cx + 78, 70),
        (cx + 72, 150),
        (cx, 216),
        (cx - 72, 150),
        (cx - 78, 70),
    ]
    draw.polygon(shield, fill=(255, 255, 255))
    # Keyhole
    draw.ellipse((cx - 22, 92, cx + 22, 136), fill=(113, 75, 103))
    draw.polygon(
        [(cx - 12, 126), (cx + 12, 126), (cx + 18, 176), (cx - 18, 176)],
        fill=(113, 75, 103),
    )
    image.resize((128, 128), Image.LANCZOS).save(OUT)
    print(f"written {OUT}")


if __name__ == "__main__":
    main()
