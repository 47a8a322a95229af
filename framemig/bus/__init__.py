"""The Redis bus: how framemig nodes and clients on many machines find and talk to each
other. Everything about Redis keys, channels and messages is here, nothing else is."""
