"""Read models that both the web pages and the CLI show: timeline, name search, statistics,
what a resource page says about a resource. They read a `GraphStore`; they never render HTML
or load files.

May import: `ctgraph.graph`, `ctgraph.sparql`, `ctgraph.catalog`.
"""
