"""ecdsa: deterministic (RFC 6979) signatures on several curves, verified and recovered."""

import hashlib

from ecdsa import BadSignatureError, NIST256p, SECP256k1, SigningKey, VerifyingKey
from ecdsa.util import sigdecode_der, sigencode_der

curves = [SECP256k1, NIST256p]
for step in range(60):
    curve = curves[step % 2]
    secret = int.from_bytes(hashlib.sha256(f"key {step}".encode()).digest(), "big") % curve.order
    sk = SigningKey.from_secret_exponent(secret or 1, curve=curve, hashfunc=hashlib.sha256)
    vk = sk.get_verifying_key()
    message = f"message number {step}".encode() * (step + 1)
    sig = sk.sign_deterministic(message, sigencode=sigencode_der)
    ok = vk.verify(sig, message, sigdecode=sigdecode_der)
    try:
        vk.verify(sig, message + b"!", sigdecode=sigdecode_der)
        forged = True
    except BadSignatureError:
        forged = False
    again = VerifyingKey.from_string(vk.to_string("compressed"), curve=curve)
    keys = VerifyingKey.from_public_key_recovery(sig, message, curve, hashfunc=hashlib.sha256,
                                                 sigdecode=sigdecode_der)
    found = any(k.to_string() == vk.to_string() for k in keys)
    print(f"step {step}: {curve.name} sig {sig.hex()[:24]} ok {ok} forged {forged} "
          f"compressed {again == vk} recovered {found} pem {len(sk.to_pem())}", flush=True)
print("done", flush=True)
