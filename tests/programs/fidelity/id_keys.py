"""Objects known by their id(): a visitor keeping its results in a dict keyed by
``id(node)`` and a set of ids (lark's forest visitor), and ``copy.deepcopy``, whose memo
is keyed by ids, captured while it copies, inside the visit; a deque of ids. The restored objects live at
other addresses: the keys must follow them."""
import collections
import copy


class Node:
    def __init__(self, value, kids=()):
        self.value = value
        self.kids = list(kids)

    def __deepcopy__(self, memo):
        twin = Node(self.value * 10)  #@capture 4
        memo[id(self)] = twin
        twin.kids = [copy.deepcopy(kid, memo) for kid in self.kids]
        return twin


shared = Node(1)
tree = Node(5, [Node(2, [shared]), Node(3, [shared]), shared])
data = {}
seen = set()
copies = []
path = collections.deque()  # ids in a deque (lark's node_stack)


def visit(node):
    seen.add(id(node))
    path.append(id(node))
    data[id(node)] = [node.value]
    for kid in node.kids:
        if id(kid) not in seen:
            visit(kid)
    if node.value == 3:
        copies.append(copy.deepcopy([tree, shared]))
    total = node.value + sum(data[id(kid)][0] for kid in node.kids)
    data[path.pop()][0] = total
    return total


print("visit", visit(tree), len(seen), flush=True)
twin = copies[0]
print("copy", twin[0].value, twin[0].kids[2] is twin[1], twin[0].kids[1].kids[0] is twin[1],
      flush=True)
print("again", visit(twin[0]), len(seen), sorted(v[0] for v in data.values())[-3:], flush=True)
