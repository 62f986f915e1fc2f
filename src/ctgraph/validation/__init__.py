"""SHACL validation: the report model (`report`), the pyshacl run (`shacl`) and the report
writers (`writers`). Writers and the run import the model, never each other.

May import: `ctgraph.graph`.
"""
