"""The named queries in `queries/*.rq`: metadata headers, typed parameters, safe binding.

May import: `ctgraph.graph`, `ctgraph.sparql`.
"""
