"""networkx: random graphs, shortest paths, flows, centrality and colouring."""

import networkx as nx

total = 0
for step in range(30):
    g = nx.gnm_random_graph(70, 260, seed=step)
    for u, v in g.edges:
        g.edges[u, v]["weight"] = (u * 7 + v * 13 + step) % 17 + 1
    lengths = dict(nx.all_pairs_dijkstra_path_length(g))
    diameter = max(max(d.values()) for d in lengths.values())
    flow = nx.maximum_flow_value(g, 0, 69, capacity="weight")
    bc = nx.betweenness_centrality(g, normalized=True)
    hub = max(sorted(bc), key=lambda n: bc[n])
    colours = nx.greedy_color(g, strategy="largest_first")
    tree = nx.minimum_spanning_tree(g)
    cycles = len(nx.cycle_basis(g))
    weight = sum(d["weight"] for _, _, d in tree.edges(data=True))
    total += flow + weight
    print(f"step {step}: diameter {diameter} flow {flow} hub {hub} {bc[hub]:.6f} "
          f"colours {max(colours.values()) + 1} mst {weight} cycles {cycles}", flush=True)
print("total", total, flush=True)
