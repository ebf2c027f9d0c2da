"""Encode-throughput timing of the Python reference tokenizers (tools/bench tokenizer benchmark).

A line protocol, so the caller can interleave Python passes with its own, pass by pass:
stdin line 1: {"texts": [...], "models": [{"id", "kind": "hf", "tokenizer_file"}
              | {"id", "kind": "tiktoken", "encoding"}]}
stdout line 1: {"versions": {...}, "counts": {id: [tokens per text]}} (an untimed pass, also warmup)
then per stdin line holding a model id: one stdout line with the ns of one timed pass over all texts.
Only the encode loop is timed (perf_counter_ns), one text per call, one thread (the caller sets
RAYON_NUM_THREADS=1). Raw text, no special tokens recognised or added: `encode_special_tokens=True`
and `add_special_tokens=False` for tokenizers, `encode_ordinary` for tiktoken.
"""
import json
import sys
import time

import tiktoken
import tokenizers
from tokenizers import Tokenizer


def encoder(spec):
    if spec["kind"] == "hf":
        tok = Tokenizer.from_file(spec["tokenizer_file"])
        tok.encode_special_tokens = True
        return lambda t: tok.encode(t, add_special_tokens=False).ids
    return tiktoken.get_encoding(spec["encoding"]).encode_ordinary


def timed_pass(encode, texts):
    start = time.perf_counter_ns()
    for t in texts:
        encode(t)
    return time.perf_counter_ns() - start


def main():
    job = json.loads(sys.stdin.readline())
    texts = job["texts"]
    encoders = {spec["id"]: encoder(spec) for spec in job["models"]}
    counts = {mid: [len(enc(t)) for t in texts] for mid, enc in encoders.items()}
    versions = {"tokenizers": tokenizers.__version__, "tiktoken": tiktoken.__version__, "python": sys.version.split()[0]}
    print(json.dumps({"versions": versions, "counts": counts}), flush=True)
    for line in sys.stdin:
        print(timed_pass(encoders[line.strip()], texts), flush=True)


main()
