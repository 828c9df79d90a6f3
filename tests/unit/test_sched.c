/*
 * test_sched.c - polls are spread over the interval, stable per device, and
 * the next due time is always in the future on the device's grid.
 * SPDX-License-Identifier: MIT
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>

#include "alerts/avail.h"
#include "collector/schedule.h"

Test(sched, offsets_spread_over_the_interval)
{
	int buckets[10] = {0};
	char name[32];

	for (int i = 0; i < 5000; i++) {
		double off;

		snprintf(name, sizeof(name), "ap-%04d", i);
		off = sched_offset(name, 60);
		cr_assert(off >= 0 && off < 60, "offset %f", off);
		buckets[(int)(off / 6)]++;
	}
	/* 500 expected per 6-second bucket: none empty or doubled */
	for (int b = 0; b < 10; b++)
		cr_assert(buckets[b] > 350 && buckets[b] < 650,
			  "bucket %d has %d", b, buckets[b]);
}

Test(sched, offset_is_stable)
{
	cr_assert_eq(sched_offset("core-1", 60), sched_offset("core-1", 60));
	cr_assert_neq(sched_offset("core-1", 60), sched_offset("core-2", 60));
}

Test(sched, next_is_on_the_grid_and_after_now)
{
	double off = 17.25;

	for (double now = 1e9; now < 1e9 + 600; now += 7.3) {
		double n = sched_next(now, 60, off);
		double k = (n - off) / 60;

		cr_assert(n > now && n <= now + 60);
		cr_assert(fabs(k - round(k)) < 1e-9);
	}
	/* exactly on a slot: the next one */
	cr_assert_float_eq(sched_next(1e9 + 17.25 - fmod(1e9, 60) + 60, 60,
				      off) -
				   (1e9 + 17.25 - fmod(1e9, 60) + 60),
			   60, 1e-6);
}

Test(sched, late_window_bounds)
{
	cr_assert_float_eq(sched_late_window(5), 1.0, 1e-9);
	cr_assert_float_eq(sched_late_window(60), 6.0, 1e-9);
	cr_assert_float_eq(sched_late_window(3600), 30.0, 1e-9);
}

Test(avail, down_after_n_up_after_m)
{
	struct avail a = {0};

	cr_assert_eq(avail_update(&a, 1, 100, 2, 2), 1);
	cr_assert_eq(a.state, AV_UP);
	cr_assert_eq(avail_update(&a, 0, 160, 2, 2), 0);
	cr_assert_eq(a.state, AV_UP);
	cr_assert_eq(avail_update(&a, 0, 220, 2, 2), 1);
	cr_assert_eq(a.state, AV_DOWN);
	cr_assert_float_eq(a.since, 160, 1e-9); /* first failed sample */
	cr_assert_eq(avail_update(&a, 1, 280, 2, 2), 0);
	cr_assert_eq(avail_update(&a, 1, 340, 2, 2), 1);
	cr_assert_eq(a.state, AV_UP);
	/* recovered since the first good sample of the run */
	cr_assert_float_eq(a.since, 280, 1e-9);
}

Test(avail, unknown_goes_down_after_n)
{
	struct avail a = {0};

	cr_assert_eq(avail_update(&a, 0, 100, 2, 2), 0);
	cr_assert_eq(a.state, AV_UNKNOWN);
	cr_assert_eq(avail_update(&a, 0, 160, 2, 2), 1);
	cr_assert_eq(a.state, AV_DOWN);
	cr_assert_str_eq(avail_state_name(a.state), "down");
}

Test(sched, tick_deadlines_group_devices_due_in_one_tick)
{
	/* every device due within one tick starts in the same turn of the
	 * loop, never early, at most one tick late */
	unsigned long long now = 1234567;

	for (double d = 0; d < 1000; d += 7.3) {
		unsigned long long at = sched_tick_deadline(now, d);

		cr_assert_eq(at % SCHED_TICK_MS, 0);
		cr_assert_geq((double)at, (double)now + d);
		cr_assert_lt((double)at, (double)now + d + SCHED_TICK_MS + 1);
	}
	cr_assert_eq(sched_tick_deadline(1234500, 10),
		     sched_tick_deadline(1234500, 60));
	cr_assert_eq(sched_tick_deadline(1000, 0), 1000, "on the grid already");
	cr_assert_eq(sched_tick_deadline(1000, -5), 1000, "late: now");
	cr_assert_eq(sched_tick_deadline(1000, 0.0 / 0.0), 1000);
}
