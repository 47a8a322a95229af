"""logging's configuration travels: after a restore, log lines vanished or went to stderr
in the default format. A basicConfig with a format, a named logger with its own level,
a handler writing to a StringIO with a filter, a file handler appending to a log file,
a LoggerAdapter (3.13 added merge_extra), and logging.disable."""
import io
import logging
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
log_path = os.path.join(here, "app.log")
if os.path.exists(log_path):
    os.remove(log_path)
logging.basicConfig(stream=sys.stdout, level=logging.INFO,
                    format="%(levelname)s %(name)s: %(message)s")
app = logging.getLogger("app")
app.setLevel(logging.DEBUG)
memory = io.StringIO()
captured = logging.StreamHandler(memory)
captured.setFormatter(logging.Formatter("[%(name)s] %(message)s"))


class OnlyEven(logging.Filter):
    def filter(self, record):
        return record.args[0] % 2 == 0 if record.args else True


captured.addFilter(OnlyEven())
app.addHandler(captured)
to_file = logging.FileHandler(log_path)
to_file.setFormatter(logging.Formatter("%(levelname)s|%(message)s"))
logging.getLogger("app.db").addHandler(to_file)
quiet = logging.getLogger("noisy")
quiet.setLevel(logging.ERROR)
adapter = logging.LoggerAdapter(logging.getLogger("app.db"), {"conn": 7})
for i in range(4):
    app.debug("step %d", i)
    quiet.warning("not shown %d", i)
    adapter.info("query %d", i)  #@capture 3
    if i == 2:
        logging.disable(logging.INFO)
    print("memory", memory.getvalue().count("\n"), flush=True)
logging.disable(logging.NOTSET)
to_file.flush()
with open(log_path) as handle:
    print(handle.read(), end="", flush=True)
