"""pypdf: build PDFs (pages, metadata, outlines, annotations), write, read back, merge."""

import hashlib
import io

from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText
from pypdf.generic import NameObject, NumberObject

for step in range(40):
    writer = PdfWriter()
    for p in range(12 + step % 5):
        page = writer.add_blank_page(width=200 + p, height=300)
        page[NameObject("/Rotate")] = NumberObject(90 * (p % 4))
        writer.add_annotation(p, FreeText(text=f"note {step}.{p}", rect=(10, 10, 90, 40)))
        writer.add_outline_item(title=f"Chapter {p}", page_number=p)
    writer.add_metadata({"/Title": f"Doc {step}", "/Producer": "drv", "/CreationDate": "D:2020"})
    writer.encrypt("user", "owner", algorithm="RC4-128") if step % 3 == 0 else None
    buffer = io.BytesIO()
    writer.write(buffer)
    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    if reader.is_encrypted:
        reader.decrypt("user")
    merged = PdfWriter()
    merged.append(reader, pages=(0, len(reader.pages), 2))
    out = io.BytesIO()
    merged.write(out)
    rotations = sum(page.rotation for page in reader.pages)
    print(f"step {step}: pages {len(reader.pages)} outline {len(reader.outline)} "
          f"title {reader.metadata.title} rot {rotations} merged {len(merged.pages)} "
          f"annots {sum(len(p.get('/Annots', [])) for p in reader.pages)} "
          f"plain {'' if step % 3 == 0 else hashlib.md5(buffer.getvalue()).hexdigest()[:8]}",
          flush=True)
print("done", flush=True)
