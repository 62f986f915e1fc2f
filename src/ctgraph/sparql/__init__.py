"""Running a SPARQL request: what its text is (analysis), executing it within limits,
media types and negotiation, and serialising answers.

May import: `ctgraph.graph`. Never the web, views or commands.
"""
