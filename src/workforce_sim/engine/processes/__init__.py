"""The service's processes, one module each."""
