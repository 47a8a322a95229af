"""What a program knows about how it was started: argv, sys.path[0], __file__, __name__."""
#@args one two "three four"
import os
import sys

print("argv", sys.argv[1:])
print("name", __name__, os.path.basename(__file__))
print("path0 is the script dir", sys.path[0] == os.path.dirname(os.path.abspath(__file__)))
for arg in sys.argv[1:]:
    print("arg", arg)  #@capture 2
print("main module", sys.modules["__main__"].__dict__ is globals())
