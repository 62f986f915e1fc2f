"""ASGI middleware around every route: access log, negotiated gzip, HEAD for GET.
"""
