"""The process around the program: its working directory, environment, sys.path, umask,
warnings filters, recursion limit, int digit limit and sys.modules blockers (also of a
module framemig itself had loaded with the C pickle) all travel
(each was lost: the restored program ran in the old folder, without its variables, and
wrote the wrong file)."""
import os
import sys
import warnings

here = os.path.dirname(os.path.abspath(__file__))
os.makedirs(os.path.join(here, "work"), exist_ok=True)
os.chdir(os.path.join(here, "work"))
os.environ["APP_MODE"] = "fast"
os.environ.pop("FRAMEMIG_TEST_DROPPED", None)
sys.path.append(os.path.join(here, "extra"))
sys.setrecursionlimit(3000)
os.umask(0o027)
warnings.simplefilter("error", UserWarning)
sys.modules["csv"] = None
sys.modules["_pickle"] = None  # the pure-Python pickle, even where framemig loaded the C one
import pickle  # noqa: E402
sys.set_int_max_str_digits(5000)
for i in range(3):
    mask = os.umask(0o027)
    print(i, os.path.basename(os.getcwd()), os.environ.get("APP_MODE"),
          "FRAMEMIG_TEST_DROPPED" in os.environ, os.environ.get("FRAMEMIG_TEST_KEPT"),
          sys.getrecursionlimit() >= 3000, oct(mask), sys.get_int_max_str_digits(),
          pickle.Pickler.__module__, flush=True)  #@capture 2
    try:
        warnings.warn("careful")
        print(i, "warning printed", flush=True)
    except UserWarning:
        print(i, "warning raised", flush=True)
    try:
        import csv  # noqa: F401
        print(i, "csv imported", flush=True)
    except ImportError as exc:
        print(i, "csv blocked:", exc, flush=True)
    with open(f"out{i}.txt", "w") as handle:
        handle.write("x")
    print(i, sorted(f for f in os.listdir(".") if f.startswith("out")), flush=True)
import late_helper  # noqa: E402
print(late_helper.VALUE, flush=True)
