"""The HTTP face of ctgraph: `app.create_app` builds it, `server.run_server` serves it."""
