"""The HTTP face of ctgraph: `app.create_app(settings)` builds it, `server.run_server` serves
it. `routes/` holds one module per kind of route, `middleware/` what wraps them all; the
answer cache, HTTP validators, errors and static assets sit beside the app.

May import: every room below it (graph, sparql, catalog, validation, views); never `cli`.
"""
