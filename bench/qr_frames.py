"""Camera frames of a phone's QR as a reception webcam sees them (issue 12): a segno QR
(error correction M, quiet zone white) on a 1280×720 frame, turned away from the camera by
``tilt`` degrees about the vertical axis (a perspective view, as a phone held at an angle),
turned in the image plane by ``turn`` degrees, its quiet-zone square ``share`` of the frame's
height before the tilt, softened by a Gaussian blur of ``blur`` pixels and, if asked, a little
sensor noise. Shared by tests/test_clinic_camera_browser.py and bench/qr_decoder_bench.py.

``y4m`` writes frames as Chromium's fake camera plays them (4:2:0, luma 16–235).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import segno
from PIL import Image, ImageFilter

DARK, LIGHT, BACKGROUND = 30, 225, 95   # a phone screen in a lit room, a grey counter around it


@dataclass(frozen=True)
class Pose:
    tilt: float = 0.0     # degrees, about the vertical axis (perspective)
    turn: float = 0.0     # degrees, in the image plane
    share: float = 0.45   # the code's side (quiet zone included) / frame height, before the tilt
    blur: float = 0.0     # Gaussian blur radius, pixels
    noise: float = 0.0    # standard deviation of sensor noise, grey levels
    seed: int = 0

    def __str__(self):
        return (f"tilt {self.tilt:g}°, turn {self.turn:g}°, {self.share:.0%} of the height, "
                f"blur {self.blur:g} px" + (f", noise {self.noise:g}" if self.noise else ""))


#: The reception webcam of the camera tests and bench/clinic_bench.py: a phone turned 35° away,
#: its code 48 % of the height, blur 1.6 px, three noisy frames. jsQR on the frame scaled to
#: 960 px (the page before issue 12) read none of them; zxing-wasm on the full frame reads them.
RECEPTION = tuple(Pose(tilt=35, turn=-12, share=0.48, blur=1.6, noise=2.0, seed=seed) for seed in (1, 2, 3))


def modules(text: str) -> np.ndarray:
    """The QR's modules (True = dark) with its 4-module quiet zone (numeric mode where the text
    is digits; never a Micro QR)."""
    return np.array(list(segno.make_qr(text, error="m").matrix_iter(scale=1, border=4)), dtype=bool)


def qr_image(code: str | np.ndarray, side: int) -> Image.Image:
    """The QR of a text (or given modules), ``side`` pixels square, sharp edges."""
    dark = modules(code) if isinstance(code, str) else code
    grey = np.where(dark, DARK, LIGHT).astype(np.uint8)
    return Image.fromarray(grey, "L").resize((side, side), Image.NEAREST)


def frame(code: str | np.ndarray, pose: Pose, *, width: int = 1280, height: int = 720,
          focal: float = 1100.0) -> Image.Image:
    """One greyscale camera frame of the code (a text, or its modules) at ``pose``
    (``focal``: the webcam's focal length in pixels; 1100 is a 60° horizontal field of view
    at 1280 px)."""
    side = round(pose.share * height)
    code = qr_image(code, side)
    half = side / 2
    corners = [(-half, -half), (half, -half), (half, half), (-half, half)]
    tilt, turn = math.radians(pose.tilt), math.radians(pose.turn)
    distance = focal   # the code's centre at the focal distance: its side is ``side`` px untilted
    placed = []
    for x, y in corners:
        # turn in the code's plane, then tilt about the vertical axis, then project
        x, y = x * math.cos(turn) - y * math.sin(turn), x * math.sin(turn) + y * math.cos(turn)
        x3, z3 = x * math.cos(tilt), distance + x * math.sin(tilt)
        placed.append((width / 2 + focal * x3 / z3, height / 2 + focal * y / z3))
    source = [(0, 0), (side, 0), (side, side), (0, side)]
    coefficients = _perspective(placed, source)
    seen = code.transform((width, height), Image.PERSPECTIVE, coefficients, Image.BICUBIC,
                          fillcolor=BACKGROUND)
    if pose.blur:
        seen = seen.filter(ImageFilter.GaussianBlur(pose.blur))
    if pose.noise:
        pixels = np.asarray(seen, dtype=np.float32)
        pixels += np.random.default_rng(pose.seed).normal(0, pose.noise, pixels.shape)
        seen = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")
    return seen


def _perspective(seen, source):
    """PIL's 8 PERSPECTIVE coefficients mapping a point of the frame (``seen`` corners) back
    to the code's image (``source`` corners)."""
    rows, values = [], []
    for (x, y), (u, v) in zip(seen, source):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values += [u, v]
    return np.linalg.solve(np.array(rows, float), np.array(values, float)).tolist()


def y4m(frames: list[Image.Image], path: Path, *, fps: int = 10) -> Path:
    """The frames as a Y4M clip (4:2:0, studio-range luma, neutral chroma); it loops."""
    width, height = frames[0].size
    chroma = np.full((height // 2, width // 2), 128, np.uint8).tobytes()
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for image in frames:
            luma = (16 + np.asarray(image, dtype=np.float32) * (219 / 255)).round().astype(np.uint8)
            out.write(b"FRAME\n" + luma.tobytes() + chroma + chroma)
    return path
