#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Encode a 16-bit stereo WAV file as Monkey's Audio, version 3.99,
compression level "fast" (1000), which FFmpeg decodes:

    /usr/bin/python3 tests/data/make-monkeys.py IN.wav OUT.ape

Debian ships no Monkey's Audio encoder, so this one is written here from
the decoder's side: FFmpeg's libavformat/ape.c (the descriptor, header
and seek table, frames as 32-bit little-endian words) and
libavcodec/apedec.c (for 3.99 at level 1000: a range coder over adaptive
Rice-like values, the 3.95 predictor, which this level uses without the
adaptive filters of the higher ones, and the mid/side step between the
channels). Each stage of the decoder takes one value and its own past,
so the encoder runs the decoder's stages backwards, sample by sample, in
the decoder's integer arithmetic: for each output it finds the input the
stage needs, then updates the stage's state as the decoder will. Its
frames decode to the WAV's samples exactly and carry their CRC
(ffmpeg -err_detect crccheck checks it); they are larger than Monkey's
Audio's own, which searches for better predictions.
"""

import struct
import sys
import wave
import zlib

VERSION = 3990
LEVEL = 1000
# Blocks (one sample of each channel) per frame, as Monkey's Audio 3.95
# and later write them.
BLOCKS_PER_FRAME = 73728 * 4

HISTORY_SIZE = 512
PREDICTOR_SIZE = 50
YDELAYA, YDELAYB, XDELAYA, XDELAYB = 50, 42, 34, 26
YADAPTA, XADAPTA, YADAPTB, XADAPTB = 18, 14, 10, 5

# The 3.98 model of a value's "overflow" part: where each of the first
# 21 symbols starts in 16 bits, and its width.
COUNTS = [0, 19578, 36160, 48417, 56323, 60899, 63265, 64435, 64971,
          65232, 65351, 65416, 65447, 65466, 65476, 65482, 65485, 65488,
          65490, 65491, 65492, 65493]
ESCAPE = 63


def s32(v):
    """v as a C int32_t holds it."""
    v &= 0xffffffff
    return v - (1 << 32) if v & 0x80000000 else v


def sign(v):
    """The decoder's APESIGN: -1 for a positive value, 1 for a negative."""
    return (v < 0) - (v > 0)


def tdiv(a, b):
    """C's division, which truncates toward zero."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


class RangeEncoder:
    """The range coder apedec.c decodes: its decoder keeps low, the code
    value less the interval's base, and range, both scaled by 256 when
    range falls to 2**23 or below. The encoder keeps the base itself:
    its settled high bytes in out, its last bits in low (carries
    propagate back into out)."""

    WINDOW = 40

    def __init__(self):
        self.out = bytearray()
        self.low = 0
        self.bits = 8       # of the base in low: the decoder starts
        self.range = 1 << 7  # with 7 bits, a zero bit is put first

    def normalize(self):
        while self.range <= 1 << 23:
            self.low <<= 8
            self.range <<= 8
            self.bits += 8
            if self.bits > self.WINDOW:
                self.bits -= 8
                self.out.append(self.low >> self.bits)
                self.low &= (1 << self.bits) - 1

    def add(self, v):
        self.low += v
        if self.low >> self.bits:
            self.low -= 1 << self.bits
            i = len(self.out) - 1
            while self.out[i] == 0xff:
                self.out[i] = 0
                i -= 1
            self.out[i] += 1

    def shift(self, shift, start, width):
        """A symbol of [start, start + width) out of 2**shift."""
        self.normalize()
        help_ = self.range >> shift
        self.add(help_ * start)
        self.range = help_ * width

    def freq(self, total, value):
        """value out of total equally likely ones."""
        self.normalize()
        help_ = self.range // total
        self.add(help_ * value)
        self.range = help_

    def finish(self):
        """The bytes the decoder reads after the byte it skips: the base,
        its leading zero bit dropped, and room for the bytes the decoder
        reads ahead."""
        data = bytes(self.out) + self.low.to_bytes(self.bits // 8, "big")
        data = (int.from_bytes(data, "big") << 1).to_bytes(len(data), "big")
        return data + bytes(8)


class Rice:
    """The adaptive parameter of one channel's values."""

    def __init__(self):
        self.k = 10
        self.ksum = 16 << 10

    def update(self, x):
        self.ksum = (self.ksum + (x + 1) // 2 -
                     ((self.ksum + 16) >> 5)) & 0xffffffff
        lim = 1 << (self.k + 4) if self.k else 0
        if self.ksum < lim:
            self.k -= 1
        elif self.ksum >= 1 << (self.k + 5):
            self.k += 1


def encode_value(rc, rice, v):
    """One residual as ape_decode_value_3990 reads it: its unsigned form
    split by a pivot into an overflow (a modelled symbol, or escaped to
    32 bits) and a base below the pivot."""
    x = 2 * v - 1 if v > 0 else -2 * v
    pivot = max(rice.ksum >> 5, 1)
    overflow, base = divmod(x, pivot)
    if overflow < len(COUNTS) - 1:
        rc.shift(16, COUNTS[overflow],
                 COUNTS[overflow + 1] - COUNTS[overflow])
    elif overflow < ESCAPE:
        rc.shift(16, overflow + 65535 - ESCAPE, 1)
    else:
        rc.shift(16, 65535, 1)
        rc.shift(16, overflow >> 16, 1)
        rc.shift(16, overflow & 0xffff, 1)
    if pivot < 0x10000:
        rc.freq(pivot, base)
    else:
        bbits = 0
        while pivot >> bbits > 0xffff:
            bbits += 1
        rc.freq((pivot >> bbits) + 1, base >> bbits)
        rc.freq(1 << bbits, base & ((1 << bbits) - 1))
    rice.update(x)


