"""pyfiglet: render banners in many FIGlet fonts."""

import hashlib

import pyfiglet

fonts = ["standard", "slant", "banner3", "big", "doom", "small", "shadow", "block", "bubble",
         "digital", "lean", "mini", "script", "starwars", "isometric1", "larry3d"]
words = ["Hello", "framemig", "Migrate!", "CPython 3", "0123456789", "snapshot"]
for step in range(240):
    font = fonts[step % len(fonts)]
    text = words[step % len(words)]
    figlet = pyfiglet.Figlet(font=font, width=120)
    art = figlet.renderText(text)
    lines = art.splitlines()
    print(f"step {step}: {font} {text!r} {len(lines)}x{max(map(len, lines), default=0)} "
          f"{hashlib.md5(art.encode()).hexdigest()[:12]}", flush=True)
    if step % 40 == 0:
        print(art.rstrip("\n"), flush=True)
print("done", flush=True)
