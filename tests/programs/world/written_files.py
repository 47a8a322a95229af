"""Files open for writing ("w", "wb", "r+", text and binary, one seeked back): written out
at the capture, opened again on the target without truncating them, at their position,
in their mode."""
import os

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "work")
os.makedirs(here, exist_ok=True)
text = open(os.path.join(here, "report.txt"), "w", encoding="utf-8")
binary = open(os.path.join(here, "samples.bin"), "wb")
with open(os.path.join(here, "table.txt"), "w") as out:
    out.write("0000000000\n" * 4)
patched = open(os.path.join(here, "table.txt"), "r+")
for i in range(4):
    text.write(f"step {i} é\n")
    binary.write(bytes([i]) * 3)
    patched.seek(11 * i)
    patched.write(f"{i:010d}")
    print(i, text.tell(), binary.tell(), text.mode, binary.mode, patched.mode,
          os.path.basename(text.name), flush=True)  #@capture 2
text.close(), binary.close(), patched.close()
for name in ("report.txt", "samples.bin", "table.txt"):
    with open(os.path.join(here, name), "rb") as handle:
        print(name, handle.read(), flush=True)
