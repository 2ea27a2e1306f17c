/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef MEDIAMON_SUBSONIC_SYSTEM_H
#define MEDIAMON_SUBSONIC_SYSTEM_H
/*
 * The Subsonic user and system methods: getUser and getUsers (the
 * account itself only: its roles, admin and scanning only for the
 * daemon's owner), getScanStatus and startScan (the owner's account
 * only: error 50 to another). Each fills body (the subsonic-response's
 * members) and returns 0, a negative errno value or a Subsonic error
 * code, as fs/subsonic/subsonic.c's methods do; the caller's rights are held.
 */
#include <jansson.h>

int subsonic_system_user(json_t *body, const char *username);
int subsonic_system_users(json_t *body);
int subsonic_system_scan_status(json_t *body);
int subsonic_system_start_scan(json_t *body);
#endif
