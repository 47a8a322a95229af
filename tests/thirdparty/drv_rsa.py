"""rsa + pyasn1: fixed keys, PKCS#1 v1.5 signatures, key (de)serialisation, blinded decryption."""

import hashlib

import rsa
import rsa.pem
from pyasn1.codec.der import decoder, encoder
from pyasn1.type import namedtype, univ


def key_from(seed, bits=512):
    """A deterministic key: primes found by a pure-Python Miller-Rabin from a seeded start."""
    def prime_near(x):
        x |= 1
        while not rsa.prime.is_prime(x):
            x += 2
        return x
    h = int.from_bytes(hashlib.sha512(seed).digest() * (bits // 512 + 1), "big")
    p = prime_near((h >> 7) % (1 << (bits // 2)) | (1 << (bits // 2 - 1)))
    q = prime_near((h >> 300) % (1 << (bits // 2)) | (1 << (bits // 2 - 1)))
    n, e = p * q, 65537
    d = rsa.common.inverse(e, (p - 1) * (q - 1))
    return rsa.PublicKey(n, e), rsa.PrivateKey(n, e, d, p, q)


class Record(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("id", univ.Integer()),
        namedtype.NamedType("digest", univ.OctetString()),
        namedtype.NamedType("tags", univ.SequenceOf(componentType=univ.Integer())),
    )


for step in range(24):
    pub, priv = key_from(f"seed {step}".encode())
    message = f"payload {step} ".encode() * 10
    signature = rsa.sign(message, priv, "SHA-256")
    method = rsa.verify(message, signature, pub)
    pem = priv.save_pkcs1()
    loaded = rsa.PrivateKey.load_pkcs1(pem)
    der = pub.save_pkcs1("DER")
    record = Record()
    record["id"] = step
    record["digest"] = hashlib.sha1(signature).digest()
    for t in range(step % 5 + 1):
        record["tags"].append(t * step)
    encoded = encoder.encode(record)
    decoded, rest = decoder.decode(encoded, asn1Spec=Record())
    print(f"step {step}: n {pub.n.bit_length()} bits sig {signature.hex()[:20]} {method} "
          f"pem {len(pem)} same {loaded == priv} der {len(der)} asn1 {encoded.hex()[:30]} "
          f"tags {list(decoded['tags'])} rest {len(rest)}", flush=True)
print("done", flush=True)
