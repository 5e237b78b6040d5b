#!/usr/bin/env python3
"""gen-faces.py — draw the demo cards' face images (issue 11, "The face on
the screen"), so that they can be made again:

  data/cards/faces/demo-N.jp2       顔写真: a synthetic greyscale face-like
                                    drawing, JPEG 2000 in a JP2 container
  data/cards/faces/demo-N-name.png  氏名 as a 1-bit PNG
  data/cards/faces/demo-N-addr.png  住所 as a 1-bit PNG

for the people of data/cards/demo-N.card (N = 1..5).  Nothing comes from
the internet: the faces are ellipses and strokes drawn here, the text is
drawn from GNU Unifont's Japanese bitmap glyphs (Debian package unifont,
/usr/share/unifont/unifont_jp.hex), and the JP2 is made by opj_compress
(Debian package libopenjp2-tools).  Standard library only.

  scripts/gen-faces.py [OUTDIR]
"""
import math
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEX = "/usr/share/unifont/unifont_jp.hex"
HEX_FALLBACK = "/usr/share/unifont/unifont.hex"
W, H = 96, 120          # photo size: 4:5 like a card photo, a few KB as JP2


def card_people():
    out = []
    for n in range(1, 6):
        f = {}
        with open(os.path.join(ROOT, "data", "cards", "demo-%d.card" % n), encoding="utf-8") as fh:
            for line in fh:
                m = re.match(r"^(name|address|birth|sex)\s*=\s*(.*)$", line.strip())
                if m:
                    f[m.group(1)] = m.group(2)
        out.append((n, f))
    return out


# ------------------------------------------------------------------ faces

def face(seed, sex, age):
    """A greyscale W×H face-like drawing: background, shoulders, head,
    hair, eyes, brows, nose, mouth.  seed varies the proportions."""
    img = [[200] * W for _ in range(H)]
    rnd = (seed * 7919) % 97 / 97.0
    cx, cy = W / 2, H * 0.42
    rx, ry = W * (0.27 + 0.04 * rnd), H * (0.30 + 0.02 * rnd)
    if age < 15:
        rx, ry = rx * 0.92, ry * 0.88
    skin = 170 - int(30 * rnd)
    hair = 40 if age < 60 else 225 + int(20 * rnd)
    for y in range(H):
        for x in range(W):
            # background gradient
            img[y][x] = 150 - y // 8
            # shoulders
            sy = (y - H * 1.05) / (H * 0.35)
            sx = (x - cx) / (W * 0.48)
            if sx * sx + sy * sy < 1:
                img[y][x] = 70 + int(20 * rnd)
            # neck
            if abs(x - cx) < rx * 0.45 and cy + ry * 0.6 < y < H * 0.85:
                img[y][x] = skin - 15
            # hair mass behind the head (long for some)
            hx, hy = (x - cx) / (rx * 1.12), (y - (cy - ry * 0.1)) / (ry * 1.08)
            long_hair = sex == "2" and age >= 15
            if hx * hx + hy * hy < 1 or (long_hair and abs(x - cx) < rx * 1.15 and cy < y < cy + ry * 1.1):
                img[y][x] = hair
            # face
            fx, fy = (x - cx) / rx, (y - cy) / ry
            if fx * fx + fy * fy < 1:
                shade = int(18 * fx)  # light from the left
                img[y][x] = max(0, min(255, skin - shade))
                # fringe
                if fy < -0.55 + 0.15 * math.sin(x / 5.0 + seed):
                    img[y][x] = hair
    def blob(x0, y0, ax, ay, v):
        for y in range(int(y0 - ay - 1), int(y0 + ay + 2)):
            for x in range(int(x0 - ax - 1), int(x0 + ax + 2)):
                if 0 <= x < W and 0 <= y < H and ((x - x0) / ax) ** 2 + ((y - y0) / ay) ** 2 < 1:
                    img[y][x] = v
    ex = rx * 0.42
    ey = cy - ry * 0.08
    for s in (-1, 1):
        blob(cx + s * ex, ey, rx * 0.2, ry * 0.08, 235)        # eye white
        blob(cx + s * ex, ey, rx * 0.09, ry * 0.075, 30)        # iris
        blob(cx + s * ex, ey - ry * 0.2, rx * 0.22, ry * 0.03, hair if hair < 128 else 90)  # brow
    for y in range(int(ey + ry * 0.1), int(cy + ry * 0.3)):     # nose
        img[y][int(cx + 1)] = skin - 45
    blob(cx, cy + ry * 0.33, rx * 0.12, ry * 0.03, skin - 50)   # nostrils
    mw = rx * (0.35 + 0.1 * rnd)
    for x in range(int(cx - mw), int(cx + mw) + 1):               # mouth, a smile
        t = (x - cx) / mw
        y = int(cy + ry * 0.55 + 2.5 * (1 - t * t))
        img[y][x] = 90
        img[y + 1][x] = 120
    if age >= 60:                                                  # lines
        for s in (-1, 1):
            for k in range(6):
                img[int(cy + ry * 0.35 + k)][int(cx + s * (rx * 0.38 + k * 0.7))] = skin - 40
    return img


