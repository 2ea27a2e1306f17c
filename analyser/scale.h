/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SCALE_H
#define MEDIAMON_SCALE_H

/*
 * mediamon-analyse --scale: one cover picture made to fit a square for a
 * player (Subsonic's getCoverArt with size) with FFmpeg's libraries,
 * read from a descriptor the daemon opened as the account, written to
 * another (a pipe the daemon reads). JPEG, PNG, GIF, WebP and BMP are
 * read; the answer is a JPEG, or a PNG with its alpha when the picture
 * is a PNG that has one. A picture that already fits is written back
 * as it is: a cover is never made larger.
 */

/* Bytes of a picture scale_run() reads at most. */
#define SCALE_MAX_INPUT	(64 << 20)

/* Seconds after which mediamon-analyse --scale ends itself (SIGALRM),
 * past the daemon's own wait (SUBSONIC_COVER_WAIT_S), so that it goes
 * even where the daemon may not signal it. */
#define SCALE_WATCHDOG_S 20

/*
 * Read the picture open on in_fd (to its end, SCALE_MAX_INPUT bytes at
 * most), decode it, refusing one of more than max_pixels pixels before
 * its pixels are allocated, and write it to out_fd scaled to fit size x
 * size, its aspect kept. Returns 0, or a negative errno value (logged):
 * -EMEDIUMTYPE for no picture it reads, -EFBIG for one too large.
 */
int scale_run(int in_fd, int out_fd, unsigned size, unsigned max_pixels);

#endif