class Predictor:
    """The 3.95 stereo predictor (predictor_update_filter): filter 0
    gives the first channel, filter 1 the second, from one history."""

    def __init__(self):
        self.hist = [0] * (HISTORY_SIZE + PREDICTOR_SIZE)
        self.buf = 0
        self.last_a = [0, 0]
        self.filter_a = [0, 0]
        self.filter_b = [0, 0]
        self.coeffs_a = [[360, 317, -109, 98], [360, 317, -109, 98]]
        self.coeffs_b = [[0] * 5, [0] * 5]

    def inverse(self, out, f, delay_a, delay_b, adapt_a, adapt_b):
        """The input that makes filter f give out."""
        b, h = self.buf, self.hist
        h[b + delay_a] = self.last_a[f]
        h[b + adapt_a] = sign(h[b + delay_a])
        h[b + delay_a - 1] = s32(h[b + delay_a] - h[b + delay_a - 1])
        h[b + adapt_a - 1] = sign(h[b + delay_a - 1])
        ca, cb = self.coeffs_a[f], self.coeffs_b[f]
        pred_a = s32(sum(h[b + delay_a - i] * ca[i] for i in range(4)))
        h[b + delay_b] = s32(self.filter_a[f ^ 1] -
                             ((self.filter_b[f] * 31) >> 5))
        h[b + adapt_b] = sign(h[b + delay_b])
        h[b + delay_b - 1] = s32(h[b + delay_b] - h[b + delay_b - 1])
        h[b + adapt_b - 1] = sign(h[b + delay_b - 1])
        self.filter_b[f] = self.filter_a[f ^ 1]
        pred_b = s32(sum(h[b + delay_b - i] * cb[i] for i in range(5)))
        last_a = s32(out - ((self.filter_a[f] * 31) >> 5))
        value = s32(last_a - (s32(pred_a + (pred_b >> 1)) >> 10))
        self.last_a[f] = last_a
        self.filter_a[f] = out
        mul = sign(value)
        for i in range(4):
            ca[i] += h[b + adapt_a - i] * mul
        for i in range(5):
            cb[i] += h[b + adapt_b - i] * mul
        return value

    def step(self):
        self.buf += 1
        if self.buf == HISTORY_SIZE:
            self.hist[:PREDICTOR_SIZE] = \
                self.hist[HISTORY_SIZE:HISTORY_SIZE + PREDICTOR_SIZE]
            self.buf = 0


def encode_frame(left, right):
    """One frame's bytes as the file holds them: its CRC, a skipped byte
    and the range-coded residuals, in 32-bit little-endian words."""
    pcm = b"".join(struct.pack("<hh", l, r) for l, r in zip(left, right))
    pred = Predictor()
    rc = RangeEncoder()
    rice = [Rice(), Rice()]
    for l, r in zip(left, right):
        # the decoder's left = X - Y / 2, right = left + Y
        y = r - l
        x = l + tdiv(y, 2)
        y = pred.inverse(y, 0, YDELAYA, YDELAYB, YADAPTA, YADAPTB)
        x = pred.inverse(x, 1, XDELAYA, XDELAYB, XADAPTA, XADAPTB)
        pred.step()
        encode_value(rc, rice[0], y)
        encode_value(rc, rice[1], x)
    data = struct.pack(">I", zlib.crc32(pcm) >> 1) + b"\0" + rc.finish()
    data += bytes(-len(data) % 4)
    return b"".join(data[i:i + 4][::-1] for i in range(0, len(data), 4))


def encode(wav_path, ape_path):
    with wave.open(wav_path, "rb") as w:
        if w.getnchannels() != 2 or w.getsampwidth() != 2:
            raise SystemExit("make-monkeys: %s is not 16-bit stereo" %
                             wav_path)
        rate = w.getframerate()
        raw = w.readframes(w.getnframes())
    samples = struct.unpack("<%dh" % (len(raw) // 2), raw)
    left, right = samples[0::2], samples[1::2]
    blocks = len(left)
    frames = [encode_frame(left[i:i + BLOCKS_PER_FRAME],
                           right[i:i + BLOCKS_PER_FRAME])
              for i in range(0, blocks, BLOCKS_PER_FRAME)]
    final = blocks - (len(frames) - 1) * BLOCKS_PER_FRAME
    wav_header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(raw),
                             b"WAVE", b"fmt ", 16, 1, 2, rate, rate * 4, 4,
                             16, b"data", len(raw))
    seek_len = 4 * len(frames)
    audio_len = sum(len(f) for f in frames)
    descriptor = struct.pack("<4sHHIIIIIII16s", b"MAC ", VERSION, 0, 52, 24,
                             seek_len, len(wav_header), audio_len, 0, 0,
                             bytes(16))
    header = struct.pack("<HHIIIHHI", LEVEL, 0, BLOCKS_PER_FRAME, final,
                         len(frames), 16, 2, rate)
    pos = len(descriptor) + len(header) + seek_len + len(wav_header)
    seek = b""
    for f in frames:
        seek += struct.pack("<I", pos)
        pos += len(f)
    with open(ape_path, "wb") as out:
        out.write(descriptor + header + seek + wav_header + b"".join(frames))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: make-monkeys.py IN.wav OUT.ape")
    encode(sys.argv[1], sys.argv[2])
