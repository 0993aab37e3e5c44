"""Adapters: storage backends, the event mapper, and the command line."""
