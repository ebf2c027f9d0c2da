/**
 * Hand-written reading of the results, inserted into docs/benchmarks/routing.md after the bar.
 * The routing numbers are virtual time and deterministic for the seed, so they are quoted here;
 * wall-clock numbers are not (see the speed table, regenerated on every run).
 */
export const NOTES = `## Reading
- **Shared prefix: cache-aware is 20-36x ahead of least-load at TTFT p90** (16-24 ms against 318-883 ms). Least-load
  spreads each application over all 8 workers, so each worker would have to cache all 64 system prompts (512K
  tokens) in 396K tokens of KV: LRU keeps about two thirds (65-67% hits) and about a third of the requests pay an
  8K-token prefill (~0.3 s, more when prefills queue). Cache-aware partitions the applications, so the fleet's
  3.2M tokens of KV hold every prompt once or twice: 93-94% hits against an ideal of 95.7% (each application's first
  request is necessarily cold), and p90 is a warm request. Round-robin and random do no better than least-load.
- **Multi-turn: 3.4-3.6x at p90** (31 ms against 104-113 ms), 83% hits against 50%: the worker that served turn k
  holds turn k+1's history. Least-load still gets ~50% from the 4 shared 1K system prompts and chance.
- **No sharing: a tie** (0.98-1.01x). With nothing cached, prefix overlap is 0 everywhere and cache-aware falls back
  to its load scorer, i.e. to least-load; it costs nothing where it cannot help. Round-robin is ~15% better at p90
  at 40 req/s (136 against 164 ms), also with kv-pressure switched off (159 ms). Our reading: a lease counts a
  request that is decoding the same as one still prefilling 4K tokens, so least-load can stack a new prefill on a
  worker whose short requests just ended while it still prefills, where round-robin spaces prefills evenly. A load
  signal in queued prefill tokens would serve both least-load and cache-aware; it needs the scheduler to track
  prompt lengths per lease (not done here). Random is worst at high rate.
- **Mooncake: 1.9-3.0x at p90**, 57-63% hits against 12-15% (ideal 66.5% for this sample). Its p90 stays around
  1 s even for cache-aware and the oracle: the trace's long first turns (15K tokens on average, up to 128K) are
  cold anywhere.
- **Cache-aware equals the oracle** (1.00x everywhere, bar met). In this simulator the directory is fed in order and
  without loss, 2 ms after each engine step, so by the time a request is routed its view equals the block pools.
  Slowing the feed to 100 ms or 1 s changes TTFT p90 by at most 2 ms here (table below): only a repeat of a prefix
  within the lag window after its first computation is misrouted, and that is rare in these workloads. Where the
  two would part is a lossy feed (the applier then forgets the worker until it re-announces, see kv-directory) and
  requests that arrive while their prefix is still being prefilled elsewhere: neither the directory nor this oracle
  (which reads committed blocks) knows of those; the ideal-hit gaps above (about 2 points on shared-prefix, 4-9 on
  Mooncake, which also include evictions) bound what tracking in-flight routes could add.
- **Weights** (table below). The preset (prefix-overlap 2, load 1, kv-pressure 0.5) was kept. Any overlap weight from
  0.5 to 4 makes the same decisions here: a worker holding the prefix wins until the has-free-slot gate removes it
  (128 leases), then the request spills to the least-loaded worker, which caches the prefix too, so hot prefixes
  replicate on demand. Loads stay far below 128 leases at these rates, so the load score moves by a few hundredths
  and only a weight that small (0.05) lets load outvote a cached prefix: shared-prefix p90 then jumps from 24 to
  339 ms and Mooncake hits fall from 61.9% to 56.4%. No run showed hot-spotting, because the slot gate caps each
  worker; a finer load signal (queued prefill tokens rather than leases) is the next step if one appears.`;
