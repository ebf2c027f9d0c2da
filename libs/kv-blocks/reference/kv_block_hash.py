# infermesh KV block hash (scheme infermesh-kv-v2), Python standard library only.
# Kept verbatim in libs/kv-blocks/README.md; src/block-hash.unit.spec.ts runs this file.
import hashlib, json, struct, sys

def head(major, n):
    if n < 24: return bytes([major << 5 | n])
    if n < 0x100: return bytes([major << 5 | 24, n])
    if n < 0x10000: return bytes([major << 5 | 25]) + struct.pack('>H', n)
    return bytes([major << 5 | 26]) + struct.pack('>I', n)

def cbor(x):  # the items the scheme uses: None, bytes, str, int >= 0, list
    if x is None: return b'\xf6'
    if isinstance(x, bytes): return head(2, len(x)) + x
    if isinstance(x, str): return head(3, len(x.encode())) + x.encode()
    if isinstance(x, int): return head(0, x)
    return head(4, len(x)) + b''.join(cbor(v) for v in x)

def block_keys(tokens, block_size, salt, extra=None):
    h = hashlib.sha256(cbor(['infermesh-kv-v2', salt])).digest()
    keys = []
    for i in range(len(tokens) // block_size):
        h = hashlib.sha256(cbor([h, tokens[i * block_size:(i + 1) * block_size], extra or None])).digest()
        keys.append(int.from_bytes(h[:8], 'big'))
    return keys

if __name__ == '__main__':
    cases = json.load(sys.stdin)
    print(json.dumps([[str(k) for k in block_keys(c['tokens'], c['blockSize'], c['salt'], c.get('extra'))] for c in cases]))
