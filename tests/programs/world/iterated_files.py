"""Files read by ``for line in f`` (universal newlines, and newline="" keeping \r\n), a
csv.reader and a csv.DictReader over files, and a csv.writer: they go on from the line
they had reached, and the readers report the same line numbers."""
import csv
import io
import os

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "work")
os.makedirs(here, exist_ok=True)
table, text = os.path.join(here, "data.csv"), os.path.join(here, "plain.txt")
with open(table, "w", newline="") as out:
    writer = csv.writer(out)
    writer.writerow(["n", "name", "note"])
    for i in range(30):
        writer.writerow([i, f"item {i}", "multi\nline" if i % 7 == 0 else "x,y"])
with open(text, "w", encoding="utf-8", newline="") as out:
    for i in range(25):
        out.write(f"line {i} é" + ("\r\n" if i % 3 else "\n"))
universal = open(text, encoding="utf-8")
kept = open(text, encoding="utf-8", newline="")
rows = csv.DictReader(open(table, newline=""))
records = csv.reader(open(table, newline=""))
report = io.StringIO()
summary = csv.writer(report, delimiter=";")
for i, (a, b, row, raw) in enumerate(zip(universal, kept, rows, records)):
    print(i, repr(a), repr(b), row, raw, rows.line_num, records.line_num, flush=True)  #@capture 9
    summary.writerow([i, row["name"], len(raw)])
print(report.getvalue(), flush=True)
