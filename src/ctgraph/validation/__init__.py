"""SHACL validation: the report model (`report`), the pyshacl run (`shacl`), the compiled
engine for large graphs (`compiled`, SHACL as SPARQL on pyoxigraph, same reports) and the
report writers (`writers`). Writers and the runs import the model, never each other.

May import: `ctgraph.graph`.
"""
