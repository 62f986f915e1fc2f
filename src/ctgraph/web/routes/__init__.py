"""HTTP routes, one module per kind: the SPARQL protocol, linked data, the named-query API,
the pages for analysts, and the service and dataset descriptions.
"""
