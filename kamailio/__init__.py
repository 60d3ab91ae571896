"""Kamailio, the SIP control plane: configuration, processes, JSON-RPC client, KEMI routing."""
