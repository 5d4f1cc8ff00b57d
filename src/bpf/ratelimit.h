/* The arithmetic of --rate-limit's token bucket, shared by the kernel side and its unit test. */
#ifndef CC_RATELIMIT_H
#define CC_RATELIMIT_H

/*
 * The bucket is kept as the generic cell rate algorithm keeps it: one number, the theoretical
 * arrival time (tat) of the next event, in 1/16 ns of CLOCK_MONOTONIC (so that 1/rate seconds is
 * exact enough whatever the rate). An event at now passes when tat, raised to now if it lags
 * behind (an idle bucket is full, never fuller), is at most the tolerance ahead of now; it then
 * moves tat one interval on. That is a token bucket of burst tokens refilled at rate tokens a
 * second, with no multiplication of elapsed time (nothing overflows after a long idle time or a
 * clock jump) and one word to update, by an atomic add. Times compare by signed difference, so
 * the 64-bit clock's wrap is harmless.
 */
#define CC_RL_SHIFT 4	      /* tat and intervals in units of 2^-4 ns */
#define CC_RL_MAX   10000000u /* the highest rate: an interval of 1,600 units, cut by < 0.07% */
#define CC_RL_HOST  0u	      /* the host's bucket key (every other key is a pid namespace) */

/* The interval between two events at rate events a second (rate 1..CC_RL_MAX). */
static inline __u64 cc_rl_interval(__u32 rate)
{
	return (1000000000ull << CC_RL_SHIFT) / rate;
}

/* The tolerance that lets burst events through at once into a full bucket (burst >= 1). */
static inline __u64 cc_rl_tolerance(__u32 rate, __u32 burst)
{
	return cc_rl_interval(rate) * (burst - 1);
}

/* A time in the bucket's units. */
static inline __u64 cc_rl_time(__u64 ns)
{
	return ns << CC_RL_SHIFT;
}

/*
 * Whether an event at now passes a bucket at tat: 1 when it does, and *base is then what tat is
 * raised to before one interval is added (tat itself, or now for a bucket that was idle); 0 when
 * it is throttled, and tat stays.
 */
static inline int cc_rl_admit(__u64 tat, __u64 now, __u64 tolerance, __u64 *base)
{
	__u64 b = (__s64)(tat - now) < 0 ? now : tat;

	if (b - now > tolerance)
		return 0;
	*base = b;
	return 1;
}

#endif