def write_pgm(path, img):
    with open(path, "wb") as f:
        f.write(b"P5\n%d %d\n255\n" % (W, H))
        f.write(bytes(v for row in img for v in row))


# ------------------------------------------------------------------- text

def load_glyphs(text):
    need = {ord(c) for c in text}
    g = {}
    for path in (HEX, HEX_FALLBACK):
        if not os.path.exists(path):
            continue
        with open(path) as fh:
            for line in fh:
                cp, bits = line.strip().split(":")
                cp = int(cp, 16)
                if cp in need and cp not in g:
                    g[cp] = bits
    missing = [c for c in text if ord(c) not in g]
    if missing:
        sys.exit("gen-faces: no glyph for %r (install the unifont package)" % "".join(missing))
    return g


def render(text, scale=2, margin=4):
    """Text as 1-bit rows (1 = black), Unifont 16 px glyphs scaled."""
    g = load_glyphs(text)
    cols = []
    for c in text:
        bits = g[ord(c)]
        w = 8 if len(bits) == 32 else 16
        rows = [int(bits[i * w // 4:(i + 1) * w // 4], 16) for i in range(16)]
        for x in range(w):
            cols.append([(rows[y] >> (w - 1 - x)) & 1 for y in range(16)])
    width = len(cols) * scale + 2 * margin
    height = 16 * scale + 2 * margin
    out = [[0] * width for _ in range(height)]
    for x, col in enumerate(cols):
        for y, b in enumerate(col):
            if b:
                for dy in range(scale):
                    for dx in range(scale):
                        out[margin + y * scale + dy][margin + x * scale + dx] = 1
    return out


def write_png1(path, rows):
    """A 1-bit greyscale PNG (0 = black, 1 = white), like the card's."""
    h, w = len(rows), len(rows[0])
    raw = bytearray()
    for r in rows:
        raw.append(0)
        byte, nb = 0, 0
        for b in r:
            byte = (byte << 1) | (0 if b else 1)
            nb += 1
            if nb == 8:
                raw.append(byte)
                byte, nb = 0, 0
        if nb:
            raw.append(byte << (8 - nb))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(bytes(raw), 9)))
        f.write(chunk(b"IEND", b""))


def fullwidth(s):
    """The card prints the address with full-width digits and the name
    with an ideographic space (LAYOUT.md's test card)."""
    return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" or c == "-" else
                   "\u3000" if c == " " else c for c in s)


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "data", "cards", "faces")
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for n, p in card_people():
            age = 2026 - int(p["birth"][:4])
            pgm = os.path.join(tmp, "f.pgm")
            write_pgm(pgm, face(n, p["sex"], age))
            jp2 = os.path.join(outdir, "demo-%d.jp2" % n)
            subprocess.run(["opj_compress", "-i", pgm, "-o", jp2, "-r", "12", "-n", "4"],
                           check=True, stdout=subprocess.DEVNULL)
            write_png1(os.path.join(outdir, "demo-%d-name.png" % n), render(fullwidth(p["name"])))
            write_png1(os.path.join(outdir, "demo-%d-addr.png" % n), render(fullwidth(p["address"]), scale=1))
    for f in sorted(os.listdir(outdir)):
        print("%6d %s" % (os.path.getsize(os.path.join(outdir, f)), f))


if __name__ == "__main__":
    main()
