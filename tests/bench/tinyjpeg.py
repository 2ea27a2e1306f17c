# SPDX-License-Identifier: GPL-3.0-or-later
"""A tiny baseline JPEG writer for test covers, in pure Python.

Debian's /usr/bin/python3 has no imaging library here, yet the test
libraries want real cover art (folder cover.jpg files and pictures embedded
in tags) that any JPEG decoder opens. This writes a true baseline JPEG whose
8x8 blocks are each one flat colour: only the DC coefficient of every block
is coded, every AC coefficient is zero (end of block at once). That is
enough for blocky gradients and stripes, is valid for libjpeg and browsers,
and costs microseconds.

Used by tests/bench/gen_corpus.py and tests/data/make-demo.sh.
"""

import struct

__all__ = ["make_jpeg", "gradient_cover"]

# DC coefficients are quantised by 8, so a block's coded DC value is its
# level shifted to -128..127; the AC entries do not matter (all zero).
_QUANT = bytes([8] * 64)

# DC table: the 12 categories 0..11, all with 4-bit codes (0000..1011).
_DC_BITS = [0, 0, 0, 12] + [0] * 12
_DC_SYMBOLS = list(range(12))
# AC table: end of block (0x00) as "00", plus ZRL (0xF0, unused) as "01",
# so the table is not a degenerate one-code table.
_AC_BITS = [0, 2] + [0] * 14
_AC_SYMBOLS = [0x00, 0xF0]


def _segment(marker, payload):
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def _dht(table_class, table_id, bits, symbols):
    return _segment(0xC4, bytes([table_class << 4 | table_id]) +
                    bytes(bits) + bytes(symbols))


class _BitWriter:
    """MSB-first bit packer with JPEG byte stuffing (0xFF -> 0xFF 0x00)."""

    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.nbits = 0

    def put(self, value, nbits):
        self.acc = (self.acc << nbits) | (value & ((1 << nbits) - 1))
        self.nbits += nbits
        while self.nbits >= 8:
            self.nbits -= 8
            byte = (self.acc >> self.nbits) & 0xFF
            self.out.append(byte)
            if byte == 0xFF:
                self.out.append(0x00)
        self.acc &= (1 << self.nbits) - 1

    def flush(self):
        if self.nbits:  # pad the last byte with 1-bits, as the spec asks
            self.put((1 << (8 - self.nbits)) - 1, 8 - self.nbits)
        return bytes(self.out)


def _put_dc(writer, diff):
    """Code one DC difference: its category (4-bit code), then its bits."""
    magnitude = abs(diff)
    category = magnitude.bit_length()
    writer.put(category, 4)  # category c has code c (see _DC_BITS)
    if category:
        writer.put(diff if diff > 0 else diff + (1 << category) - 1, category)
    writer.put(0b00, 2)  # end of block: all AC coefficients are zero


def _ycbcr(rgb):
    r, g, b = rgb
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    return [max(-128, min(127, round(c - 128))) for c in (y, cb, cr)]


def make_jpeg(blocks_w, blocks_h, colour_at, pad_to=0, comment=b""):
    """Return JPEG bytes of (8*blocks_w) x (8*blocks_h) pixels.

    colour_at(bx, by) gives the (r, g, b) of block (bx, by), 0..255 each.
    pad_to: if larger than the image, add comment segments until the file
    is that many bytes, give or take 3 (cover art of a realistic size that
    still decodes as a tiny picture).
    """
    header = b"".join([
        b"\xFF\xD8",  # SOI
        _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
    ])
    if comment:
        header += _segment(0xFE, comment[:65533])
    tables = b"".join([
        _segment(0xDB, b"\x00" + _QUANT),  # DQT: table 0, 8-bit
        # SOF0: 8-bit samples, height, width, 3 components at 1x1, table 0.
        _segment(0xC0, struct.pack(">BHHB", 8, blocks_h * 8, blocks_w * 8, 3)
                 + b"".join(bytes([cid, 0x11, 0]) for cid in (1, 2, 3))),
        _dht(0, 0, _DC_BITS, _DC_SYMBOLS),
        _dht(1, 0, _AC_BITS, _AC_SYMBOLS),
        # SOS: 3 components, all with DC table 0 / AC table 0, full band.
        _segment(0xDA, bytes([3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0])),
    ])
    writer = _BitWriter()
    previous = [0, 0, 0]
    for by in range(blocks_h):
        for bx in range(blocks_w):
            for comp, level in enumerate(_ycbcr(colour_at(bx, by))):
                _put_dc(writer, level - previous[comp])
                previous[comp] = level
    body = tables + writer.flush() + b"\xFF\xD9"  # EOI

    missing = pad_to - len(header) - len(body)
    filler = bytearray()
    while missing >= 4:  # a comment segment needs 4 bytes of framing
        size = min(missing - 4, 65533)
        filler += _segment(0xFE, (b"mediamon test cover. " * 3200)[:size])
        missing -= size + 4
    return header + bytes(filler) + body


def gradient_cover(seed, blocks=8, pad_to=0):
    """A two-colour diagonal gradient chosen from seed (an int)."""
    a = ((seed * 97) % 256, (seed * 57 + 80) % 256, (seed * 31 + 160) % 256)
    b = ((seed * 13 + 200) % 256, (seed * 71 + 30) % 256, (seed * 19) % 256)
    span = max(1, 2 * (blocks - 1))

    def colour_at(bx, by):
        t = (bx + by) / span
        return tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3))

    return make_jpeg(blocks, blocks, colour_at, pad_to=pad_to)
