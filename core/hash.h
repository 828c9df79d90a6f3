/*
 * hash.h - the one string hash of slamon: FNV-1a's 64-bit prime over the
 * bytes, from the offset 1469598103934665603 (not FNV's published
 * 14695981039346656037: kept, because schedule.c derives every device's
 * polling slot from it and slots must not move between versions).
 * SPDX-License-Identifier: MIT
 */
#ifndef SLAMON_HASH_H
#define SLAMON_HASH_H

#include <stddef.h>
#include <stdint.h>

#define SLAMON_HASH_INIT 1469598103934665603ULL

static inline uint64_t slamon_hash_bytes(uint64_t h, const void *buf,
					 size_t len)
{
	const unsigned char *p = buf;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static inline uint64_t slamon_hash_str(const char *s)
{
	uint64_t h = SLAMON_HASH_INIT;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return h;
}

#endif
