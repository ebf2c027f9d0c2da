"""Per-tenant totals of infermesh's rated usage, read from Kafka by a consumer that is not TypeScript.

It reads every partition of `infermesh.rated-usage.v1` from its earliest offset up to the end
offsets (high watermarks) it sees at start, decodes each value as an `infermesh.events.v1.Envelope`
whose payload is `usage_rated` (classes generated from proto/ by proto_gen.py, never committed), and
prints one JSON object on stdout:

  {"topic": ..., "records": N, "duplicates": D, "skipped": S, "complete": true,
   "tenants": {"<tenant id>": {"requests": "3", "prompt_tokens": "...", "cached_prompt_tokens": "...",
                                "completion_tokens": "...", "amount_micros": "..."}}}

Integers are decimal strings (the proto3 JSON mapping of 64-bit integers: exact in any language).
A line is counted once per `source_event_id`: billing may publish a line again after a crash, with
identical bytes, so a repeat is counted in `duplicates` and not in the totals. Records of another
type (or undecodable ones) are counted in `skipped`. `complete` is false when the run stopped
because nothing arrived for --idle-ms before every partition reached its end offset.
It joins no consumer group and commits nothing: it assigns partitions itself.

Exit status: 0 with the JSON; 1 on a Kafka or setup error (message on stderr); 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

# No __pycache__ next to the sources: the repository does not ignore it.
sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import proto_gen  # noqa: E402

TOPIC = "infermesh.rated-usage.v1"
FIELDS = ("requests", "prompt_tokens", "cached_prompt_tokens", "completion_tokens", "amount_micros")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--brokers", required=True, help="bootstrap brokers, comma-separated host:port")
    p.add_argument("--topic", default=TOPIC)
    p.add_argument("--idle-ms", type=int, default=5000, help="stop when nothing arrives for this long")
    p.add_argument("--timeout-ms", type=int, default=60000, help="give up (exit 1) after this long")
    return p.parse_args(argv)


def end_offsets(consumer, topic: str, timeout_s: float):
    """[(partition, low, high)] as the brokers report them now; [] when the topic does not exist."""
    from confluent_kafka import TopicPartition

    meta = consumer.list_topics(topic, timeout=timeout_s)
    tmeta = meta.topics.get(topic)
    if tmeta is None or tmeta.error is not None and tmeta.error.code() == tmeta.error.UNKNOWN_TOPIC_OR_PART:
        return []
    if tmeta.error is not None:
        raise RuntimeError(f"metadata for {topic}: {tmeta.error}")
    out = []
    for p in sorted(tmeta.partitions):
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout_s)
        out.append((p, low, high))
    return out


def totals(args: argparse.Namespace) -> dict:
    proto_gen.ensure()
    from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
    from infermesh.events.v1 import events_pb2

    deadline = time.monotonic() + args.timeout_ms / 1000
    consumer = Consumer({
        "bootstrap.servers": args.brokers,
        "group.id": "infermesh-rated-usage-totals",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "earliest",
        "socket.connection.setup.timeout.ms": 5000,
        "log_level": 3,
    })
    tenants: dict[str, dict[str, int]] = {}
    seen: set[str] = set()
    records = duplicates = skipped = 0
    complete = True
    try:
        parts = end_offsets(consumer, args.topic, max(1.0, deadline - time.monotonic()))
        highs = {p: high for p, _, high in parts}
        remaining = {p: high for p, low, high in parts if high > low}
        if remaining:
            consumer.assign([TopicPartition(args.topic, p, low) for p, low, high in parts if high > low])
        last_progress = time.monotonic()
        while remaining:
            now = time.monotonic()
            if now > deadline:
                raise RuntimeError(f"timed out after {args.timeout_ms} ms with partitions {sorted(remaining)} unread")
            if (now - last_progress) * 1000 > args.idle_ms:
                complete = False
                break
            msg = consumer.poll(0.2)
            if msg is None:
                continue
            if msg.error() is not None:
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    continue
                raise KafkaException(msg.error())
            last_progress = time.monotonic()
            p, offset = msg.partition(), msg.offset()
            if offset >= highs.get(p, 0):
                continue
            if offset + 1 >= highs[p]:
                remaining.pop(p, None)
            records += 1
            env = events_pb2.Envelope()
            try:
                env.ParseFromString(msg.value() or b"")
            except Exception:  # a value that is not an Envelope is not rated usage
                skipped += 1
                continue
            if env.WhichOneof("payload") != "usage_rated":
                skipped += 1
                continue
            line = env.usage_rated
            if line.source_event_id in seen:
                duplicates += 1
                continue
            seen.add(line.source_event_id)
            tenant = env.tenant_id or (msg.key() or b"").decode()
            t = tenants.setdefault(tenant, dict.fromkeys(FIELDS, 0))
            t["requests"] += 1
            t["prompt_tokens"] += line.usage.prompt_tokens
            t["cached_prompt_tokens"] += line.usage.cached_prompt_tokens
            t["completion_tokens"] += line.usage.completion_tokens
            t["amount_micros"] += line.amount_micros
    finally:
        consumer.close()
    return {
        "topic": args.topic,
        "records": records,
        "duplicates": duplicates,
        "skipped": skipped,
        "complete": complete,
        "tenants": {k: {f: str(v[f]) for f in FIELDS} for k, v in sorted(tenants.items())},
    }


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        result = totals(args)
    except Exception as err:  # reported plainly; the caller decides
        print(f"rated_usage_totals: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
