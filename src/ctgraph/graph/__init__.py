"""Files to dataset to stores: the bundled files and namespaces, safe RDF reading, and the
stores behind one `GraphStore` interface (embedded memory or disk, remote SPARQL).

May import: nothing of ctgraph outside this room, except `ctgraph.sparql.analysis` (a
store reads a query's dataset keywords before it runs it).
"""
