"""yapf: reformat generated, badly formatted Python modules in several styles."""

import hashlib
import random

from yapf.yapflib.yapf_api import FormatCode

rng = random.Random(83)
SNIPPETS = [
    "def f{n}( a,b = 1,*args,**kw ):\n  return [x*a for x in args if x] + [ b ]\n",
    "class K{n} ( object ) :\n  def m( self ) : return {{ 'a':1,'b' : [1,2,3] }}\n",
    "x{n} = (1+2)*3 - func( arg1,arg2, keyword = value, other=[ 1,2,3,4,5,6,7,8,9,10,11,12] )\n",
    "if a{n} and b or not c:\n      print( 'yes' ) ; print('no')\n",
    "for i{n} in range( 10 ):\n    while True :\n         break\n",
    "d{n} = {{ 'key%d' % i : i**2 for i in range(100) if i%3==0 }}\n",
]
styles = ["pep8", "google", "facebook", "yapf"]
for step in range(12):
    source = "".join(rng.choice(SNIPPETS).format(n=i) for i in range(14))
    style = styles[step % len(styles)]
    formatted, changed = FormatCode(source, style_config=style)
    again, changed_again = FormatCode(formatted, style_config=style)
    print(f"step {step}: {style} {len(source)} -> {len(formatted)} changed {changed} "
          f"stable {not changed_again} {hashlib.md5(formatted.encode()).hexdigest()[:12]}",
          flush=True)
print(formatted.splitlines()[0], flush=True)
