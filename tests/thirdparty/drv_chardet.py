"""chardet: detect the encodings of generated texts."""

import random

import chardet

rng = random.Random(9)
samples = {
    "utf-8": "Grüße aus Köln, naïve café — ",
    "latin-1": "Grüße aus Köln, naïve café déjà vu ",
    "cp1251": "Привет мир, это проверка кодировки текста ",
    "shift_jis": "こんにちは世界、文字コードの判定 ",
    "euc-kr": "안녕하세요 세계 인코딩 감지 ",
    "gb2312": "你好世界，编码检测测试 ",
    "iso-8859-7": "Γειά σου κόσμε δοκιμή ",
}
for step in range(40):
    name = sorted(samples)[step % len(samples)]
    words = samples[name].split()
    text = " ".join(rng.choice(words) for _ in range(60 + step * 5))
    data = text.encode(name)
    guess = chardet.detect(data)
    detector = chardet.UniversalDetector()
    for i in range(0, len(data), 64):
        detector.feed(data[i:i + 64])
    detector.close()
    print(f"step {step}: {name} -> {guess['encoding']} {guess['confidence']:.3f} "
          f"stream {detector.result['encoding']}", flush=True)
print("done", flush=True)
