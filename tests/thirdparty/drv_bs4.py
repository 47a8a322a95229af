"""Beautiful Soup + soupsieve: scrape generated pages with html.parser and CSS selectors."""

import random

from bs4 import BeautifulSoup

rng = random.Random(53)


def page(n):
    rows = "".join(
        f"<tr class='{rng.choice(['odd', 'even'])}'><td class=name>item {i}</td>"
        f"<td class=price data-cur=eur>{rng.randint(1, 999) / 10}</td>"
        f"<td><a href='/p/{i}?ref={n}'>link</a></td></tr>" for i in range(60))
    items = "".join(f"<li id=li{i}><span>{rng.choice(['new', 'old', 'hot'])}</span></li>"
                    for i in range(40))
    return (f"<html><head><title>Shop {n}</title></head><body><div id=main>"
            f"<table id=t>{rows}</table><ul class=tags>{items}</ul>"
            f"<p>Note <b>bold</b> and <i>it</i><!-- c --></p></div></body></html>")


for step in range(30):
    soup = BeautifulSoup(page(step), "html.parser")
    prices = [float(td.get_text()) for td in soup.select("tr.odd td.price[data-cur=eur]")]
    links = [a["href"] for a in soup.select("#t a[href^='/p/']")]
    hot = len(soup.select("ul.tags > li:has(span:-soup-contains('hot'))"))
    nth = [li["id"] for li in soup.select("li:nth-child(7n+1)")]
    soup.find("p").b.replace_with(soup.new_tag("strong"))
    for tr in soup.find_all("tr", class_="even")[:5]:
        tr.decompose()
    text = soup.get_text(" ", strip=True)
    print(f"step {step}: {soup.title.string} odd {len(prices)} sum {sum(prices):.1f} "
          f"links {len(links)} hot {hot} nth {nth} rows {len(soup.find_all('tr'))} "
          f"text {len(text)} {soup.p}", flush=True)
print("done", flush=True)
