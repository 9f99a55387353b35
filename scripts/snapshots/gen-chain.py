"""Writes a heap snapshot holding a linked list to stdout.

    python3 gen-chain.py N

(root) → (GC roots) → global, and global → Link → Link → … by `.next`,
N links of 32 bytes with object ids 7, 9, 11, … so that a longer list is a
later snapshot of the same process. Every link has its own retainer path,
one step longer than the last: the shape that makes per-object path work
quadratic.
"""
import json
import sys

META = {
    "node_fields": ["type", "name", "id", "self_size", "edge_count", "trace_node_id", "detachedness"],
    "node_types": [["hidden", "array", "string", "object", "code", "closure", "regexp", "number",
                    "native", "synthetic", "concatenated string", "sliced string", "symbol",
                    "bigint", "object shape"],
                   "string", "number", "number", "number", "number", "number"],
    "edge_fields": ["type", "name_or_index", "to_node"],
    "edge_types": [["context", "element", "property", "internal", "hidden", "shortcut", "weak"],
                   "string_or_number", "node"],
    "location_fields": ["object_index", "script_id", "line", "column"],
}
NODE_FIELDS = 7


def main():
    n = int(sys.argv[1])
    out = sys.stdout
    out.write('{"snapshot":{"meta":%s,"node_count":%d,"edge_count":%d},\n'
              % (json.dumps(META), n + 3, n + 3))
    # synthetic (root), synthetic (GC roots), object global, then the links.
    nodes = ["9,0,1,0,2,0,0", "9,1,3,0,1,0,0", "3,2,5,40,1,0,0"]
    nodes += ["3,3,%d,32,%d,0,0" % (7 + 2 * i, 1 if i + 1 < n else 0) for i in range(n)]
    out.write('"nodes":[' + ",\n".join(nodes) + "],\n")
    # root: element → (GC roots), shortcut .next → global; (GC roots):
    # element → global; global .next → first link; each link .next → next.
    edges = ["1,1,7", "5,4,14", "1,1,14", "2,4,21"]
    edges += ["2,4,%d" % ((4 + i) * NODE_FIELDS) for i in range(n - 1)]
    out.write('"edges":[' + ",\n".join(edges) + "],\n")
    out.write('"locations":[],\n"strings":["","(GC roots)","global / ","Link","next"]}\n')


main()
