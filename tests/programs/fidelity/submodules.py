"""A submodule the program imported travels with the name it was imported by: importing
the package alone does not make ``email.mime`` (chess.pgn)."""
import email
import email.mime.text
import xml.dom.minidom

for i in range(3):
    print(i, email.mime.text.MIMEText("hi")["Content-Type"], flush=True)  #@capture 2
    print(xml.dom.minidom.parseString("<a/>").documentElement.tagName, flush=True)
