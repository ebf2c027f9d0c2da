"""Reference token ids for the tokenizer parity test (src/parity/parity.int.spec.ts).

Reads one JSON job on stdin and writes one JSON answer on stdout, so the test runs a single
Python process for the whole corpus and every model. Runs in the venv that
tools/scripts/ensure-python-refs.sh provisions (pinned `tokenizers`, `tiktoken`, `transformers`).

Job: {"texts": [...], "chats": [{"messages": [...], "tools": [...]?, "add_generation_prompt": bool}],
      "models": [{"id", "kind": "hf", "tokenizer_file", "config_file", "bos": str|null}
                 | {"id", "kind": "tiktoken", "encoding"}]}
Answer: {"versions": {...}, "models": {id: {"texts": [[ids]], "chats": [{"text", "ids"} | {"error"}]?,
         "default_adds_bos": bool?}}}

Raw text is encoded as user text: no special token is recognised (`encode_special_tokens=True`
for `tokenizers`, `encode_ordinary` for tiktoken), and the catalogue's BOS, if any, is prepended.
Lone surrogates: tiktoken replaces each by U+FFFD itself; `tokenizers` cannot take them (PyO3
raises), so they are replaced the same way (tiktoken's own expression) before encoding.
Chat templates are rendered by transformers' `apply_chat_template` with the template string
of the package's tokenizer_config.json and its bos/eos tokens, and `tools` as given (OpenAI-shaped
dicts); the rendered text is then encoded with special tokens recognised, as transformers does. A
template that raises gives {"error": message} for that chat. tiktoken reads its rank files from
TIKTOKEN_CACHE_DIR (the test places them there) and verifies OpenAI's SHA-256 before use.
"""
import json
import re
import sys

import tiktoken
import tokenizers
from tokenizers import Tokenizer

SURROGATE = re.compile("[\ud800-\udfff]")


def well_formed(text):
    if SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def hf_model(spec, texts, chats):
    tok = Tokenizer.from_file(spec["tokenizer_file"])
    with open(spec["config_file"], encoding="utf-8") as f:
        cfg = json.load(f)
    bos = spec.get("bos")
    prefix = [tok.token_to_id(bos)] if bos else []
    fixed = [well_formed(t) for t in texts]
    default = tok.encode_batch(fixed[:20])
    tok.encode_special_tokens = True
    plain = tok.encode_batch(fixed, add_special_tokens=False)
    out = {"texts": [prefix + e.ids for e in plain]}
    out["default_adds_bos"] = all(d.ids == prefix + p.ids for d, p in zip(default, plain))
    if chats:
        out["chats"] = render_chats(spec, cfg, chats)
    return out


def render_chats(spec, cfg, chats):
    import transformers
    from transformers import PreTrainedTokenizerFast

    hf = PreTrainedTokenizerFast(tokenizer_file=spec["tokenizer_file"], bos_token=cfg.get("bos_token"), eos_token=cfg.get("eos_token"))
    rendered = []
    for chat in chats:
        try:
            text = hf.apply_chat_template(
                chat["messages"], tools=chat.get("tools"), chat_template=cfg["chat_template"], tokenize=False,
                add_generation_prompt=chat["add_generation_prompt"],
            )
        except Exception as err:  # the template's own raise_exception (TemplateError) or a render failure
            rendered.append({"error": str(err)})
            continue
        ids = hf.backend_tokenizer.encode(text, add_special_tokens=False).ids if hasattr(hf, "backend_tokenizer") else hf.encode(text, add_special_tokens=False)
        rendered.append({"text": text, "ids": ids})
    VERSIONS["transformers"] = transformers.__version__
    return rendered


def tiktoken_model(spec, texts):
    enc = tiktoken.get_encoding(spec["encoding"])
    return {"texts": enc.encode_ordinary_batch(texts, num_threads=2)}


VERSIONS = {"tokenizers": tokenizers.__version__, "tiktoken": tiktoken.__version__, "python": sys.version.split()[0]}


def main():
    job = json.loads(sys.stdin.buffer.read().decode("utf-8", "surrogatepass"))
    answer = {"models": {}}
    for spec in job["models"]:
        if spec["kind"] == "hf":
            answer["models"][spec["id"]] = hf_model(spec, job["texts"], job.get("chats") or [])
        else:
            answer["models"][spec["id"]] = tiktoken_model(spec, job["texts"])
    answer["versions"] = VERSIONS
    sys.stdout.write(json.dumps(answer, ensure_ascii=True))


main()
