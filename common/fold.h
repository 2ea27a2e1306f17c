/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_FOLD_H
#define MEDIAMON_FOLD_H
/*
 * Text folded for a search as people type it (utf8proc): Unicode full
 * case folding, compatibility forms made plain ("ﬁ" is "fi", a
 * full-width "Ａ" is "a") and the combining marks stripped, for every
 * script: "Déjà" folds to "deja", "Λ" to "λ", "Straße" to "strasse".
 * A letter whose look is its own and no base and mark ("ø", "ł") is
 * kept. Two texts match as a search wants when the folded query is in
 * the folded name.
 */
#include <stddef.h>

/* The folded form of the len bytes at s into *out, a new NUL-ended
 * string to free: 0, -EILSEQ when they are not well-formed UTF-8 (or
 * hold a NUL), or -ENOMEM. Nothing is logged: the caller decides. */
int fold_text(const char *s, size_t len, char **out);

/* The folded form of s, or, when s is not UTF-8, a copy of it, into
 * *out: 0 or -ENOMEM. For names from tags and files, which may be any
 * bytes and must still be found by a query of the same bytes. */
int fold_name(const char *s, char **out);
#endif
